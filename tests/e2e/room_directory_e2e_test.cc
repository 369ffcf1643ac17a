// The public room directory (GET /v1/rooms/public, an extension of API.md) end to end: real
// binaries, HTTP through the gateway. Public rooms only (never private or direct ones), newest
// first with member counts, the case-insensitive name filter, paging with the cursor, 400 naming
// the field for bad input, and GET /v1/rooms/{room_id} still routed beside it.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "tests/e2e/harness/rest_api.h"
#include "tests/e2e/harness/shared_stack_test.h"

namespace chatter::e2e {
namespace {

using nlohmann::json;

// Query-string encoding of `text` (RFC 3986 unreserved characters stay as they are).
std::string UrlEncode(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      absl::StrAppend(&out, "%", absl::Hex(c, absl::kZeroPad2));
    }
  }
  return out;
}

std::string IdOf(const json& room) { return room["id"].get<std::string>(); }

std::vector<std::string> Ids(const json& page) {
  std::vector<std::string> ids;
  for (const json& room : page["rooms"]) ids.push_back(room["id"].get<std::string>());
  return ids;
}

std::string FieldOf(const json& body) {
  if (!body.is_object() || !body.contains("error") || !body["error"].contains("details") ||
      body["error"]["details"].empty()) {
    return "";
  }
  return body["error"]["details"][0].value("field", "");
}

class RoomDirectoryE2eTest : public SharedStackTest {
 protected:
  static void SetUpTestSuite() { StartSharedStack(); }

  // A name part no other test's rooms carry, so a filter on it sees only this test's rooms.
  static std::string Tag(const std::string& test) { return absl::StrCat("dir", test, "x"); }

  static ApiReply List(const ApiUser& user, const std::string& query) {
    return CallApi(port(), "GET", absl::StrCat("/v1/rooms/public", query), user);
  }

  static void ExpectBadField(const ApiReply& reply, const std::string& field) {
    EXPECT_EQ(reply.status, 400) << reply.raw.body;
    EXPECT_EQ(FieldOf(reply.body), field) << reply.raw.body;
  }
};

TEST_F(RoomDirectoryE2eTest, ListsPublicRoomsOnlyNewestFirstWithMemberCounts) {
  ApiUser owner = SignUpUser(port(), "dir_owner");
  ApiUser guest = SignUpUser(port(), "dir_guest");
  const std::string tag = Tag("only");
  json older = CreateRoomAs(port(), owner, tag + " older");
  json secret = CreateRoomAs(port(), owner, tag + " secret", "private");
  json newer = CreateRoomAs(port(), owner, tag + " newer");
  JoinRoomAs(port(), guest, IdOf(older));
  ApiReply direct = CallApi(port(), "POST", "/v1/direct", owner, json{{"user_id", guest.id}});
  ASSERT_EQ(direct.status, 201) << direct.raw.body;

  ApiReply page = List(guest, "?q=" + UrlEncode(tag));
  ASSERT_EQ(page.status, 200) << page.raw.body;
  EXPECT_EQ(Ids(page.body), (std::vector<std::string>{IdOf(newer), IdOf(older)}));
  EXPECT_TRUE(page.body["next_before"].is_null()) << page.raw.body;
  const json& listed_older = page.body["rooms"][1];
  EXPECT_EQ(listed_older["member_count"], 2);
  EXPECT_EQ(listed_older["visibility"], "public");
  EXPECT_EQ(listed_older["kind"], "group");
  EXPECT_EQ(listed_older["name"], tag + " older");
  EXPECT_TRUE(listed_older["unread_count"].is_null());  // Not the caller's room list.

  // Every page of the whole directory: no private or direct room, no room twice.
  std::set<std::string> seen;
  std::string before;
  for (int pages = 0; pages < 100; ++pages) {
    ApiReply all = List(owner, absl::StrCat("?limit=2", before.empty() ? "" : "&before=" + before));
    ASSERT_EQ(all.status, 200) << all.raw.body;
    for (const json& room : all.body["rooms"]) {
      EXPECT_EQ(room["visibility"], "public") << room.dump();
      EXPECT_EQ(room["kind"], "group") << room.dump();
      EXPECT_TRUE(seen.insert(room["id"].get<std::string>()).second) << room.dump();
    }
    if (all.body["next_before"].is_null()) break;
    before = all.body["next_before"].get<std::string>();
  }
  EXPECT_TRUE(seen.count(IdOf(newer)) && seen.count(IdOf(older)));
  EXPECT_FALSE(seen.count(IdOf(secret)));
  EXPECT_FALSE(seen.count(IdOf(direct.body)));
}

