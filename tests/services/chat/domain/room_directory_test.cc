// The public room directory against in-memory storage: input rules naming the field, the default
// and largest page, the cursor, the name filter, and that private and direct rooms never appear.
#include "services/chat/domain/room_directory.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/status/error_details.h"
#include "tests/fakes/chat/in_memory_chat_storage.h"

namespace chatter::chat {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kOwner[] = "018f0000-0000-7000-8000-00000000000a";

// Room ids in creation order: RoomId(1) < RoomId(2) < ... as UUIDv7 ids of later rooms are.
std::string RoomId(int n) {
  std::string suffix = std::to_string(n);
  return "018f0000-0000-7000-8000-2" + std::string(11 - suffix.size(), '0') + suffix;
}

std::string FieldOf(const absl::Status& status) {
  auto details = status::GetErrorDetails(status);
  if (!details || details->field_violations().empty()) return "";
  return details->field_violations(0).field();
}

void ExpectInvalid(const absl::Status& status, const std::string& field) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_EQ(FieldOf(status), field) << status;
}

std::vector<std::string> Names(const std::vector<Room>& rooms) {
  std::vector<std::string> names;
  for (const Room& room : rooms) names.push_back(room.name);
  return names;
}

class RoomDirectoryTest : public ::testing::Test {
 protected:
  void AddRoom(int n, const std::string& name, Visibility visibility = Visibility::kPublic,
               RoomKind kind = RoomKind::kGroup) {
    Room room{.id = RoomId(n),
              .kind = kind,
              .name = name,
              .visibility = visibility,
              .created_by = kOwner};
    if (kind == RoomKind::kDirect) room.direct_key = absl::StrCat("key", n);
    ASSERT_TRUE(storage_.CreateGroup(room, Membership{.room_id = room.id, .user_id = kOwner}).ok());
  }

  InMemoryChatStorage storage_;
  RoomDirectory directory_{storage_};
};

TEST(ValidateDirectoryInputTest, DefaultsToEveryRoomTwentyAtATime) {
  absl::StatusOr<PublicRoomQuery> query = ValidateDirectoryInput({});
  ASSERT_TRUE(query.ok()) << query.status();
  EXPECT_EQ(query->limit, kDefaultDirectoryLimit);
  EXPECT_FALSE(query->name_contains.has_value());
  EXPECT_FALSE(query->before_id.has_value());
}

TEST(ValidateDirectoryInputTest, TrimsTheFilterAndTreatsBlankAsNone) {
  absl::StatusOr<PublicRoomQuery> query = ValidateDirectoryInput({.q = "  Gen \t"});
  ASSERT_TRUE(query.ok()) << query.status();
  EXPECT_EQ(query->name_contains, "Gen");
  query = ValidateDirectoryInput({.q = " \n "});
  ASSERT_TRUE(query.ok()) << query.status();
  EXPECT_FALSE(query->name_contains.has_value());
}

TEST(ValidateDirectoryInputTest, FilterIsAtMostOneHundredCharactersOfValidUtf8) {
  std::string hundred;
  for (int i = 0; i < 100; ++i) hundred += "é";  // 100 code points, 200 bytes.
  EXPECT_TRUE(ValidateDirectoryInput({.q = hundred}).ok());
  ExpectInvalid(ValidateDirectoryInput({.q = hundred + "x"}).status(), "q");
  ExpectInvalid(ValidateDirectoryInput({.q = "\xff\xfe"}).status(), "q");
  ExpectInvalid(ValidateDirectoryInput({.q = std::string("a\0b", 3)}).status(), "q");
}

TEST(ValidateDirectoryInputTest, LimitIsOneToOneHundred) {
  EXPECT_EQ(ValidateDirectoryInput({.limit = 1})->limit, 1);
  EXPECT_EQ(ValidateDirectoryInput({.limit = 100})->limit, 100);
  ExpectInvalid(ValidateDirectoryInput({.limit = 0}).status(), "limit");
  ExpectInvalid(ValidateDirectoryInput({.limit = 101}).status(), "limit");
  ExpectInvalid(ValidateDirectoryInput({.limit = -5}).status(), "limit");
}

TEST(ValidateDirectoryInputTest, CursorIsARoomIdAndEmptyMeansNone) {
  absl::StatusOr<PublicRoomQuery> query =
      ValidateDirectoryInput({.before = "018F0000-0000-7000-8000-2000000000AB"});
  ASSERT_TRUE(query.ok()) << query.status();
  EXPECT_EQ(query->before_id, "018f0000-0000-7000-8000-2000000000ab");
  EXPECT_FALSE(ValidateDirectoryInput({.before = ""})->before_id.has_value());
  ExpectInvalid(ValidateDirectoryInput({.before = "42"}).status(), "before");
  ExpectInvalid(ValidateDirectoryInput({.before = "' OR 1=1 --"}).status(), "before");
}

TEST_F(RoomDirectoryTest, ListsOnlyPublicGroupRoomsNewestFirst) {
  AddRoom(1, "general");
  AddRoom(2, "secret", Visibility::kPrivate);
  AddRoom(3, "", Visibility::kPrivate, RoomKind::kDirect);
  AddRoom(4, "random");
  absl::StatusOr<PublicRoomPage> page = directory_.ListPublicRooms({});
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(Names(page->rooms), ElementsAre("random", "general"));
  EXPECT_FALSE(page->next_before.has_value());
}

TEST_F(RoomDirectoryTest, PagesWithTheLastRoomAsCursorUntilNoneFollow) {
  for (int n = 1; n <= 5; ++n) AddRoom(n, absl::StrCat("room ", n));
  AddRoom(6, "hidden", Visibility::kPrivate);
  absl::StatusOr<PublicRoomPage> first = directory_.ListPublicRooms({.limit = 2});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_THAT(Names(first->rooms), ElementsAre("room 5", "room 4"));
  EXPECT_EQ(first->next_before, RoomId(4));
  absl::StatusOr<PublicRoomPage> second =
      directory_.ListPublicRooms({.limit = 2, .before = first->next_before});
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_THAT(Names(second->rooms), ElementsAre("room 3", "room 2"));
  absl::StatusOr<PublicRoomPage> last =
      directory_.ListPublicRooms({.limit = 2, .before = second->next_before});
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_THAT(Names(last->rooms), ElementsAre("room 1"));
  EXPECT_FALSE(last->next_before.has_value());
}

TEST_F(RoomDirectoryTest, FiltersByCaseInsensitiveSubstringOfTheName) {
  AddRoom(1, "General chat");
  AddRoom(2, "offtopic");
  AddRoom(3, "generally private", Visibility::kPrivate);
  AddRoom(4, "the GENERAL store");
  absl::StatusOr<PublicRoomPage> page = directory_.ListPublicRooms({.q = "general"});
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(Names(page->rooms), ElementsAre("the GENERAL store", "General chat"));
  page = directory_.ListPublicRooms({.q = "nothing like it"});
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(page->rooms, IsEmpty());
}

TEST_F(RoomDirectoryTest, BadInputNeverReachesStorage) {
  ExpectInvalid(directory_.ListPublicRooms({.limit = 0}).status(), "limit");
  ExpectInvalid(directory_.ListPublicRooms({.before = "not-a-cursor"}).status(), "before");
}

}  // namespace
}  // namespace chatter::chat
