// Tests for how connection reports become run figures: frames through the recorder into the
// ledger, and connection outcomes (ready, failed, closed with a code).
#include "tools/loadgen/run_recorder.h"

#include <gtest/gtest.h>

#include "tools/loadgen/frames.h"

namespace chatter::loadgen {
namespace {

constexpr char kRun[] = "lgrun";

// 4 users in 2 rooms: room 0 = users 0 and 2, room 1 = users 1 and 3.
class RunRecorderTest : public ::testing::Test {
 protected:
  RunRecorderTest()
      : plan_(4, 2), ledger_({2, 2}), recorder_(plan_, {"room-a", "room-b"}, kRun, ledger_) {}

  void AllReady() {
    for (int user = 0; user < 4; ++user) recorder_.OnReady(user);
  }

  static ServerFrame Receive(const std::string& room_id, uint64_t id, int64_t seq,
                             const std::string& run = kRun) {
    return ServerFrame{.event = "receive_message",
                       .ref = "",
                       .data = {{"room_id", room_id},
                                {"seq", seq},
                                {"content", EncodeContent(run, {.id = id, .send_ns = 100}, 0)}}};
  }
  static ServerFrame Reply(const std::string& event, uint64_t id, const std::string& code = "") {
    ServerFrame frame{.event = event, .ref = RefFor(id), .data = nlohmann::json::object()};
    if (!code.empty()) frame.data["code"] = code;
    return frame;
  }