TEST_F(RoomDirectoryE2eTest, FiltersByCaseInsensitiveNameSubstring) {
  ApiUser owner = SignUpUser(port(), "dir_filter");
  const std::string tag = Tag("filter");
  json chat = CreateRoomAs(port(), owner, tag + " General Chat");
  json store = CreateRoomAs(port(), owner, tag + " the GENERAL store");
  CreateRoomAs(port(), owner, tag + " general but private", "private");
  json percent = CreateRoomAs(port(), owner, tag + " 100% done");

  ApiReply general = List(owner, "?q=" + UrlEncode(absl::AsciiStrToUpper(tag) + " "));
  ASSERT_EQ(general.status, 200) << general.raw.body;
  EXPECT_EQ(Ids(general.body), (std::vector<std::string>{IdOf(percent), IdOf(store), IdOf(chat)}));
  ApiReply middle = List(owner, "?q=" + UrlEncode("eneRAL"));
  ASSERT_EQ(middle.status, 200) << middle.raw.body;
  std::vector<std::string> ids = Ids(middle.body);
  EXPECT_NE(std::find(ids.begin(), ids.end(), IdOf(chat)), ids.end());
  EXPECT_NE(std::find(ids.begin(), ids.end(), IdOf(store)), ids.end());
  // "%" is a character, not a wildcard.
  ApiReply literal = List(owner, "?q=" + UrlEncode(tag + " 100%"));
  ASSERT_EQ(literal.status, 200) << literal.raw.body;
  EXPECT_EQ(Ids(literal.body), std::vector<std::string>{IdOf(percent)});
  ApiReply none = List(owner, "?q=" + UrlEncode(tag + " nothing like it"));
  ASSERT_EQ(none.status, 200) << none.raw.body;
  EXPECT_TRUE(none.body["rooms"].empty()) << none.raw.body;
  EXPECT_TRUE(none.body["next_before"].is_null()) << none.raw.body;
}

TEST_F(RoomDirectoryE2eTest, PagesWithTheCursorUntilNull) {
  ApiUser owner = SignUpUser(port(), "dir_pages");
  const std::string tag = Tag("pages");
  std::vector<std::string> created;
  for (int i = 1; i <= 5; ++i) {
    created.insert(created.begin(), IdOf(CreateRoomAs(port(), owner, absl::StrCat(tag, " ", i))));
  }
  CreateRoomAs(port(), owner, tag + " hidden", "private");
  std::vector<std::string> listed;
  std::string query = "?limit=2&q=" + UrlEncode(tag);
  ApiReply page = List(owner, query);
  for (int pages = 1; page.status == 200 && pages <= 3; ++pages) {
    std::vector<std::string> ids = Ids(page.body);
    EXPECT_EQ(ids.size(), pages < 3 ? 2u : 1u) << page.raw.body;
    listed.insert(listed.end(), ids.begin(), ids.end());
    if (page.body["next_before"].is_null()) break;
    page =
        List(owner, absl::StrCat(query, "&before=", page.body["next_before"].get<std::string>()));
  }
  ASSERT_EQ(page.status, 200) << page.raw.body;
  EXPECT_TRUE(page.body["next_before"].is_null()) << page.raw.body;
  EXPECT_EQ(listed, created);
}

TEST_F(RoomDirectoryE2eTest, BadInputIsA400NamingTheField) {
  ApiUser user = SignUpUser(port(), "dir_bad");
  ExpectBadField(List(user, "?limit=0"), "limit");
  ExpectBadField(List(user, "?limit=101"), "limit");
  EXPECT_EQ(List(user, "?limit=abc").status, 400);
  ExpectBadField(List(user, "?before=not-a-cursor"), "before");
  ExpectBadField(List(user, "?q=" + std::string(101, 'x')), "q");
  EXPECT_EQ(List(user, "?q=" + std::string(100, 'x')).status, 200);
  EXPECT_EQ(List(user, "?q=%FF").status, 400);  // Not UTF-8.
  EXPECT_EQ(List(user, "?colour=blue").status, 400);
  ApiReply anonymous = CallApi(port(), "GET", "/v1/rooms/public", HttpHeaders{});
  EXPECT_EQ(anonymous.status, 401) << anonymous.raw.body;
}

TEST_F(RoomDirectoryE2eTest, RoomsByIdAreStillRoutedBesideIt) {
  ApiUser owner = SignUpUser(port(), "dir_route");
  json room = CreateRoomAs(port(), owner, Tag("route"));
  ApiReply one = CallApi(port(), "GET", "/v1/rooms/" + IdOf(room), owner);
  EXPECT_EQ(one.status, 200) << one.raw.body;
  EXPECT_EQ(one.body["id"], room["id"]);
  EXPECT_EQ(CallApi(port(), "GET", "/v1/rooms", owner).status, 200);
}

}  // namespace
}  // namespace chatter::e2e
