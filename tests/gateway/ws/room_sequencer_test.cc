// Tests RoomSequencer with a fake history (chat-svc ListMessagesSince) and recording sessions:
// events leave in seq order, gaps wait for late events, then are filled from history, and what
// cannot be filled in time becomes resync_required; lost tails are found through heads, access
// checks and OnEventsMayBeLost.
#include "gateway/ws/room_sequencer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>

#include "tests/gateway/ws/fake_chat_backend.h"
#include "tests/gateway/ws/fake_realtime_service.h"
#include "tests/gateway/ws/fake_subscriber.h"

namespace chatter::gateway {
namespace {

using nlohmann::json;
using realtime::v1::RoomEvent;
using testing::FakeSubscriber;
using testing::MakeSubscriber;
using testing::WaitFor;

common::v1::Message Message(const std::string& room, int64_t seq, const std::string& content) {
  common::v1::Message message;
  message.set_room_id(room);
  message.set_seq(seq);
  message.set_content(content);
  return message;
}

RoomEvent Created(const std::string& room, int64_t seq, const std::string& content = "live") {
  RoomEvent event;
  event.set_room_id(room);
  *event.mutable_message_created() = Message(room, seq, content);
  return event;
}

RoomEvent Updated(const std::string& room, int64_t seq) {
  RoomEvent event;
  event.set_room_id(room);
  *event.mutable_message_updated() = Message(room, seq, "edited");
  return event;
}

RoomEvent Head(const std::string& room, int64_t last_seq) {
  RoomEvent event;
  event.set_room_id(room);
  event.mutable_head()->set_room_id(room);
  event.mutable_head()->set_last_seq(last_seq);
  return event;
}

// What a session was handed, as "<event> <seq> <content>" ("resync_required <last_seq>").
std::vector<std::string> Seen(FakeSubscriber& session) {
  std::vector<std::string> seen;
  for (const auto& delivery : session.rooms()) {
    json frame = json::parse(*delivery->frame);
    std::string event = frame["event"];
    if (event == "resync_required") {
      seen.push_back(event + " " + std::to_string(frame["data"]["last_seq"].get<int64_t>()));
    } else {
      seen.push_back(event + " " + std::to_string(frame["data"]["seq"].get<int64_t>()) + " " +
                     frame["data"]["content"].get<std::string>());
    }
  }
  return seen;
}

class RoomSequencerTest : public ::testing::Test {
 protected:
  RoomSequencerTest() {
    session_ = MakeSubscriber("s1", "alice");
    index_.AddSession(session_);
    // History holds seqs 1..history_last_ of r1, with content "history".
    chat_.SetReplay([this](const chat::v1::ListMessagesSinceRequest& request)
                        -> absl::StatusOr<chat::v1::ListMessagesSinceResponse> {
      ++reads_;
      EXPECT_EQ(request.user_id(), "alice");
      if (history_down_) return absl::UnavailableError("chat-svc down");
      chat::v1::ListMessagesSinceResponse response;
      int64_t last = history_last_.load();
      for (int64_t seq = request.since_seq() + 1; seq <= last; ++seq) {
        if (response.messages_size() == request.limit()) {
          response.set_truncated(true);
          break;
        }
        *response.add_messages() = Message(request.room_id(), seq, "history");
      }
      response.set_last_seq(last);
      return response;
    });
  }

  void Start(RoomSequencerOptions options = {}) {
    sequencer_ = std::make_unique<RoomSequencer>(fanout_, index_, chat_, registry_, options);
    sequencer_->Start();
  }
  // The session follows r1, whose newest seq is `last_seq`.
  void Follow(int64_t last_seq) {
    sequencer_->Watch("r1", last_seq);
    index_.Subscribe("r1", "s1");
  }

