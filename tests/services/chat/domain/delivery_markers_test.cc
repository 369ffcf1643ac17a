// DeliveryMarkers: reports are coalesced per (room, member) into one write per flush, checked
// reports spare the check, a failed write keeps the markers for the next flush, and only markers
// that moved are announced.
#include "services/chat/domain/delivery_markers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libs/ids/random_source.h"
#include "tests/fakes/chat/in_memory_chat_storage.h"
#include "tests/fakes/chat/recording_event_publisher.h"

namespace chatter::chat {
namespace {

using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

// The in-memory storage, counting MarkDelivered calls, able to fail them.
class CountingStorage final : public ConversationRepository {
 public:
  explicit CountingStorage(InMemoryChatStorage& inner) : inner_(inner) {}
  absl::StatusOr<std::vector<Message>> ListReplies(absl::string_view room_id,
                                                   absl::string_view message_id, int64_t after,
                                                   int limit) override {
    return inner_.ListReplies(room_id, message_id, after, limit);
  }
  absl::StatusOr<ReactionChange> AddReaction(absl::string_view message_id, absl::string_view emoji,
                                             absl::string_view user_id, absl::Time now,
                                             int max_distinct) override {
    return inner_.AddReaction(message_id, emoji, user_id, now, max_distinct);
  }
  absl::StatusOr<ReactionChange> RemoveReaction(absl::string_view message_id,
                                                absl::string_view emoji,
                                                absl::string_view user_id) override {
    return inner_.RemoveReaction(message_id, emoji, user_id);
  }
  absl::StatusOr<absl::flat_hash_map<std::string, std::vector<ReactionCount>>> Reactions(
      const std::vector<std::string>& message_ids, absl::string_view reader) override {
    return inner_.Reactions(message_ids, reader);
  }
  absl::StatusOr<std::vector<Receipt>> ListReceipts(absl::string_view room_id) override {
    return inner_.ListReceipts(room_id);
  }
  absl::StatusOr<std::vector<DeliveredMarker>> MarkDelivered(
      const std::vector<DeliveredMarker>& markers) override {
    ++writes;
    written += markers.size();
    if (!failure.ok()) return failure;
    return inner_.MarkDelivered(markers);
  }
  absl::StatusOr<std::vector<SearchHit>> Search(const SearchQuery& query) override {
    return inner_.Search(query);
  }

  int writes = 0;
  size_t written = 0;
  absl::Status failure;

 private:
  InMemoryChatStorage& inner_;
};

constexpr char kRoom[] = "018f0000-0000-7000-8000-0000000000a1";
constexpr char kAlice[] = "018f0000-0000-7000-8000-00000000000a";
constexpr char kBob[] = "018f0000-0000-7000-8000-00000000000b";

class FixedClock final : public ids::Clock {
 public:
  int64_t UnixMillis() override { return 1'780'000'000'000; }
};

class DeliveryMarkersTest : public ::testing::Test {
 protected:
  DeliveryMarkersTest()
      : uuids_(clock_, random_), store_(storage_), markers_(store_, events_, uuids_, clock_) {
    Room room{.id = kRoom, .name = "room", .created_by = kAlice, .member_count = 1};
    EXPECT_TRUE(storage_.CreateGroup(room, {.room_id = kRoom, .user_id = kAlice}).ok());
    EXPECT_TRUE(storage_.AddMember({.room_id = kRoom, .user_id = kBob}).ok());
    for (int i = 0; i < 10; ++i) {
      NewMessage message{
          .id = uuids_.NewV7(), .room_id = kRoom, .sender_id = kAlice, .content = "m"};
      EXPECT_TRUE(storage_.Insert(message).ok());
    }
  }

  FixedClock clock_;
  ids::SodiumRandomSource random_;
  ids::UuidGenerator uuids_;
  InMemoryChatStorage storage_;
  CountingStorage store_;
  RecordingEventPublisher events_;
  DeliveryMarkers markers_;
};

TEST_F(DeliveryMarkersTest, ManyReportsOfOneMemberBecomeOneWriteOfTheHighestSeq) {
  EXPECT_FALSE(markers_.RecordIfChecked(kRoom, kBob, 1));  // Nothing checked yet.
  markers_.Record(kRoom, kBob, 1, /*room_head=*/10);
  for (int64_t seq = 2; seq <= 9; ++seq) EXPECT_TRUE(markers_.RecordIfChecked(kRoom, kBob, seq));
  EXPECT_TRUE(markers_.RecordIfChecked(kRoom, kBob, 3));    // Lower: kept, changes nothing.
  EXPECT_FALSE(markers_.RecordIfChecked(kRoom, kBob, 11));  // Past the checked head.
  EXPECT_THAT(markers_.PendingInRoom(kRoom), UnorderedElementsAre(Pair(kBob, 9)));

  markers_.Flush();
  EXPECT_EQ(store_.writes, 1);
  EXPECT_EQ(store_.written, 1u);
  ASSERT_EQ(events_.events().size(), 1u);
  EXPECT_EQ(events_.events()[0].kind, RoomEvent::Kind::kDeliveryReceipt);
  EXPECT_EQ(events_.events()[0].user_id, kBob);
  EXPECT_EQ(events_.events()[0].seq, 9);
  EXPECT_THAT(markers_.PendingInRoom(kRoom), IsEmpty());

  // After a flush a report is checked again; nothing pending writes nothing.
  EXPECT_FALSE(markers_.RecordIfChecked(kRoom, kBob, 10));
  markers_.Flush();
  EXPECT_EQ(store_.writes, 1);
}

TEST_F(DeliveryMarkersTest, AFailedWriteKeepsTheMarkersForTheNextFlush) {
  markers_.Record(kRoom, kBob, 4, 10);
  store_.failure = absl::UnavailableError("database down");
  markers_.Flush();
  EXPECT_THAT(events_.events(), IsEmpty());
  EXPECT_THAT(markers_.PendingInRoom(kRoom), UnorderedElementsAre(Pair(kBob, 4)));
  // A newer report meanwhile wins; the retry writes it once.
  EXPECT_TRUE(markers_.RecordIfChecked(kRoom, kBob, 6));
  store_.failure = absl::OkStatus();
  markers_.Flush();
  ASSERT_EQ(events_.events().size(), 1u);
  EXPECT_EQ(events_.events()[0].seq, 6);
}

TEST_F(DeliveryMarkersTest, OnlyMarkersThatMovedAreAnnounced) {
  // alice sent everything: her marker is at 10 already.
  markers_.Record(kRoom, kAlice, 5, 10);
  markers_.Record(kRoom, kBob, 2, 10);
  markers_.Flush();
  EXPECT_EQ(store_.writes, 1);
  EXPECT_EQ(store_.written, 2u);
  ASSERT_EQ(events_.events().size(), 1u);
  EXPECT_EQ(events_.events()[0].user_id, kBob);
}

TEST_F(DeliveryMarkersTest, TheFlusherWritesPeriodicallyAndOnceMoreWhenStopped) {
  {
    DeliveryFlusher flusher(markers_, absl::Hours(1));
    markers_.Record(kRoom, kBob, 3, 10);
  }
  EXPECT_EQ(store_.writes, 1);
  EXPECT_THAT(markers_.PendingInRoom(kRoom), IsEmpty());
}

}  // namespace
}  // namespace chatter::chat
