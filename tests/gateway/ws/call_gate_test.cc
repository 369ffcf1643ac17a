// Tests for the gate in front of chat-svc: bounded calls in flight, FIFO waiting, clean refusals,
// and the gated backend answering every call exactly once.
#include "gateway/ws/call_gate.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gateway/ws/gated_chat_backend.h"

namespace chatter::gateway {
namespace {

// Records starts and keeps each started call's release for the test to complete.
struct Calls {
  std::vector<std::string> started;
  std::vector<CallGate::Release> releases;
  std::vector<std::pair<std::string, absl::StatusCode>> refused;

  void Enter(CallGate& gate, const std::string& name) {
    gate.Enter(
        [this, name](CallGate::Release release) {
          started.push_back(name);
          releases.push_back(std::move(release));
        },
        [this, name](absl::Status why) {
          refused.push_back({name, why.code()});
        });
  }
};

TEST(CallGateTest, RunsAtMostMaxInFlightAndStartsWaitingCallsInOrder) {
  CallGate gate({.max_in_flight = 2, .max_waiting = 10});
  Calls calls;
  for (const char* name : {"a", "b", "c", "d"}) calls.Enter(gate, name);
  EXPECT_EQ(calls.started, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(gate.in_flight(), 2u);
  EXPECT_EQ(gate.waiting(), 2u);
  calls.releases[1]();  // b done: c starts.
  EXPECT_EQ(calls.started, (std::vector<std::string>{"a", "b", "c"}));
  calls.releases[1]();  // A second release of b changes nothing.
  EXPECT_EQ(calls.started.size(), 3u);
  calls.releases[0]();
  EXPECT_EQ(calls.started, (std::vector<std::string>{"a", "b", "c", "d"}));
  calls.releases[2]();
  calls.releases[3]();
  EXPECT_EQ(gate.in_flight(), 0u);
  EXPECT_EQ(gate.waiting(), 0u);
  EXPECT_TRUE(calls.refused.empty());
}

TEST(CallGateTest, RefusesWithAResourceExhaustedRetryHintOnlyWhenTheQueueIsFull) {
  CallGate gate({.max_in_flight = 1, .max_waiting = 1});
  Calls calls;
  for (const char* name : {"a", "b", "c"}) calls.Enter(gate, name);
  EXPECT_EQ(calls.started, (std::vector<std::string>{"a"}));
  ASSERT_EQ(calls.refused.size(), 1u);
  EXPECT_EQ(calls.refused[0],
            std::make_pair(std::string("c"), absl::StatusCode::kResourceExhausted));
  calls.releases[0]();
  EXPECT_EQ(calls.started, (std::vector<std::string>{"a", "b"}));
}

TEST(CallGateTest, WaitingCallsAreRefusedWhenTheGateGoesAwayAndLateReleasesAreHarmless) {
  Calls calls;
  {
    CallGate gate({.max_in_flight = 1, .max_waiting = 5});
    calls.Enter(gate, "a");
    calls.Enter(gate, "b");
  }
  ASSERT_EQ(calls.refused.size(), 1u);
  EXPECT_EQ(calls.refused[0], std::make_pair(std::string("b"), absl::StatusCode::kUnavailable));
  calls.releases[0]();  // The call in flight completes after the gate is gone.
  EXPECT_EQ(calls.started, (std::vector<std::string>{"a"}));
}

// A backend whose calls complete when the test says so.
class HeldChatBackend : public ChatBackend {
 public:
  void CheckRoomAccess(const std::string&, const std::string&, const std::vector<std::string>&,
                       Done<chat::v1::CheckRoomAccessResponse> done) override {
    held.push_back(std::move(done));
  }
  void ListMessagesSince(const std::string&, const chat::v1::ListMessagesSinceRequest&,
                         Done<chat::v1::ListMessagesSinceResponse>) override {}
  void SendMessage(const UserCallContext&, const chat::v1::SendMessageRequest&,
                   Done<chat::v1::SendMessageResponse>) override {}
  void EditMessage(const UserCallContext&, const chat::v1::EditMessageRequest&,
                   Done<chat::v1::EditMessageResponse>) override {}
  void DeleteMessage(const UserCallContext&, const chat::v1::DeleteMessageRequest&,
                     Done<chat::v1::DeleteMessageResponse>) override {}
  void MarkRead(const UserCallContext&, const chat::v1::MarkReadRequest&,
                Done<chat::v1::MarkReadResponse>) override {}
  void MarkDelivered(const UserCallContext&, const chat::v1::MarkDeliveredRequest&,
                     Done<chat::v1::MarkDeliveredResponse>) override {}

  std::vector<Done<chat::v1::CheckRoomAccessResponse>> held;
};

TEST(GatedChatBackendTest, AnswersEveryCallOnceAndPassesWaitingOnesOnAsSlotsFree) {
  HeldChatBackend inner;
  GatedChatBackend gated(inner, {.max_in_flight = 1, .max_waiting = 1});
  std::vector<absl::StatusCode> answers;
  auto done = [&answers](absl::StatusOr<chat::v1::CheckRoomAccessResponse> result) {
    answers.push_back(result.status().code());
  };
  for (int i = 0; i < 3; ++i) gated.CheckRoomAccess("req", "user", {"room"}, done);
  ASSERT_EQ(inner.held.size(), 1u) << "one in flight, one waiting, one refused";
  EXPECT_EQ(answers, (std::vector<absl::StatusCode>{absl::StatusCode::kResourceExhausted}));
  inner.held[0](chat::v1::CheckRoomAccessResponse());
  ASSERT_EQ(inner.held.size(), 2u) << "the waiting call went on when the first completed";
  inner.held[1](absl::UnavailableError("down"));
  EXPECT_EQ(answers,
            (std::vector<absl::StatusCode>{absl::StatusCode::kResourceExhausted,
                                           absl::StatusCode::kOk, absl::StatusCode::kUnavailable}));
  EXPECT_EQ(gated.gate().in_flight(), 0u);
}

}  // namespace
}  // namespace chatter::gateway