  RoomPlan plan_;
  DeliveryLedger ledger_;
  RunRecorder recorder_;
};

TEST_F(RunRecorderTest, ReadyConnectionsBecomeSubscribers) {
  recorder_.OnReady(0);
  recorder_.OnReady(1);
  recorder_.OnReady(3);
  EXPECT_EQ(ledger_.SubscribersOf(0), 1);
  EXPECT_EQ(ledger_.SubscribersOf(1), 2);
  EXPECT_TRUE(recorder_.IsLive(3));
  EXPECT_FALSE(recorder_.IsLive(2));
  EXPECT_EQ(recorder_.Stats().ready, 3);
}

TEST_F(RunRecorderTest, AFullRoundIsComplete) {
  AllReady();
  uint64_t id = ledger_.RecordSend(/*room=*/0, 100, true);
  recorder_.OnFrame(0, Reply("ack", id), 150);
  recorder_.OnFrame(0, Receive("room-a", id, 1), 200);
  recorder_.OnFrame(2, Receive("room-a", id, 1), 300);
  LedgerTotals totals = ledger_.Totals();
  EXPECT_EQ(totals.expected, 2u);
  EXPECT_EQ(totals.received_unique, 2u);
  EXPECT_TRUE(totals.AllDelivered());
  EXPECT_EQ(totals.delivery_latency.max(), 200);
  EXPECT_EQ(recorder_.Stats().Errors(), 0u);
}

TEST_F(RunRecorderTest, ErrorRepliesFailTheSend) {
  AllReady();
  uint64_t id = ledger_.RecordSend(1, 100, true);
  recorder_.OnFrame(1, Reply("error", id, "resource_exhausted"), 150);
  LedgerTotals totals = ledger_.Totals();
  EXPECT_EQ(totals.send_failed, 1u);
  EXPECT_EQ(totals.send_errors_by_code.at("resource_exhausted"), 1u);
}

TEST_F(RunRecorderTest, RepliesWithForeignRefsAreUnexpected) {
  AllReady();
  recorder_.OnFrame(1, ServerFrame{.event = "ack", .ref = "not-ours"}, 1);
  EXPECT_EQ(ledger_.Totals().unexpected_replies, 1u);
}

TEST_F(RunRecorderTest, ErrorFramesWithoutRefAreConnectionErrors) {
  AllReady();
  recorder_.OnFrame(
      1, ServerFrame{.event = "error", .ref = "", .data = {{"code", "resource_exhausted"}}}, 1);
  recorder_.OnFrame(1, ServerFrame{.event = "presence", .ref = "", .data = {{"status", "online"}}},
                    1);
  ConnectionStats stats = recorder_.Stats();
  EXPECT_EQ(stats.unsolicited_errors.at("resource_exhausted"), 1u);
  EXPECT_EQ(stats.Errors(), 1u);
}

TEST_F(RunRecorderTest, MessagesOfAnotherRoomOrRunAreForeign) {
  AllReady();
  uint64_t id = ledger_.RecordSend(0, 100, true);
  recorder_.OnFrame(1, Receive("room-a", id, 1), 200);  // User 1 sits in room-b.
  recorder_.OnFrame(0, Receive("room-a", id, 1, "other-run"), 200);
  recorder_.OnFrame(0, ServerFrame{.event = "receive_message", .ref = "", .data = {{"content", 5}}},
                    200);
  LedgerTotals totals = ledger_.Totals();
  EXPECT_EQ(totals.foreign, 3u);
  EXPECT_EQ(totals.received_total, 0u);
}

TEST_F(RunRecorderTest, SeqGoingBackwardsIsAnOrderViolation) {
  AllReady();
  uint64_t a = ledger_.RecordSend(0, 100, true);
  uint64_t b = ledger_.RecordSend(0, 100, true);
  recorder_.OnFrame(0, Receive("room-a", b, 2), 200);
  recorder_.OnFrame(0, Receive("room-a", a, 1), 200);
  recorder_.OnFrame(2, Receive("room-a", a, 1), 200);  // Another member: its own order.
  recorder_.OnFrame(2, Receive("room-a", b, 2), 200);
  recorder_.OnFrame(2, Receive("room-a", b, 2), 200);  // A repeat is a duplicate, not disorder.
  EXPECT_EQ(recorder_.Stats().order_violations, 1u);
  EXPECT_EQ(ledger_.Totals().duplicates, 1u);
}

TEST_F(RunRecorderTest, SkippedSeqsAreUnfilledGapsUnlessAResyncCoveredThem) {
  AllReady();
  uint64_t id = ledger_.RecordSend(0, 100, true);
  recorder_.OnFrame(0, Receive("room-a", id, 3), 200);  // The first one sets the start.
  recorder_.OnFrame(0, Receive("room-a", id, 6), 200);  // 4 and 5 never came.
  EXPECT_EQ(recorder_.Stats().unfilled_gaps, 2u);
  recorder_.OnFrame(
      0,
      ServerFrame{
          .event = "resync_required", .ref = "", .data = {{"room_id", "room-a"}, {"last_seq", 9}}},
      200);
  recorder_.OnFrame(0, Receive("room-a", id, 10), 200);  // 7-9 are the client's to read.
  ConnectionStats stats = recorder_.Stats();
  EXPECT_EQ(stats.unfilled_gaps, 2u);
  EXPECT_EQ(stats.resyncs, 1u);
  EXPECT_EQ(stats.order_violations, 0u);
  EXPECT_EQ(stats.Errors(), 2u);
}

TEST_F(RunRecorderTest, UnexpectedClosesAreCountedByCodeRequestedOnesAreNot) {
  AllReady();
  recorder_.OnClosed(0, 1008, "slow consumer", /*requested=*/false);
  recorder_.OnClosed(1, 1013, "try again later", /*requested=*/false);
  recorder_.OnClosed(2, 1000, "", /*requested=*/true);
  recorder_.OnClosed(3, 0, "end of stream", /*requested=*/false);
  ConnectionStats stats = recorder_.Stats();
  EXPECT_EQ(stats.unexpected_closes, 3);
  EXPECT_EQ(stats.close_codes.at(1008), 1);
  EXPECT_EQ(stats.close_codes.at(1013), 1);
  EXPECT_EQ(stats.close_codes.at(0), 1);
  EXPECT_EQ(stats.close_codes.count(1000), 0u);
  EXPECT_FALSE(recorder_.IsLive(0));
  EXPECT_FALSE(recorder_.IsLive(2));
}

TEST_F(RunRecorderTest, AClosedMemberStillOwesItsDeliveries) {
  AllReady();
  recorder_.OnClosed(2, 1008, "slow", false);
  uint64_t id = ledger_.RecordSend(0, 100, true);
  recorder_.OnFrame(0, Reply("ack", id), 150);
  recorder_.OnFrame(0, Receive("room-a", id, 1), 200);
  recorder_.OnFrame(2, Receive("room-a", id, 1), 200);  // Arrives after the close: ignored.
  LedgerTotals totals = ledger_.Totals();
  EXPECT_EQ(totals.expected, 2u);
  EXPECT_EQ(totals.received_unique, 1u);
  EXPECT_DOUBLE_EQ(totals.CompletenessPercent(), 50.0);
}

TEST_F(RunRecorderTest, ConnectFailuresAreCountedByReason) {
  recorder_.OnConnectFailed(0, "room refused: permission_denied");
  recorder_.OnConnectFailed(1, "room refused: permission_denied");
  recorder_.OnConnectFailed(2, "upgrade refused: HTTP 401");
  recorder_.OnReady(3);
  ConnectionStats stats = recorder_.Stats();
  EXPECT_EQ(stats.failed, 3);
  EXPECT_EQ(stats.failure_reasons.at("room refused: permission_denied"), 2);
  EXPECT_EQ(stats.Errors(), 3u);
  EXPECT_EQ(ledger_.SubscribersOf(0), 0);
  EXPECT_TRUE(recorder_.WaitAllSettled(absl::Now()));
}

TEST_F(RunRecorderTest, TheConnectDeadlineFailsStragglers) {
  recorder_.OnReady(0);
  recorder_.OnReady(1);
  EXPECT_FALSE(recorder_.WaitAllSettled(absl::Now() + absl::Milliseconds(10)));
  recorder_.StopAcceptingReady();
  recorder_.OnReady(2);  // Too late: must not become a subscriber.
  ConnectionStats stats = recorder_.Stats();
  EXPECT_EQ(stats.ready, 2);
  EXPECT_EQ(stats.failed, 2);
  EXPECT_EQ(stats.failure_reasons.at("not ready within the connect deadline"), 2);
  EXPECT_EQ(ledger_.SubscribersOf(0), 1);
  EXPECT_FALSE(recorder_.IsLive(2));
  EXPECT_TRUE(recorder_.WaitAllSettled(absl::Now()));
}

TEST_F(RunRecorderTest, WriteFailuresFailTheSend) {
  AllReady();
  uint64_t id = ledger_.RecordSend(0, 100, true);
  recorder_.OnSendFailed(0, id, "client_queue_full");
  EXPECT_EQ(ledger_.Totals().send_errors_by_code.at("client_queue_full"), 1u);
}

TEST_F(RunRecorderTest, ACutOffSessionStaysAMemberAndResumesFromItsNewestSeq) {
  AllReady();
  uint64_t first = ledger_.RecordSend(0, 100, true);
  recorder_.OnFrame(0, Reply("ack", first), 150);
  recorder_.OnFrame(0, Receive("room-a", first, 1), 200);
  recorder_.OnFrame(2, Receive("room-a", first, 1), 200);
  EXPECT_EQ(recorder_.ResumeSeq(2), 1);
  EXPECT_EQ(recorder_.ResumeSeq(3), 0) << "nothing seen yet: from the start";

  recorder_.OnInterrupted(2, 1012);
  EXPECT_TRUE(recorder_.IsLive(2)) << "sends to it wait for the reconnect";
  uint64_t during = ledger_.RecordSend(0, 300, true);
  recorder_.OnFrame(0, Reply("ack", during), 350);
  recorder_.OnFrame(0, Receive("room-a", during, 2), 400);
  // The replay after the reconnect carries it before the subscribe is answered.
  recorder_.OnFrame(2, Receive("room-a", during, 2), 900);
  recorder_.OnResumed(2);

  LedgerTotals totals = ledger_.Totals();
  EXPECT_EQ(totals.expected, 4u);
  EXPECT_EQ(totals.received_unique, 4u);
  EXPECT_EQ(totals.duplicates, 0u);
  ConnectionStats stats = recorder_.Stats();
  EXPECT_EQ(stats.interruptions.at(1012), 1);
  EXPECT_EQ(stats.resumed, 1);
  EXPECT_EQ(stats.unexpected_closes, 0);
  EXPECT_EQ(stats.unfilled_gaps, 0u);
  EXPECT_GT(stats.longest_recovery, absl::ZeroDuration());
  EXPECT_EQ(stats.Errors(), 0u);
}

TEST_F(RunRecorderTest, AReplayThatRepeatsAMessageIsADuplicate) {
  AllReady();
  uint64_t id = ledger_.RecordSend(0, 100, true);
  recorder_.OnFrame(0, Reply("ack", id), 150);
  recorder_.OnFrame(2, Receive("room-a", id, 1), 200);
  recorder_.OnInterrupted(2, 0);
  recorder_.OnFrame(2, Receive("room-a", id, 1), 900);  // since_seq was wrong on the server side.
  recorder_.OnResumed(2);
  EXPECT_EQ(ledger_.Totals().duplicates, 1u);
}

TEST_F(RunRecorderTest, ASessionThatNeverCameBackIsAnUnexpectedClose) {
  AllReady();
  recorder_.OnInterrupted(1, 1013);
  recorder_.OnClosed(1, 1013, "not back after 1m", /*requested=*/false);
  ConnectionStats stats = recorder_.Stats();
  EXPECT_EQ(stats.unexpected_closes, 1);
  EXPECT_EQ(stats.close_codes.at(1013), 1);
  EXPECT_EQ(stats.resumed, 0);
  EXPECT_FALSE(recorder_.IsLive(1));
  EXPECT_EQ(stats.longest_recovery, absl::ZeroDuration());
}

TEST_F(RunRecorderTest, RecoveryLastsUntilTheLastSessionOfAnOutageIsBack) {
  AllReady();
  recorder_.OnInterrupted(0, 1012);
  recorder_.OnInterrupted(1, 1012);
  recorder_.OnResumed(0);
  absl::SleepFor(absl::Milliseconds(30));
  recorder_.OnResumed(1);
  EXPECT_GE(recorder_.Stats().longest_recovery, absl::Milliseconds(30));
  recorder_.OnResumed(1);  // Not cut off any more: ignored.
  EXPECT_EQ(recorder_.Stats().resumed, 2);
}

}  // namespace
}  // namespace chatter::loadgen