  metrics::Registry registry_;
  RoomIndex index_;
  EventFanout fanout_{index_, registry_};
  testing::FakeChatBackend chat_;
  std::shared_ptr<FakeSubscriber> session_;
  std::atomic<int64_t> history_last_{0};
  std::atomic<bool> history_down_{false};
  std::atomic<int> reads_{0};
  std::unique_ptr<RoomSequencer> sequencer_;
};

TEST_F(RoomSequencerTest, InOrderEventsPassAtOnceWithoutHistoryReads) {
  Start();
  Follow(4);
  sequencer_->OnRoomEvent(Created("r1", 5));
  sequencer_->OnRoomEvent(Created("r1", 6));
  EXPECT_EQ(Seen(*session_),
            (std::vector<std::string>{"receive_message 5 live", "receive_message 6 live"}));
  EXPECT_EQ(sequencer_->delivered_seq("r1"), 6);
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_EQ(reads_.load(), 0);
}

TEST_F(RoomSequencerTest, ALateEventIsWaitedForAndOrderIsKept) {
  Start({.reorder_wait = absl::Seconds(5)});
  Follow(4);
  sequencer_->OnRoomEvent(Created("r1", 7));
  sequencer_->OnRoomEvent(Created("r1", 6));
  EXPECT_TRUE(Seen(*session_).empty());
  sequencer_->OnRoomEvent(Created("r1", 5));
  EXPECT_EQ(Seen(*session_),
            (std::vector<std::string>{"receive_message 5 live", "receive_message 6 live",
                                      "receive_message 7 live"}));
  EXPECT_EQ(reads_.load(), 0);
}

TEST_F(RoomSequencerTest, DuplicatesAreDropped) {
  Start();
  Follow(4);
  sequencer_->OnRoomEvent(Created("r1", 5));
  sequencer_->OnRoomEvent(Created("r1", 5));
  sequencer_->OnRoomEvent(Created("r1", 3));
  EXPECT_EQ(Seen(*session_), (std::vector<std::string>{"receive_message 5 live"}));
}

TEST_F(RoomSequencerTest, ALostEventIsFilledFromHistoryInOrder) {
  history_last_ = 7;
  Start({.reorder_wait = absl::Milliseconds(20)});
  Follow(4);
  sequencer_->OnRoomEvent(Created("r1", 5));
  sequencer_->OnRoomEvent(Created("r1", 7));  // 6 was lost.
  ASSERT_TRUE(WaitFor([&] { return Seen(*session_).size() == 3; }));
  EXPECT_EQ(Seen(*session_),
            (std::vector<std::string>{"receive_message 5 live", "receive_message 6 history",
                                      "receive_message 7 live"}));
  EXPECT_EQ(reads_.load(), 1);
}

TEST_F(RoomSequencerTest, AnEditWaitsForItsMessage) {
  Start({.reorder_wait = absl::Seconds(5)});
  Follow(4);
  sequencer_->OnRoomEvent(Updated("r1", 5));
  EXPECT_TRUE(Seen(*session_).empty());
  sequencer_->OnRoomEvent(Created("r1", 5));
  EXPECT_EQ(Seen(*session_),
            (std::vector<std::string>{"receive_message 5 live", "message_updated 5 edited"}));
  sequencer_->OnRoomEvent(Updated("r1", 5));  // Of a delivered message: at once.
  EXPECT_EQ(Seen(*session_).size(), 3u);
}

TEST_F(RoomSequencerTest, AGapThatCannotBeFilledInTimeBecomesResyncRequired) {
  history_down_ = true;
  Start({.reorder_wait = absl::Milliseconds(10),
         .fill_deadline = absl::Milliseconds(300),
         .retry_interval = absl::Milliseconds(20)});
  Follow(4);
  sequencer_->OnRoomEvent(Created("r1", 6));
  sequencer_->OnRoomEvent(Created("r1", 8));
  ASSERT_TRUE(WaitFor([&] { return !Seen(*session_).empty(); }));
  EXPECT_EQ(Seen(*session_), (std::vector<std::string>{"resync_required 8"}));
  EXPECT_GE(reads_.load(), 2);  // Retried until the deadline.
  EXPECT_EQ(session_->rooms()[0]->resync_seq, 8);
  // Live delivery goes on after the resync point.
  sequencer_->OnRoomEvent(Created("r1", 9));
  EXPECT_EQ(Seen(*session_).back(), "receive_message 9 live");
}

TEST_F(RoomSequencerTest, ALostTailIsFoundThroughAHead) {
  history_last_ = 6;
  Start({.reorder_wait = absl::Milliseconds(10)});
  Follow(4);
  sequencer_->OnRoomEvent(Head("r1", 6));
  ASSERT_TRUE(WaitFor([&] { return Seen(*session_).size() == 2; }));
  EXPECT_EQ(Seen(*session_),
            (std::vector<std::string>{"receive_message 5 history", "receive_message 6 history"}));
}

TEST_F(RoomSequencerTest, ANewerAccessCheckFillsWhatTheRoomMissed) {
  history_last_ = 5;
  Start({.reorder_wait = absl::Milliseconds(10)});
  Follow(4);
  sequencer_->Watch("r1", 5);  // A second session's check saw seq 5; its event never came.
  ASSERT_TRUE(WaitFor([&] { return Seen(*session_).size() == 1; }));
  EXPECT_EQ(Seen(*session_), (std::vector<std::string>{"receive_message 5 history"}));
}

TEST_F(RoomSequencerTest, EventsMayBeLostReadsEveryFollowedRoom) {
  history_last_ = 4;
  Start({.reorder_wait = absl::Milliseconds(10)});
  Follow(4);
  history_last_ = 6;  // Two messages committed while the stream was down.
  sequencer_->OnEventsMayBeLost();
  ASSERT_TRUE(WaitFor([&] { return Seen(*session_).size() == 2; }));
  EXPECT_EQ(Seen(*session_),
            (std::vector<std::string>{"receive_message 5 history", "receive_message 6 history"}));
  // A read that finds nothing new delivers nothing.
  sequencer_->OnEventsMayBeLost();
  ASSERT_TRUE(WaitFor([&] { return reads_.load() == 2; }));
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_EQ(Seen(*session_).size(), 2u);
}

TEST_F(RoomSequencerTest, HistoryReadsAreBoundedInFlight) {
  constexpr int kRooms = 12;
  history_last_ = 1;
  Start({.reorder_wait = absl::Milliseconds(1), .max_reads_in_flight = 3});
  std::vector<std::shared_ptr<FakeSubscriber>> sessions;
  for (int i = 0; i < kRooms; ++i) {
    std::string room = "room-" + std::to_string(i);
    auto session = MakeSubscriber("s-" + room, "alice");
    index_.AddSession(session);
    sequencer_->Watch(room, 0);
    index_.Subscribe(room, session->session_id());
    sessions.push_back(session);
  }
  chat_.HoldReplays(true);  // Reads stay in flight until released.
  sequencer_->OnEventsMayBeLost();
  ASSERT_TRUE(WaitFor([&] { return chat_.held_replays() == 3; }));
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(chat_.held_replays(), 3);  // Every room is due; only the bound is asked.
  chat_.ReleaseReplays();
  for (auto& session : sessions) {
    ASSERT_TRUE(WaitFor([&] { return Seen(*session).size() == 1; })) << session->session_id();
    EXPECT_EQ(Seen(*session)[0], "receive_message 1 history");
  }
}

TEST_F(RoomSequencerTest, LargeGapsAreReadInPages) {
  history_last_ = 25;
  Start({.reorder_wait = absl::Milliseconds(10), .fill_limit = 10});
  Follow(0);
  sequencer_->OnRoomEvent(Created("r1", 26));
  ASSERT_TRUE(WaitFor([&] { return Seen(*session_).size() == 26; }));
  std::vector<std::string> seen = Seen(*session_);
  for (int64_t i = 0; i < 25; ++i) {
    EXPECT_EQ(seen[i], "receive_message " + std::to_string(i + 1) + " history");
  }
  EXPECT_EQ(seen[25], "receive_message 26 live");
  EXPECT_EQ(reads_.load(), 3);
}

TEST_F(RoomSequencerTest, TooManyHeldEventsResyncAtOnce) {
  Start({.reorder_wait = absl::Seconds(5), .max_held_events = 3});
  Follow(0);
  for (int64_t seq = 2; seq <= 5; ++seq) sequencer_->OnRoomEvent(Created("r1", seq));
  EXPECT_EQ(Seen(*session_), (std::vector<std::string>{"resync_required 5"}));
}

TEST_F(RoomSequencerTest, OtherEventsPassStraightThrough) {
  Start({.reorder_wait = absl::Seconds(5)});
  Follow(4);
  sequencer_->OnRoomEvent(Created("r1", 6));  // Held behind the gap at 5.
  RoomEvent receipt;
  receipt.set_room_id("r1");
  receipt.mutable_read_receipt()->set_room_id("r1");
  receipt.mutable_read_receipt()->set_seq(3);
  sequencer_->OnRoomEvent(receipt);
  ASSERT_EQ(session_->rooms().size(), 1u);
  EXPECT_EQ(json::parse(*session_->rooms()[0]->frame)["event"], "read_receipt");
}

}  // namespace
}  // namespace chatter::gateway
