// InFlightCalls: the owner waits for every ticket, and a ticket counts once however it ends.
#include "libs/grpc_client/in_flight_calls.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

namespace chatter::grpc_client {
namespace {

TEST(InFlightCalls, CountsTicketsUntilReleasedOrDestroyed) {
  InFlightCalls calls;
  InFlightCalls::Ticket first = calls.Enter();
  std::optional<InFlightCalls::Ticket> second = calls.Enter();
  EXPECT_EQ(calls.count(), 2u);
  first.Release();
  first.Release();  // A second release does not count again.
  EXPECT_EQ(calls.count(), 1u);
  InFlightCalls::Ticket moved = std::move(*second);
  second.reset();  // The moved-from ticket holds nothing.
  EXPECT_EQ(calls.count(), 1u);
  moved = calls.Enter();  // Assigning over a ticket releases the one it held.
  EXPECT_EQ(calls.count(), 1u);
}

TEST(InFlightCalls, DestructorWaitsForTheLastTicket) {
  std::atomic<bool> released{false};
  std::thread holder;
  {
    InFlightCalls calls;
    holder = std::thread([&released, ticket = calls.Enter()]() mutable {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      released = true;
      ticket.Release();
    });
  }  // ~InFlightCalls blocks here until the holder released.
  EXPECT_TRUE(released.load());
  holder.join();
}

TEST(InFlightCalls, WaitUntilNoneReturnsAtOnceWhenIdle) {
  InFlightCalls calls;
  calls.WaitUntilNone();
  EXPECT_EQ(calls.count(), 0u);
}

}  // namespace
}  // namespace chatter::grpc_client
