// Counts the callback-API calls an object has started, so that it can outlive them.
//
// Why: a call's ClientContext holds a reference to its channel. If the object that owns the
// stubs goes away while a call is in flight, the call's completion callback drops the last
// channel reference on a gRPC thread, and gRPC 1.51 then double-frees the channel's callback
// completion queue (found by ASan in gateway_rest_routes_test). An owner that waits here in its
// destructor keeps the last channel reference on its own thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>

namespace chatter::grpc_client {

class InFlightCalls {
 public:
  // Held by one call's completion callback. Release it after the callback has dropped its
  // ClientContext; destroying it releases too.
  class Ticket {
   public:
    Ticket(Ticket&& other) noexcept = default;
    Ticket& operator=(Ticket&& other) noexcept;
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    ~Ticket() { Release(); }

    void Release();

   private:
    friend class InFlightCalls;
    struct State;
    explicit Ticket(std::shared_ptr<State> state) : state_(std::move(state)) {}
    std::shared_ptr<State> state_;
  };

  InFlightCalls();
  // Waits until every ticket is released.
  ~InFlightCalls();
  InFlightCalls(const InFlightCalls&) = delete;
  InFlightCalls& operator=(const InFlightCalls&) = delete;

  Ticket Enter();
  void WaitUntilNone();
  size_t count() const;

 private:
  // Shared with the tickets, so a release never touches an InFlightCalls already destroyed.
  std::shared_ptr<Ticket::State> state_;
};

}  // namespace chatter::grpc_client
