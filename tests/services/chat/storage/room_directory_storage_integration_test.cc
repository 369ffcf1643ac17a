// The public room directory on a real PostgreSQL (PgRoomRepository::ListPublic behind
// RoomDirectory): only public group rooms, newest first, member counts, the case-insensitive
// name filter taking the user's text literally, and paging that stays stable while rooms are
// created.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/chat/domain/room_directory.h"
#include "tests/services/chat/storage/chat_storage_fixture.h"

namespace chatter::chat {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class RoomDirectoryStorageTest : public ChatStorageIntegrationTest {
 protected:
  Room Create(const std::string& name, const std::string& visibility = "public") {
    absl::StatusOr<Room> room = service_->CreateRoom(kAlice, name, visibility);
    EXPECT_TRUE(room.ok()) << room.status();
    return room.ok() ? *room : Room{};
  }

  PublicRoomPage List(const DirectoryInput& input) {
    absl::StatusOr<PublicRoomPage> page = RoomDirectory(*rooms_).ListPublicRooms(input);
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? *page : PublicRoomPage{};
  }

  static std::vector<std::string> Names(const PublicRoomPage& page) {
    std::vector<std::string> names;
    for (const Room& room : page.rooms) names.push_back(room.name);
    return names;
  }
};

TEST_F(RoomDirectoryStorageTest, OnlyPublicGroupRoomsNewestFirstWithMemberCounts) {
  Room general = Create("general");
  Create("core-team", "private");
  ASSERT_TRUE(service_->OpenDirectRoom(kAlice, kBob).ok());
  Create("random");
  ASSERT_TRUE(service_->JoinRoom(kBob, general.id).ok());
  ASSERT_TRUE(service_->JoinRoom(kCarol, general.id).ok());

  PublicRoomPage page = List({});
  EXPECT_THAT(Names(page), ElementsAre("random", "general"));
  ASSERT_EQ(page.rooms.size(), 2u);
  EXPECT_EQ(page.rooms[1].id, general.id);
  EXPECT_EQ(page.rooms[1].member_count, 3);
  EXPECT_EQ(page.rooms[1].visibility, Visibility::kPublic);
  EXPECT_EQ(page.rooms[0].member_count, 1);
  EXPECT_FALSE(page.next_before.has_value());
}

TEST_F(RoomDirectoryStorageTest, FilterIsACaseInsensitiveSubstringTakenLiterally) {
  Create("General Chat");
  Create("the GENERAL store");
  Create("general but private", "private");
  Create("100% done");
  Create("snake_case");
  EXPECT_THAT(Names(List({.q = "general"})), ElementsAre("the GENERAL store", "General Chat"));
  EXPECT_THAT(Names(List({.q = "GEN"})), ElementsAre("the GENERAL store", "General Chat"));
  // LIKE wildcards and quotes are plain characters here.
  EXPECT_THAT(Names(List({.q = "%"})), ElementsAre("100% done"));
  EXPECT_THAT(Names(List({.q = "e_c"})), ElementsAre("snake_case"));
  EXPECT_THAT(List({.q = "' OR '1'='1"}).rooms, IsEmpty());
  EXPECT_THAT(List({.q = "private"}).rooms, IsEmpty());
}

TEST_F(RoomDirectoryStorageTest, PagesStayStableWhileRoomsAreCreated) {
  for (int i = 1; i <= 5; ++i) Create(absl::StrCat("room ", i));
  Create("room hidden", "private");
  PublicRoomPage first = List({.limit = 2});
  EXPECT_THAT(Names(first), ElementsAre("room 5", "room 4"));
  ASSERT_TRUE(first.next_before.has_value());
  Create("room 6");  // Newer than the cursor: never shifts the pages that follow.
  PublicRoomPage second = List({.limit = 2, .before = first.next_before});
  EXPECT_THAT(Names(second), ElementsAre("room 3", "room 2"));
  PublicRoomPage last = List({.limit = 2, .before = second.next_before});
  EXPECT_THAT(Names(last), ElementsAre("room 1"));
  EXPECT_FALSE(last.next_before.has_value());
  // Paging with a filter pages through the matches only.
  PublicRoomPage filtered = List({.q = "ROOM", .limit = 4});
  EXPECT_THAT(Names(filtered), ElementsAre("room 6", "room 5", "room 4", "room 3"));
  EXPECT_THAT(Names(List({.q = "room", .limit = 4, .before = filtered.next_before})),
              ElementsAre("room 2", "room 1"));
}

TEST_F(RoomDirectoryStorageTest, PagesComeFromThePartialIndex) {
  EXPECT_EQ(Query("SELECT indexdef FROM pg_indexes WHERE indexname = 'rooms_public_idx'"),
            std::vector<std::string>{
                "CREATE INDEX rooms_public_idx ON public.rooms USING btree (id) WHERE ((kind = "
                "'group'::text) AND (visibility = 'public'::text))"});
  // With enough rows that a sequential scan would cost more, the planner walks the index.
  Query(
      "INSERT INTO rooms (id, kind, name, visibility, created_by) SELECT gen_random_uuid(), "
      "'group', 'bulk ' || i, CASE WHEN i % 10 = 0 THEN 'public' ELSE 'private' END, "
      "gen_random_uuid() FROM generate_series(1, 20000) i RETURNING 1");
  Query("ANALYZE rooms");
  std::vector<std::string> plan = Query(
      "EXPLAIN SELECT id FROM rooms r WHERE r.kind = 'group' AND r.visibility = 'public' "
      "ORDER BY r.id DESC LIMIT 21");
  std::string text = absl::StrJoin(plan, "\n");
  EXPECT_NE(text.find("rooms_public_idx"), std::string::npos) << text;
}

}  // namespace
}  // namespace chatter::chat
