// Rooms, Messages and Contacts sections of API.md (issue 4), end to end: real binaries, HTTP
// through the gateway as a web client would, every route and every error case the contract lists
// (errors per chat.proto where API.md is silent; HTTP statuses per API.md's table).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <source_location>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/harness/http_client.h"
#include "tests/e2e/harness/shared_stack_test.h"

namespace chatter::e2e {
namespace {

using nlohmann::json;

const std::regex kRfc3339Millis(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");
const std::regex kUuid(R"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})");
// Well-formed ids of nothing.
const std::string kNoSuchId = "01890000-0000-7000-8000-00000000beef";
const std::string kMalformedId = "not-a-uuid";

struct Reply {
  int status;
  json body;
  HttpReply raw;
};

struct User {
  std::string id;
  std::string username;
  std::string email;
  std::string token;
  HttpHeaders auth() const { return {{"Authorization", "Bearer " + token}}; }
};

// `s` repeated `n` times (for multi-byte characters).
std::string Repeat(const std::string& s, int n) {
  std::string out;
  out.reserve(s.size() * static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

bool IsTimestamp(const json& value) {
  return value.is_string() && std::regex_match(value.get<std::string>(), kRfc3339Millis);
}

bool IsUuid(const json& value) {
  return value.is_string() && std::regex_match(value.get<std::string>(), kUuid);
}

class ChatE2eTest : public SharedStackTest {
 protected:
  // Small, so the report rate limit is reached quickly.
  static constexpr int kReportsPerDay = 3;

  static void SetUpTestSuite() {
    StartSharedStack({.env = {{Component::kChat,
                               {{"CHATTER_REPORTS_PER_DAY", std::to_string(kReportsPerDay)}}}}});
  }

  static Reply CallRaw(const std::string& method, const std::string& target,
                       const std::string& payload, HttpHeaders headers) {
    if (!payload.empty()) headers.emplace_back("Content-Type", "application/json");
    absl::StatusOr<HttpReply> reply = HttpRequest(method, port(), target, headers, payload);
    EXPECT_TRUE(reply.ok()) << reply.status();
    if (!reply.ok()) return {0, nullptr, {}};
    json parsed = json::parse(reply->body, nullptr, /*allow_exceptions=*/false);
    return {reply->status, parsed, *reply};
  }

  static Reply Call(const std::string& method, const std::string& target, const User& user,
                    const json& body = nullptr) {
    return CallRaw(method, target, body.is_null() ? "" : body.dump(), user.auth());
  }

  // A fresh account; names get a suite-wide counter so no two tests share a user.
  static User NewUser(const std::string& prefix) {
    static std::atomic<int> counter{0};
    std::string name = prefix + "_" + std::to_string(++counter);
    Reply reply = CallRaw(
        "POST", "/v1/auth/signup",
        json{{"username", name}, {"email", name + "@example.com"}, {"password", "correct horse"}}
            .dump(),
        {});
    EXPECT_EQ(reply.status, 201) << reply.raw.body;
    if (reply.status != 201) return {};
    return {reply.body["user"]["id"].get<std::string>(), name, name + "@example.com",
            reply.body["access_token"].get<std::string>()};
  }

  static std::string FieldOf(const json& body) {
    if (!body.is_object() || !body.contains("error") || !body["error"].contains("details") ||
        !body["error"]["details"].is_array() || body["error"]["details"].empty()) {
      return "";
    }
    return body["error"]["details"][0].value("field", "");
  }
  static std::string CodeOf(const json& body) {
    if (!body.is_object() || !body.contains("error")) return "";
    return body["error"].value("code", "");
  }

  // A room created by `owner`; its JSON.
  static json CreateRoom(const User& owner, const std::string& name,
                         const std::string& visibility = "") {
    json body = {{"name", name}};
    if (!visibility.empty()) body["visibility"] = visibility;
    Reply reply = Call("POST", "/v1/rooms", owner, body);
    EXPECT_EQ(reply.status, 201) << reply.raw.body;
    return reply.body;
  }

  static std::string Rooms(const json& room) {
    return "/v1/rooms/" + room.value("id", std::string("missing"));
  }

  static json Send(const User& sender, const json& room, const std::string& content,
                   const std::string& client_msg_id = "") {
    json body = {{"content", content}};
    if (!client_msg_id.empty()) body["client_msg_id"] = client_msg_id;
    Reply reply = Call("POST", Rooms(room) + "/messages", sender, body);
    EXPECT_EQ(reply.status, 201) << reply.raw.body;
    return reply.body;
  }

  // The caller's entry for `room` in GET /v1/rooms, or null.
  static json RoomInList(const User& user, const json& room) {
    Reply list = Call("GET", "/v1/rooms", user);
    EXPECT_EQ(list.status, 200) << list.raw.body;
    if (!list.body.is_object() || !list.body["rooms"].is_array()) return nullptr;
    for (const json& entry : list.body["rooms"]) {
      if (entry["id"] == room["id"]) return entry;
    }
    return nullptr;
  }

  static std::vector<int64_t> Seqs(const json& messages) {
    std::vector<int64_t> seqs;
    if (!messages.is_array()) return seqs;
    for (const json& message : messages) seqs.push_back(message.value("seq", int64_t{-1}));
    return seqs;
  }

  static std::vector<std::string> MemberIds(const User& viewer, const json& room) {
    Reply reply = Call("GET", Rooms(room) + "/members", viewer);
    EXPECT_EQ(reply.status, 200) << reply.raw.body;
    std::vector<std::string> ids;
    if (!reply.body.is_object() || !reply.body["members"].is_array()) return ids;
    for (const json& member : reply.body["members"]) {
      ids.push_back(member.value("user_id", std::string()));
    }
    return ids;
  }

  // Failures name the caller's line.
  static void ExpectError(const Reply& reply, int status, const std::string& code,
                          const std::string& field = "",
                          std::source_location where = std::source_location::current()) {
    ::testing::ScopedTrace trace(where.file_name(), static_cast<int>(where.line()), "called here");
    EXPECT_EQ(reply.status, status) << reply.raw.body;
    EXPECT_EQ(CodeOf(reply.body), code) << reply.raw.body;
    if (!field.empty()) {
      EXPECT_EQ(FieldOf(reply.body), field) << reply.raw.body;
    }
    EXPECT_TRUE(reply.body.is_object() && reply.body.contains("request_id")) << reply.raw.body;
    // No internals in client-facing errors.
    for (const char* leak : {"SELECT", "INSERT", "postgres", "127.0.0.1", "sqlstate"}) {
      EXPECT_EQ(reply.raw.body.find(leak), std::string::npos) << reply.raw.body;
    }
  }
};

// ---------------------------------------------------------------------------------------------
// Rooms

TEST_F(ChatE2eTest, CreateRoomAnswers201WithTheRoom) {
  User alice = NewUser("create_room");
  Reply reply = Call("POST", "/v1/rooms", alice, {{"name", "General"}});
  ASSERT_EQ(reply.status, 201) << reply.raw.body;
  const json& room = reply.body;
  EXPECT_TRUE(IsUuid(room["id"])) << room;
  EXPECT_EQ(room["name"], "General");
  EXPECT_EQ(room["kind"], "group");
  EXPECT_EQ(room["visibility"], "public");  // The default.
  EXPECT_EQ(room["created_by"], alice.id);
  EXPECT_TRUE(IsTimestamp(room["created_at"])) << room["created_at"];
  EXPECT_EQ(room["member_count"], 1);
  EXPECT_EQ(room["last_seq"], 0);

  Reply secret = Call("POST", "/v1/rooms", alice, {{"name", "Secret"}, {"visibility", "private"}});
  ASSERT_EQ(secret.status, 201) << secret.raw.body;
  EXPECT_EQ(secret.body["visibility"], "private");
  EXPECT_EQ(secret.body["kind"], "group");
  EXPECT_NE(secret.body["id"], room["id"]);

  // The creator is the owner.
  Reply members = Call("GET", Rooms(room) + "/members", alice);
  ASSERT_EQ(members.status, 200) << members.raw.body;
  ASSERT_EQ(members.body["members"].size(), 1u);
  EXPECT_EQ(members.body["members"][0]["user_id"], alice.id);
  EXPECT_EQ(members.body["members"][0]["role"], "owner");
}

TEST_F(ChatE2eTest, CreateRoomValidationIs400NamingTheField) {
  User alice = NewUser("create_invalid");
  ExpectError(Call("POST", "/v1/rooms", alice, {{"name", "x"}, {"visibility", "secret"}}), 400,
              "invalid_argument", "visibility");
  ExpectError(Call("POST", "/v1/rooms", alice, json::object()), 400, "invalid_argument", "name");
  ExpectError(Call("POST", "/v1/rooms", alice, {{"name", ""}}), 400, "invalid_argument", "name");
  ExpectError(Call("POST", "/v1/rooms", alice, {{"name", " \t "}}), 400, "invalid_argument",
              "name");
  ExpectError(Call("POST", "/v1/rooms", alice, {{"name", std::string(101, 'n')}}), 400,
              "invalid_argument", "name");
  EXPECT_EQ(Call("POST", "/v1/rooms", alice, {{"name", 5}}).status, 400);
  // Nothing was created by the refused calls.
  Reply list = Call("GET", "/v1/rooms", alice);
  ASSERT_EQ(list.status, 200) << list.raw.body;
  EXPECT_EQ(list.body["rooms"], json::array());
}

TEST_F(ChatE2eTest, ListRoomsHasOnlyMyRoomsWithUnreadCountAndLastMessage) {
  User alice = NewUser("list_alice");
  User bob = NewUser("list_bob");
  json mine = CreateRoom(alice, "Alice's");
  json theirs = CreateRoom(bob, "Bob's");
  json quiet = CreateRoom(alice, "Quiet", "private");

  Reply alice_list = Call("GET", "/v1/rooms", alice);
  ASSERT_EQ(alice_list.status, 200) << alice_list.raw.body;
  std::set<std::string> ids;
  for (const json& room : alice_list.body["rooms"]) ids.insert(room["id"].get<std::string>());
  EXPECT_EQ(ids,
            (std::set<std::string>{mine["id"].get<std::string>(), quiet["id"].get<std::string>()}));

  json empty = RoomInList(alice, quiet);
  ASSERT_TRUE(empty.is_object());
  EXPECT_EQ(empty["name"], "Quiet");
  EXPECT_EQ(empty["kind"], "group");
  EXPECT_EQ(empty["unread_count"], 0);
  EXPECT_TRUE(empty["last_message"].is_null()) << empty;

  ASSERT_EQ(Call("POST", Rooms(mine) + "/join", bob).status, 200);
  Send(alice, mine, "one");
  Send(alice, mine, "two");
  json third = Send(alice, mine, "three");

  json bob_view = RoomInList(bob, mine);
  ASSERT_TRUE(bob_view.is_object()) << "bob's list lacks the joined room";
  EXPECT_EQ(bob_view["unread_count"], 3);
  EXPECT_EQ(bob_view["last_seq"], 3);
  EXPECT_EQ(bob_view["member_count"], 2);
  EXPECT_EQ(bob_view["last_message"]["id"], third["id"]);
  EXPECT_EQ(bob_view["last_message"]["content"], "three");
  EXPECT_EQ(bob_view["last_message"]["seq"], 3);
  EXPECT_TRUE(RoomInList(bob, theirs).is_object());
  // A sender has read what they sent.
  EXPECT_EQ(RoomInList(alice, mine)["unread_count"], 0);

  EXPECT_EQ(Call("POST", Rooms(mine) + "/read", bob, {{"seq", 2}}).status, 204);
  EXPECT_EQ(RoomInList(bob, mine)["unread_count"], 1);
  Reply back = Call("POST", Rooms(mine) + "/read", bob, {{"seq", 1}});
  EXPECT_EQ(back.status, 204) << back.raw.body;
  EXPECT_EQ(RoomInList(bob, mine)["unread_count"], 1);  // Forward only.
  EXPECT_EQ(Call("POST", Rooms(mine) + "/read", bob, {{"seq", 3}}).status, 204);
  EXPECT_EQ(RoomInList(bob, mine)["unread_count"], 0);

  Send(alice, mine, "four");
  EXPECT_EQ(RoomInList(bob, mine)["unread_count"], 1);
  EXPECT_EQ(RoomInList(bob, mine)["last_message"]["content"], "four");
}

TEST_F(ChatE2eTest, GetRoomForMembersOrAnyoneWhenPublic) {
  User owner = NewUser("get_owner");
  User stranger = NewUser("get_stranger");
  json open = CreateRoom(owner, "Open");
  json closed = CreateRoom(owner, "Closed", "private");

  Reply by_owner = Call("GET", Rooms(open), owner);
  ASSERT_EQ(by_owner.status, 200) << by_owner.raw.body;
  for (const char* key : {"id", "name", "kind", "visibility", "created_by", "created_at",
                          "member_count", "last_seq"}) {
    EXPECT_EQ(by_owner.body[key], open[key]) << key;
  }
  Reply public_read = Call("GET", Rooms(open), stranger);
  EXPECT_EQ(public_read.status, 200) << public_read.raw.body;
  EXPECT_EQ(public_read.body["id"], open["id"]);
  EXPECT_EQ(Call("GET", Rooms(closed), owner).status, 200);
  ExpectError(Call("GET", Rooms(closed), stranger), 403, "permission_denied");
  ExpectError(Call("GET", "/v1/rooms/" + kNoSuchId, owner), 404, "not_found");
  ExpectError(Call("GET", "/v1/rooms/" + kMalformedId, owner), 400, "invalid_argument", "room_id");
}

TEST_F(ChatE2eTest, JoinPublicRoomIsIdempotentPrivateIs403) {
  User owner = NewUser("join_owner");
  User bob = NewUser("join_bob");
  json open = CreateRoom(owner, "Joinable");
  json closed = CreateRoom(owner, "Invite only", "private");

  Reply first = Call("POST", Rooms(open) + "/join", bob);
  ASSERT_EQ(first.status, 200) << first.raw.body;
  EXPECT_EQ(first.body["id"], open["id"]);
  EXPECT_EQ(first.body["member_count"], 2);
  Reply again = Call("POST", Rooms(open) + "/join", bob);
  EXPECT_EQ(again.status, 200) << again.raw.body;
  EXPECT_EQ(again.body["member_count"], 2);
  EXPECT_EQ(MemberIds(owner, open), (std::vector<std::string>{owner.id, bob.id}));
  // The owner joining their own room changes nothing either.
  EXPECT_EQ(Call("POST", Rooms(open) + "/join", owner).status, 200);
  EXPECT_EQ(Call("GET", Rooms(open), owner).body["member_count"], 2);

  ExpectError(Call("POST", Rooms(closed) + "/join", bob), 403, "permission_denied");
  EXPECT_EQ(MemberIds(owner, closed), (std::vector<std::string>{owner.id}));
  ExpectError(Call("POST", "/v1/rooms/" + kNoSuchId + "/join", bob), 404, "not_found");
  ExpectError(Call("POST", "/v1/rooms/" + kMalformedId + "/join", bob), 400, "invalid_argument",
              "room_id");
}

TEST_F(ChatE2eTest, LeaveRoomIs204) {
  User owner = NewUser("leave_owner");
  User bob = NewUser("leave_bob");
  json room = CreateRoom(owner, "Leavable");
  ASSERT_EQ(Call("POST", Rooms(room) + "/join", bob).status, 200);
  ASSERT_TRUE(RoomInList(bob, room).is_object());

  Reply left = Call("POST", Rooms(room) + "/leave", bob);
  EXPECT_EQ(left.status, 204) << left.raw.body;
  EXPECT_TRUE(left.raw.body.empty());
  EXPECT_EQ(MemberIds(owner, room), (std::vector<std::string>{owner.id}));
  EXPECT_TRUE(RoomInList(bob, room).is_null());
  EXPECT_EQ(Call("GET", Rooms(room), owner).body["member_count"], 1);
  EXPECT_EQ(Call("GET", Rooms(room), bob).status, 200);  // Still a public room to read.
  // Not being a member any more is fine (chat.proto: idempotent).
  EXPECT_EQ(Call("POST", Rooms(room) + "/leave", bob).status, 204);
  ExpectError(Call("POST", "/v1/rooms/" + kNoSuchId + "/leave", bob), 404, "not_found");
  ExpectError(Call("POST", "/v1/rooms/" + kMalformedId + "/leave", bob), 400, "invalid_argument",
              "room_id");
}

TEST_F(ChatE2eTest, WhenTheOwnerLeavesTheEarliestMemberOwnsTheRoom) {
  User owner = NewUser("handover_owner");
  User bob = NewUser("handover_bob");
  User carol = NewUser("handover_carol");
  json room = CreateRoom(owner, "Handover", "private");
  ASSERT_EQ(Call("POST", Rooms(room) + "/members", owner, {{"user_id", bob.id}}).status, 201);
  ASSERT_EQ(Call("POST", Rooms(room) + "/members", owner, {{"user_id", carol.id}}).status, 201);
  EXPECT_EQ(Call("POST", Rooms(room) + "/leave", owner).status, 204);
  Reply members = Call("GET", Rooms(room) + "/members", bob);
  ASSERT_EQ(members.status, 200) << members.raw.body;
  ASSERT_EQ(members.body["members"].size(), 2u) << members.raw.body;
  EXPECT_EQ(members.body["members"][0]["user_id"], bob.id);
  EXPECT_EQ(members.body["members"][0]["role"], "owner");
  EXPECT_EQ(members.body["members"][1]["role"], "member");
  // The new owner may do what owners do.
  EXPECT_EQ(Call("POST", Rooms(room) + "/members", bob, {{"user_id", owner.id}}).status, 201);
  EXPECT_EQ(Call("DELETE", Rooms(room) + "/members/" + carol.id, bob).status, 204);
}

TEST_F(ChatE2eTest, MembersListShape) {
  User owner = NewUser("members_owner");
  User bob = NewUser("members_bob");
  User stranger = NewUser("members_stranger");
  json open = CreateRoom(owner, "Members");
  json closed = CreateRoom(owner, "Members private", "private");
  ASSERT_EQ(Call("POST", Rooms(open) + "/join", bob).status, 200);

  Reply reply = Call("GET", Rooms(open) + "/members", stranger);  // Public: anyone may read.
  ASSERT_EQ(reply.status, 200) << reply.raw.body;
  const json& members = reply.body["members"];
  ASSERT_EQ(members.size(), 2u) << reply.raw.body;
  EXPECT_EQ(members[0]["user_id"], owner.id);  // Earliest joined first.
  EXPECT_EQ(members[0]["username"], owner.username);
  EXPECT_EQ(members[0]["role"], "owner");
  EXPECT_TRUE(IsTimestamp(members[0]["joined_at"])) << members[0];
  EXPECT_EQ(members[1]["user_id"], bob.id);
  EXPECT_EQ(members[1]["username"], bob.username);
  EXPECT_EQ(members[1]["role"], "member");
  EXPECT_TRUE(IsTimestamp(members[1]["joined_at"])) << members[1];
  EXPECT_LE(members[0]["joined_at"].get<std::string>(), members[1]["joined_at"].get<std::string>());

  ExpectError(Call("GET", Rooms(closed) + "/members", stranger), 403, "permission_denied");
  ExpectError(Call("GET", "/v1/rooms/" + kNoSuchId + "/members", owner), 404, "not_found");
  ExpectError(Call("GET", "/v1/rooms/" + kMalformedId + "/members", owner), 400, "invalid_argument",
              "room_id");
}

TEST_F(ChatE2eTest, OwnerAddsMembersToPrivateRoomsPlainMembersCannot) {
  User owner = NewUser("add_owner");
  User bob = NewUser("add_bob");
  User carol = NewUser("add_carol");
  json room = CreateRoom(owner, "Private club", "private");
  ExpectError(Call("GET", Rooms(room) + "/messages", bob), 403, "permission_denied");

  Reply added = Call("POST", Rooms(room) + "/members", owner, {{"user_id", bob.id}});
  ASSERT_EQ(added.status, 201) << added.raw.body;
  EXPECT_EQ(added.body["user_id"], bob.id);
  EXPECT_EQ(added.body["username"], bob.username);
  EXPECT_EQ(added.body["role"], "member");
  EXPECT_TRUE(IsTimestamp(added.body["joined_at"])) << added.body;
  // Bob now reads the room and its history, and has it in his list.
  EXPECT_EQ(Call("GET", Rooms(room), bob).status, 200);
  EXPECT_EQ(Call("GET", Rooms(room) + "/messages", bob).status, 200);
  EXPECT_TRUE(RoomInList(bob, room).is_object());
  EXPECT_EQ(Call("GET", Rooms(room), owner).body["member_count"], 2);
  // Adding an existing member answers that member (chat.proto: 200, not a second 201).
  Reply repeat = Call("POST", Rooms(room) + "/members", owner, {{"user_id", bob.id}});
  EXPECT_EQ(repeat.status, 200) << repeat.raw.body;
  EXPECT_EQ(repeat.body["user_id"], bob.id);

  // A plain member may not add anyone.
  ExpectError(Call("POST", Rooms(room) + "/members", bob, {{"user_id", carol.id}}), 403,
              "permission_denied");
  // Nor may an outsider.
  ExpectError(Call("POST", Rooms(room) + "/members", carol, {{"user_id", carol.id}}), 403,
              "permission_denied");
  EXPECT_EQ(MemberIds(owner, room), (std::vector<std::string>{owner.id, bob.id}));

  ExpectError(Call("POST", Rooms(room) + "/members", owner, {{"user_id", kNoSuchId}}), 404,
              "not_found");
  ExpectError(Call("POST", Rooms(room) + "/members", owner, {{"user_id", kMalformedId}}), 400,
              "invalid_argument", "user_id");
  ExpectError(Call("POST", Rooms(room) + "/members", owner, json::object()), 400,
              "invalid_argument", "user_id");
  ExpectError(Call("POST", "/v1/rooms/" + kNoSuchId + "/members", owner, {{"user_id", bob.id}}),
              404, "not_found");
  ExpectError(Call("POST", "/v1/rooms/" + kMalformedId + "/members", owner, {{"user_id", bob.id}}),
              400, "invalid_argument", "room_id");
}

TEST_F(ChatE2eTest, RemoveMemberByOwnerOrSelfNotByPlainMember) {
  User owner = NewUser("remove_owner");
  User bob = NewUser("remove_bob");
  User carol = NewUser("remove_carol");
  User dave = NewUser("remove_dave");
  json room = CreateRoom(owner, "Removals", "private");
  for (const User* user : {&bob, &carol, &dave}) {
    ASSERT_EQ(Call("POST", Rooms(room) + "/members", owner, {{"user_id", user->id}}).status, 201);
  }

  // A plain member removing another: 403, nothing changes.
  ExpectError(Call("DELETE", Rooms(room) + "/members/" + dave.id, carol), 403, "permission_denied");
  ExpectError(Call("DELETE", Rooms(room) + "/members/" + owner.id, carol), 403,
              "permission_denied");
  EXPECT_EQ(MemberIds(owner, room).size(), 4u);

  Reply removed = Call("DELETE", Rooms(room) + "/members/" + bob.id, owner);
  EXPECT_EQ(removed.status, 204) << removed.raw.body;
  EXPECT_TRUE(removed.raw.body.empty());
  ExpectError(Call("GET", Rooms(room), bob), 403, "permission_denied");  // Private: out is out.
  EXPECT_TRUE(RoomInList(bob, room).is_null());

  // Self = leave.
  Reply self = Call("DELETE", Rooms(room) + "/members/" + carol.id, carol);
  EXPECT_EQ(self.status, 204) << self.raw.body;
  EXPECT_EQ(MemberIds(owner, room), (std::vector<std::string>{owner.id, dave.id}));
  EXPECT_EQ(Call("GET", Rooms(room), owner).body["member_count"], 2);

  ExpectError(Call("DELETE", Rooms(room) + "/members/" + bob.id, owner), 404, "not_found");
  ExpectError(Call("DELETE", "/v1/rooms/" + kNoSuchId + "/members/" + dave.id, owner), 404,
              "not_found");
  ExpectError(Call("DELETE", Rooms(room) + "/members/" + kMalformedId, owner), 400,
              "invalid_argument", "user_id");
  ExpectError(Call("DELETE", "/v1/rooms/" + kMalformedId + "/members/" + dave.id, owner), 400,
              "invalid_argument", "room_id");
}

TEST_F(ChatE2eTest, DirectRoomIsCreatedOnceAndSharedByBothSides) {
  User alice = NewUser("direct_alice");
  User bob = NewUser("direct_bob");
  User eve = NewUser("direct_eve");

  Reply first = Call("POST", "/v1/direct", alice, {{"user_id", bob.id}});
  ASSERT_EQ(first.status, 201) << first.raw.body;
  const json& room = first.body;
  EXPECT_TRUE(IsUuid(room["id"]));
  EXPECT_EQ(room["kind"], "direct");
  EXPECT_EQ(room["name"], "");
  EXPECT_EQ(room["visibility"], "private");
  EXPECT_EQ(room["member_count"], 2);
  EXPECT_EQ(room["last_seq"], 0);
  EXPECT_EQ(room["created_by"], alice.id);
  EXPECT_TRUE(IsTimestamp(room["created_at"]));

  Reply again = Call("POST", "/v1/direct", alice, {{"user_id", bob.id}});
  EXPECT_EQ(again.status, 200) << again.raw.body;
  EXPECT_EQ(again.body["id"], room["id"]);
  Reply other_side = Call("POST", "/v1/direct", bob, {{"user_id", alice.id}});
  EXPECT_EQ(other_side.status, 200) << other_side.raw.body;
  EXPECT_EQ(other_side.body["id"], room["id"]);
  EXPECT_EQ(other_side.body["kind"], "direct");

  std::vector<std::string> members = MemberIds(alice, room);
  EXPECT_EQ(std::set<std::string>(members.begin(), members.end()),
            (std::set<std::string>{alice.id, bob.id}));
  EXPECT_TRUE(RoomInList(alice, room).is_object());
  EXPECT_TRUE(RoomInList(bob, room).is_object());

  // Both talk in it; nobody else reads or joins it.
  Send(alice, room, "hi bob");
  Send(bob, room, "hi alice");
  ExpectError(Call("GET", Rooms(room), eve), 403, "permission_denied");
  ExpectError(Call("GET", Rooms(room) + "/messages", eve), 403, "permission_denied");
  ExpectError(Call("POST", Rooms(room) + "/join", eve), 403, "permission_denied");
  ExpectError(Call("POST", Rooms(room) + "/messages", eve, {{"content", "let me in"}}), 403,
              "permission_denied");
  // Direct rooms have exactly two members: no adding, no leaving (chat.proto:
  // FAILED_PRECONDITION, 400 by API.md's table). Both members of a direct room are plain
  // "member"s, so refusing the add for the caller's role (403) is as right as for the kind.
  Reply add = Call("POST", Rooms(room) + "/members", alice, {{"user_id", eve.id}});
  EXPECT_TRUE((add.status == 400 && CodeOf(add.body) == "failed_precondition") ||
              (add.status == 403 && CodeOf(add.body) == "permission_denied"))
      << add.raw.body;
  ExpectError(Call("POST", Rooms(room) + "/leave", alice), 400, "failed_precondition");
  EXPECT_EQ(Call("GET", Rooms(room), alice).body["member_count"], 2);
  // A different pair is a different room.
  Reply with_eve = Call("POST", "/v1/direct", alice, {{"user_id", eve.id}});
  EXPECT_EQ(with_eve.status, 201) << with_eve.raw.body;
  EXPECT_NE(with_eve.body["id"], room["id"]);
}

TEST_F(ChatE2eTest, DirectRoomErrors) {
  User alice = NewUser("direct_err");
  ExpectError(Call("POST", "/v1/direct", alice, {{"user_id", alice.id}}), 400, "invalid_argument",
              "user_id");
  ExpectError(Call("POST", "/v1/direct", alice, {{"user_id", kNoSuchId}}), 404, "not_found");
  ExpectError(Call("POST", "/v1/direct", alice, {{"user_id", kMalformedId}}), 400,
              "invalid_argument", "user_id");
  ExpectError(Call("POST", "/v1/direct", alice, json::object()), 400, "invalid_argument",
              "user_id");
  Reply list = Call("GET", "/v1/rooms", alice);
  EXPECT_EQ(list.body["rooms"], json::array()) << list.raw.body;
}

TEST_F(ChatE2eTest, ConcurrentDirectOpensConvergeOnOneRoom) {
  User alice = NewUser("direct_race_a");
  User bob = NewUser("direct_race_b");
  constexpr int kCallers = 6;
  std::vector<Reply> replies(kCallers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCallers; ++i) {
    threads.emplace_back([&, i] {
      const User& me = i % 2 == 0 ? alice : bob;
      const User& other = i % 2 == 0 ? bob : alice;
      replies[i] = Call("POST", "/v1/direct", me, {{"user_id", other.id}});
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::set<std::string> ids;
  int created = 0;
  for (const Reply& reply : replies) {
    EXPECT_TRUE(reply.status == 200 || reply.status == 201) << reply.raw.body;
    if (reply.status == 201) ++created;
    ids.insert(reply.body.value("id", std::string()));
  }
  EXPECT_EQ(ids.size(), 1u);
  EXPECT_EQ(created, 1);
}

// ---------------------------------------------------------------------------------------------
// Messages

TEST_F(ChatE2eTest, SendMessageAnswers201WithTheMessage) {
  User alice = NewUser("send_alice");
  json room = CreateRoom(alice, "Messages");
  Reply reply = Call("POST", Rooms(room) + "/messages", alice,
                     {{"content", "  hello world \n"}, {"client_msg_id", "c-1"}});
  ASSERT_EQ(reply.status, 201) << reply.raw.body;
  const json& message = reply.body;
  EXPECT_TRUE(IsUuid(message["id"])) << message;
  EXPECT_EQ(message["room_id"], room["id"]);
  EXPECT_EQ(message["seq"], 1);
  EXPECT_EQ(message["sender_id"], alice.id);
  EXPECT_EQ(message["content"], "hello world");  // Trimmed.
  EXPECT_EQ(message["attachments"], json::array());
  EXPECT_EQ(message["client_msg_id"], "c-1");
  EXPECT_EQ(message["status"], "sent");
  EXPECT_TRUE(IsTimestamp(message["created_at"])) << message;
  EXPECT_EQ(message["updated_at"], message["created_at"]);
  EXPECT_EQ(message["edited"], false);
  EXPECT_EQ(message["deleted"], false);

  Reply plain = Call("POST", Rooms(room) + "/messages", alice, {{"content", "second"}});
  ASSERT_EQ(plain.status, 201) << plain.raw.body;
  EXPECT_EQ(plain.body["seq"], 2);
  EXPECT_EQ(plain.body["client_msg_id"], "");
  EXPECT_EQ(Call("GET", Rooms(room), alice).body["last_seq"], 2);

  Reply history = Call("GET", Rooms(room) + "/messages", alice);
  ASSERT_EQ(history.status, 200) << history.raw.body;
  ASSERT_EQ(history.body["messages"].size(), 2u);
  EXPECT_EQ(history.body["messages"][1], message);  // History shows exactly what send answered.
}

TEST_F(ChatE2eTest, SendMessageWithAttachments) {
  User alice = NewUser("attach_alice");
  json room = CreateRoom(alice, "Attachments");
  json attachment = {{"url", "https://cdn.example.com/a/cat.png"},
                     {"content_type", "image/png"},
                     {"size_bytes", 1234},
                     {"name", "cat.png"}};
  Reply reply = Call("POST", Rooms(room) + "/messages", alice,
                     {{"content", "look"}, {"attachments", json::array({attachment})}});
  ASSERT_EQ(reply.status, 201) << reply.raw.body;
  EXPECT_EQ(reply.body["attachments"], json::array({attachment}));
  json bad = attachment;
  bad["url"] = "javascript:alert(1)";
  Reply refused = Call("POST", Rooms(room) + "/messages", alice,
                       {{"content", "bad"}, {"attachments", json::array({bad})}});
  EXPECT_EQ(refused.status, 400) << refused.raw.body;
  EXPECT_EQ(FieldOf(refused.body).rfind("attachments", 0), 0u) << refused.raw.body;
}

TEST_F(ChatE2eTest, ContentIsOneTo4000CodePointsAfterTrimming) {
  User alice = NewUser("content_alice");
  json room = CreateRoom(alice, "Lengths");
  const std::string target = Rooms(room) + "/messages";
  ExpectError(Call("POST", target, alice, {{"content", ""}}), 400, "invalid_argument", "content");
  ExpectError(Call("POST", target, alice, {{"content", " \t\n  "}}), 400, "invalid_argument",
              "content");
  // U+3000 IDEOGRAPHIC SPACE is white space too.
  ExpectError(Call("POST", target, alice, {{"content", "\u3000 \u3000"}}), 400, "invalid_argument",
              "content");
  ExpectError(Call("POST", target, alice, json::object()), 400, "invalid_argument", "content");

  // Counted in code points, not bytes: 4000 two-byte and 4000 four-byte characters fit.
  std::string e_acute = Repeat("\xC3\xA9", 4000);
  Reply two_byte = Call("POST", target, alice, {{"content", "  " + e_acute + "  "}});
  ASSERT_EQ(two_byte.status, 201) << two_byte.raw.body.substr(0, 300);
  EXPECT_EQ(two_byte.body["content"], e_acute);
  std::string emoji = Repeat("\xF0\x9F\x98\x80", 4000);
  Reply four_byte = Call("POST", target, alice, {{"content", emoji}});
  ASSERT_EQ(four_byte.status, 201) << four_byte.raw.body.substr(0, 300);
  EXPECT_EQ(four_byte.body["content"], emoji);
  ExpectError(Call("POST", target, alice, {{"content", e_acute + "\xC3\xA9"}}), 400,
              "invalid_argument", "content");
  ExpectError(Call("POST", target, alice, {{"content", std::string(4001, 'a')}}), 400,
              "invalid_argument", "content");

  // Invalid UTF-8 (a lone continuation byte, an overlong slash, a truncated sequence).
  for (const std::string& bad :
       {std::string("\x80"), std::string("\xC0\xAF"), std::string("ok \xE2\x82")}) {
    Reply reply = CallRaw("POST", target, "{\"content\":\"" + bad + "\"}", alice.auth());
    EXPECT_EQ(reply.status, 400) << reply.raw.body;
    EXPECT_EQ(CodeOf(reply.body), "invalid_argument") << reply.raw.body;
  }
  // The refused sends took no seq.
  EXPECT_EQ(Call("GET", Rooms(room), alice).body["last_seq"], 2);
}

TEST_F(ChatE2eTest, RepeatedClientMsgIdReturnsTheFirstMessage) {
  User alice = NewUser("idem_alice");
  User bob = NewUser("idem_bob");
  json room = CreateRoom(alice, "Idempotent");
  ASSERT_EQ(Call("POST", Rooms(room) + "/join", bob).status, 200);
  const std::string target = Rooms(room) + "/messages";

  Reply first = Call("POST", target, alice, {{"content", "once"}, {"client_msg_id", "k-1"}});
  ASSERT_EQ(first.status, 201) << first.raw.body;
  Reply repeat = Call("POST", target, alice, {{"content", "once"}, {"client_msg_id", "k-1"}});
  EXPECT_EQ(repeat.status, 200) << repeat.raw.body;
  EXPECT_EQ(repeat.body, first.body);
  // Even with other content, the key wins: the first message comes back.
  Reply changed = Call("POST", target, alice, {{"content", "twice?"}, {"client_msg_id", "k-1"}});
  EXPECT_EQ(changed.status, 200) << changed.raw.body;
  EXPECT_EQ(changed.body["id"], first.body["id"]);
  EXPECT_EQ(changed.body["content"], "once");
  EXPECT_EQ(Call("GET", Rooms(room), alice).body["last_seq"], 1);  // No new seq.

  // Another sender's key is theirs; another key is another message.
  Reply bobs = Call("POST", target, bob, {{"content", "mine"}, {"client_msg_id", "k-1"}});
  EXPECT_EQ(bobs.status, 201) << bobs.raw.body;
  EXPECT_EQ(bobs.body["seq"], 2);
  Reply next = Call("POST", target, alice, {{"content", "next"}, {"client_msg_id", "k-2"}});
  EXPECT_EQ(next.status, 201) << next.raw.body;
  EXPECT_EQ(next.body["seq"], 3);
  Reply history = Call("GET", target + "?after=0", alice);
  EXPECT_EQ(Seqs(history.body["messages"]), (std::vector<int64_t>{1, 2, 3}));
}

TEST_F(ChatE2eTest, HistoryPagesNewestFirstWithBeforeAndOldestFirstWithAfter) {
  User alice = NewUser("history_alice");
  json room = CreateRoom(alice, "History");
  for (int i = 1; i <= 7; ++i) Send(alice, room, "m" + std::to_string(i));
  const std::string target = Rooms(room) + "/messages";

  Reply all = Call("GET", target, alice);
  ASSERT_EQ(all.status, 200) << all.raw.body;
  EXPECT_EQ(Seqs(all.body["messages"]), (std::vector<int64_t>{7, 6, 5, 4, 3, 2, 1}));
  EXPECT_EQ(all.body["messages"][0]["content"], "m7");
  EXPECT_TRUE(all.body.contains("next_before") && all.body["next_before"].is_null())
      << all.raw.body;

  Reply page1 = Call("GET", target + "?limit=3", alice);
  ASSERT_EQ(page1.status, 200) << page1.raw.body;
  EXPECT_EQ(Seqs(page1.body["messages"]), (std::vector<int64_t>{7, 6, 5}));
  EXPECT_EQ(page1.body["next_before"], 5);
  Reply page2 = Call("GET", target + "?limit=3&before=5", alice);
  ASSERT_EQ(page2.status, 200) << page2.raw.body;
  EXPECT_EQ(Seqs(page2.body["messages"]), (std::vector<int64_t>{4, 3, 2}));
  EXPECT_EQ(page2.body["next_before"], 2);
  Reply page3 = Call("GET", target + "?limit=3&before=2", alice);
  ASSERT_EQ(page3.status, 200) << page3.raw.body;
  EXPECT_EQ(Seqs(page3.body["messages"]), (std::vector<int64_t>{1}));
  EXPECT_TRUE(page3.body.contains("next_before") && page3.body["next_before"].is_null())
      << page3.raw.body;
  // A page ending exactly at seq 1 is the last one as well.
  Reply exact = Call("GET", target + "?limit=3&before=4", alice);
  EXPECT_EQ(Seqs(exact.body["messages"]), (std::vector<int64_t>{3, 2, 1}));
  EXPECT_TRUE(exact.body["next_before"].is_null()) << exact.raw.body;
  Reply beyond = Call("GET", target + "?before=1", alice);
  EXPECT_EQ(beyond.status, 200);
  EXPECT_EQ(beyond.body["messages"], json::array());
  EXPECT_TRUE(beyond.body["next_before"].is_null());

  Reply after = Call("GET", target + "?after=0&limit=3", alice);
  ASSERT_EQ(after.status, 200) << after.raw.body;
  EXPECT_EQ(Seqs(after.body["messages"]), (std::vector<int64_t>{1, 2, 3}));
  Reply catch_up = Call("GET", target + "?after=5", alice);
  EXPECT_EQ(Seqs(catch_up.body["messages"]), (std::vector<int64_t>{6, 7}));
  Reply caught_up = Call("GET", target + "?after=7", alice);
  EXPECT_EQ(caught_up.status, 200);
  EXPECT_EQ(caught_up.body["messages"], json::array());

  EXPECT_EQ(Call("GET", target + "?limit=1", alice).body["messages"].size(), 1u);
  EXPECT_EQ(Call("GET", target + "?limit=100", alice).status, 200);
}

TEST_F(ChatE2eTest, HistoryLimitIsOneToHundred) {
  User alice = NewUser("limit_alice");
  json room = CreateRoom(alice, "Limits");
  Send(alice, room, "x");
  const std::string target = Rooms(room) + "/messages";
  ExpectError(Call("GET", target + "?limit=101", alice), 400, "invalid_argument", "limit");
  ExpectError(Call("GET", target + "?limit=-1", alice), 400, "invalid_argument", "limit");
  EXPECT_EQ(Call("GET", target + "?limit=abc", alice).status, 400);
  EXPECT_EQ(Call("GET", target + "?before=-1", alice).status, 400);
  EXPECT_EQ(Call("GET", target + "?before=2&after=0", alice).status, 400);
  EXPECT_EQ(Call("GET", target + "?colour=blue", alice).status, 400);
  // API.md: "limit 1–100" (an explicit 0 is outside it).
  ExpectError(Call("GET", target + "?limit=0", alice), 400, "invalid_argument", "limit");
}

TEST_F(ChatE2eTest, HistoryAccess) {
  User owner = NewUser("access_owner");
  User stranger = NewUser("access_stranger");
  json open = CreateRoom(owner, "Readable");
  json closed = CreateRoom(owner, "Unreadable", "private");
  Send(owner, open, "public words");
  Send(owner, closed, "private words");

  Reply reader = Call("GET", Rooms(open) + "/messages", stranger);  // Public: anyone reads.
  EXPECT_EQ(reader.status, 200) << reader.raw.body;
  EXPECT_EQ(reader.body["messages"].size(), 1u);
  // ...but only members write.
  ExpectError(Call("POST", Rooms(open) + "/messages", stranger, {{"content", "hi"}}), 403,
              "permission_denied");
  ExpectError(Call("GET", Rooms(closed) + "/messages", stranger), 403, "permission_denied");
  ExpectError(Call("POST", Rooms(closed) + "/messages", stranger, {{"content", "hi"}}), 403,
              "permission_denied");
  ExpectError(Call("GET", "/v1/rooms/" + kNoSuchId + "/messages", owner), 404, "not_found");
  ExpectError(Call("POST", "/v1/rooms/" + kNoSuchId + "/messages", owner, {{"content", "hi"}}), 404,
              "not_found");
  ExpectError(Call("GET", "/v1/rooms/" + kMalformedId + "/messages", owner), 400,
              "invalid_argument", "room_id");
  ExpectError(Call("POST", "/v1/rooms/" + kMalformedId + "/messages", owner, {{"content", "hi"}}),
              400, "invalid_argument", "room_id");
}

TEST_F(ChatE2eTest, SeqIsGapFreeUnderConcurrentSenders) {
  constexpr int kSenders = 4;
  constexpr int kEach = 10;
  User owner = NewUser("seq_owner");
  json room = CreateRoom(owner, "Busy");
  std::vector<User> senders = {owner};
  for (int i = 1; i < kSenders; ++i) {
    senders.push_back(NewUser("seq_sender"));
    ASSERT_EQ(Call("POST", Rooms(room) + "/join", senders.back()).status, 200);
  }
  std::vector<std::vector<int64_t>> seen(kSenders);
  std::vector<std::thread> threads;
  for (int s = 0; s < kSenders; ++s) {
    threads.emplace_back([&, s] {
      for (int i = 0; i < kEach; ++i) {
        Reply reply = Call("POST", Rooms(room) + "/messages", senders[s],
                           {{"content", "s" + std::to_string(s) + "m" + std::to_string(i)}});
        EXPECT_EQ(reply.status, 201) << reply.raw.body;
        seen[s].push_back(reply.body.value("seq", int64_t{-1}));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::vector<int64_t> expected;
  for (int64_t seq = 1; seq <= kSenders * kEach; ++seq) expected.push_back(seq);
  std::vector<int64_t> answered;
  for (const auto& per_sender : seen) {
    // Each sender's own messages are ordered as sent.
    EXPECT_TRUE(std::is_sorted(per_sender.begin(), per_sender.end()));
    answered.insert(answered.end(), per_sender.begin(), per_sender.end());
  }
  std::sort(answered.begin(), answered.end());
  EXPECT_EQ(answered, expected);
  Reply history = Call("GET", Rooms(room) + "/messages?after=0&limit=100", owner);
  ASSERT_EQ(history.status, 200) << history.raw.body;
  EXPECT_EQ(Seqs(history.body["messages"]), expected);
  EXPECT_EQ(Call("GET", Rooms(room), owner).body["last_seq"], kSenders * kEach);
}

TEST_F(ChatE2eTest, EditIsForTheSenderOnly) {
  User alice = NewUser("edit_alice");
  User bob = NewUser("edit_bob");
  json room = CreateRoom(alice, "Edits");
  ASSERT_EQ(Call("POST", Rooms(room) + "/join", bob).status, 200);
  json original = Send(bob, room, "tpyo");
  json other = Send(alice, room, "alice's");
  const std::string target = Rooms(room) + "/messages/" + original.value("id", "");

  Reply edited = Call("PATCH", target, bob, {{"content", "  typo fixed "}});
  ASSERT_EQ(edited.status, 200) << edited.raw.body;
  EXPECT_EQ(edited.body["id"], original["id"]);
  EXPECT_EQ(edited.body["seq"], original["seq"]);
  EXPECT_EQ(edited.body["sender_id"], bob.id);
  EXPECT_EQ(edited.body["content"], "typo fixed");
  EXPECT_EQ(edited.body["edited"], true);
  EXPECT_EQ(edited.body["deleted"], false);
  EXPECT_EQ(edited.body["created_at"], original["created_at"]);
  EXPECT_TRUE(IsTimestamp(edited.body["updated_at"]));
  EXPECT_GE(edited.body["updated_at"].get<std::string>(),
            original["created_at"].get<std::string>());
  Reply history = Call("GET", Rooms(room) + "/messages?after=0", alice);
  ASSERT_EQ(history.body["messages"].size(), 2u);
  EXPECT_EQ(history.body["messages"][0], edited.body);
  EXPECT_EQ(Call("GET", Rooms(room), alice).body["last_seq"], 2);  // An edit takes no seq.

  // Not even the owner edits someone else's message.
  ExpectError(Call("PATCH", target, alice, {{"content", "hijack"}}), 403, "permission_denied");
  ExpectError(Call("PATCH", target, bob, {{"content", "   "}}), 400, "invalid_argument", "content");
  ExpectError(Call("PATCH", target, bob, {{"content", std::string(4001, 'z')}}), 400,
              "invalid_argument", "content");
  ExpectError(Call("PATCH", Rooms(room) + "/messages/" + kNoSuchId, bob, {{"content", "x"}}), 404,
              "not_found");
  ExpectError(Call("PATCH", Rooms(room) + "/messages/" + kMalformedId, bob, {{"content", "x"}}),
              400, "invalid_argument", "message_id");
  ExpectError(Call("PATCH", "/v1/rooms/" + kNoSuchId + "/messages/" + original.value("id", ""), bob,
                   {{"content", "x"}}),
              404, "not_found");
  // A message addressed through another room is not found there.
  json elsewhere = CreateRoom(bob, "Elsewhere");
  ExpectError(Call("PATCH", Rooms(elsewhere) + "/messages/" + original.value("id", ""), bob,
                   {{"content", "x"}}),
              404, "not_found");
  EXPECT_EQ(Call("GET", Rooms(room) + "/messages?after=1", alice).body["messages"][0], other);
}

TEST_F(ChatE2eTest, DeleteBySenderOrOwnerKeepsTheSlot) {
  User owner = NewUser("delete_owner");
  User bob = NewUser("delete_bob");
  User carol = NewUser("delete_carol");
  json room = CreateRoom(owner, "Deletes");
  ASSERT_EQ(Call("POST", Rooms(room) + "/join", bob).status, 200);
  ASSERT_EQ(Call("POST", Rooms(room) + "/join", carol).status, 200);
  Reply first_reply =
      Call("POST", Rooms(room) + "/messages", bob,
           {{"content", "regret this"},
            {"attachments", json::array({{{"url", "https://cdn.example.com/oops.png"},
                                          {"content_type", "image/png"},
                                          {"size_bytes", 10},
                                          {"name", "oops.png"}}})}});
  ASSERT_EQ(first_reply.status, 201) << first_reply.raw.body;
  json first = first_reply.body;
  json second = Send(carol, room, "carol's");
  json third = Send(bob, room, "keep");
  auto path = [&](const json& message) {
    return Rooms(room) + "/messages/" + message.value("id", "");
  };

  // A plain member may not delete someone else's message.
  ExpectError(Call("DELETE", path(second), bob), 403, "permission_denied");

  Reply by_sender = Call("DELETE", path(first), bob);
  EXPECT_EQ(by_sender.status, 204) << by_sender.raw.body;
  EXPECT_TRUE(by_sender.raw.body.empty());
  Reply by_owner = Call("DELETE", path(second), owner);
  EXPECT_EQ(by_owner.status, 204) << by_owner.raw.body;

  Reply history = Call("GET", Rooms(room) + "/messages?after=0", carol);
  ASSERT_EQ(history.status, 200) << history.raw.body;
  EXPECT_EQ(Seqs(history.body["messages"]), (std::vector<int64_t>{1, 2, 3}));
  for (int i : {0, 1}) {
    const json& slot = history.body["messages"][i];
    EXPECT_EQ(slot["deleted"], true) << slot;
    EXPECT_EQ(slot["content"], "") << slot;
    EXPECT_EQ(slot["attachments"], json::array()) << slot;
    EXPECT_TRUE(IsUuid(slot["id"]));
    EXPECT_TRUE(IsUuid(slot["sender_id"]));
  }
  EXPECT_EQ(history.body["messages"][0]["id"], first["id"]);
  EXPECT_EQ(history.body["messages"][0]["sender_id"], bob.id);
  EXPECT_EQ(history.body["messages"][1]["sender_id"], carol.id);
  EXPECT_EQ(history.body["messages"][2], third);
  EXPECT_EQ(Call("GET", Rooms(room), owner).body["last_seq"], 3);
  // Deleting a deleted message is fine (chat.proto: idempotent); editing one is refused.
  EXPECT_EQ(Call("DELETE", path(first), bob).status, 204);
  ExpectError(Call("PATCH", path(first), bob, {{"content", "undo"}}), 400, "failed_precondition");

  ExpectError(Call("DELETE", Rooms(room) + "/messages/" + kNoSuchId, owner), 404, "not_found");
  ExpectError(Call("DELETE", Rooms(room) + "/messages/" + kMalformedId, owner), 400,
              "invalid_argument", "message_id");
  ExpectError(
      Call("DELETE", "/v1/rooms/" + kNoSuchId + "/messages/" + third.value("id", ""), owner), 404,
      "not_found");
  // The slot stays the next message's predecessor: seq keeps counting.
  EXPECT_EQ(Send(carol, room, "after deletes")["seq"], 4);
}

TEST_F(ChatE2eTest, ReadMarkerMovesForwardOnly) {
  User alice = NewUser("read_alice");
  User bob = NewUser("read_bob");
  User stranger = NewUser("read_stranger");
  json room = CreateRoom(alice, "Reading");
  ASSERT_EQ(Call("POST", Rooms(room) + "/join", bob).status, 200);
  for (int i = 0; i < 5; ++i) Send(alice, room, "r" + std::to_string(i));
  const std::string target = Rooms(room) + "/read";

  EXPECT_EQ(RoomInList(bob, room)["unread_count"], 5);
  Reply read = Call("POST", target, bob, {{"seq", 4}});
  EXPECT_EQ(read.status, 204) << read.raw.body;
  EXPECT_TRUE(read.raw.body.empty());
  EXPECT_EQ(RoomInList(bob, room)["unread_count"], 1);
  EXPECT_EQ(Call("POST", target, bob, {{"seq", 2}}).status, 204);
  EXPECT_EQ(RoomInList(bob, room)["unread_count"], 1);
  EXPECT_EQ(Call("POST", target, bob, {{"seq", 0}}).status, 204);
  EXPECT_EQ(RoomInList(bob, room)["unread_count"], 1);
  EXPECT_EQ(Call("POST", target, bob, {{"seq", 5}}).status, 204);
  EXPECT_EQ(RoomInList(bob, room)["unread_count"], 0);

  ExpectError(Call("POST", target, bob, {{"seq", 6}}), 400, "out_of_range");  // Beyond last_seq.
  ExpectError(Call("POST", target, bob, {{"seq", -1}}), 400, "invalid_argument", "seq");
  EXPECT_EQ(Call("POST", target, bob, {{"seq", "three"}}).status, 400);
  ExpectError(Call("POST", target, stranger, {{"seq", 1}}), 403, "permission_denied");
  ExpectError(Call("POST", "/v1/rooms/" + kNoSuchId + "/read", bob, {{"seq", 1}}), 404,
              "not_found");
  ExpectError(Call("POST", "/v1/rooms/" + kMalformedId + "/read", bob, {{"seq", 1}}), 400,
              "invalid_argument", "room_id");
}

// ---------------------------------------------------------------------------------------------
// Contacts

TEST_F(ChatE2eTest, AddContactsByIdOrEmail) {
  User alice = NewUser("contact_alice");
  User bob = NewUser("contact_bob");
  User carol = NewUser("contact_carol");

  Reply by_id = Call("POST", "/v1/contacts", alice, {{"user_id", bob.id}});
  ASSERT_EQ(by_id.status, 201) << by_id.raw.body;
  EXPECT_EQ(by_id.body["user_id"], bob.id);
  EXPECT_EQ(by_id.body["username"], bob.username);
  EXPECT_TRUE(IsTimestamp(by_id.body["created_at"])) << by_id.body;
  EXPECT_EQ(by_id.body["blocked"], false);

  std::string upper_email = carol.email;
  for (char& c : upper_email) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  Reply by_email = Call("POST", "/v1/contacts", alice, {{"email", upper_email}});
  ASSERT_EQ(by_email.status, 201) << by_email.raw.body;
  EXPECT_EQ(by_email.body["user_id"], carol.id);
  EXPECT_EQ(by_email.body["username"], carol.username);

  Reply list = Call("GET", "/v1/contacts", alice);
  ASSERT_EQ(list.status, 200) << list.raw.body;
  ASSERT_EQ(list.body["contacts"].size(), 2u) << list.raw.body;
  EXPECT_EQ(list.body["contacts"][0], by_email.body);  // Most recently added first.
  EXPECT_EQ(list.body["contacts"][1], by_id.body);
  // Contacts are one-sided.
  Reply bobs = Call("GET", "/v1/contacts", bob);
  ASSERT_EQ(bobs.status, 200) << bobs.raw.body;
  EXPECT_EQ(bobs.body["contacts"], json::array());

  // Adding again answers the existing contact (chat.proto: 200).
  Reply again = Call("POST", "/v1/contacts", alice, {{"email", bob.email}});
  EXPECT_EQ(again.status, 200) << again.raw.body;
  EXPECT_EQ(again.body, by_id.body);
  EXPECT_EQ(Call("GET", "/v1/contacts", alice).body["contacts"].size(), 2u);
}

TEST_F(ChatE2eTest, AddContactErrors) {
  User alice = NewUser("contact_err");
  ExpectError(Call("POST", "/v1/contacts", alice, {{"user_id", alice.id}}), 400,
              "invalid_argument");
  ExpectError(Call("POST", "/v1/contacts", alice, {{"email", alice.email}}), 400,
              "invalid_argument");
  ExpectError(Call("POST", "/v1/contacts", alice, {{"user_id", kNoSuchId}}), 404, "not_found",
              "user_id");
  ExpectError(Call("POST", "/v1/contacts", alice, {{"email", "nobody_at_all@example.com"}}), 404,
              "not_found", "email");
  ExpectError(Call("POST", "/v1/contacts", alice, {{"user_id", kMalformedId}}), 400,
              "invalid_argument", "user_id");
  ExpectError(Call("POST", "/v1/contacts", alice, {{"email", "not-an-email"}}), 400,
              "invalid_argument", "email");
  EXPECT_EQ(Call("POST", "/v1/contacts", alice, json::object()).status, 400);
  EXPECT_EQ(
      Call("POST", "/v1/contacts", alice, {{"user_id", kNoSuchId}, {"email", alice.email}}).status,
      400);
  EXPECT_EQ(Call("GET", "/v1/contacts", alice).body["contacts"], json::array());
}

TEST_F(ChatE2eTest, BlockStopsDirectMessagesBothWaysUntilUnblocked) {
  User alice = NewUser("block_alice");
  User bob = NewUser("block_bob");
  User carol = NewUser("block_carol");
  Reply direct = Call("POST", "/v1/direct", alice, {{"user_id", bob.id}});
  ASSERT_EQ(direct.status, 201) << direct.raw.body;
  json room = direct.body;
  Send(alice, room, "before the block");
  ASSERT_EQ(Call("POST", "/v1/contacts", alice, {{"user_id", bob.id}}).status, 201);

  Reply blocked = Call("POST", "/v1/contacts/" + bob.id + "/block", alice);
  EXPECT_EQ(blocked.status, 204) << blocked.raw.body;
  EXPECT_TRUE(blocked.raw.body.empty());
  EXPECT_EQ(Call("POST", "/v1/contacts/" + bob.id + "/block", alice).status, 204);  // Idempotent.
  EXPECT_EQ(Call("GET", "/v1/contacts", alice).body["contacts"][0]["blocked"], true);

  // Both ways: no new direct room, no messages in the existing one.
  ExpectError(Call("POST", "/v1/direct", bob, {{"user_id", alice.id}}), 403, "permission_denied");
  ExpectError(Call("POST", "/v1/direct", alice, {{"user_id", bob.id}}), 403, "permission_denied");
  ExpectError(Call("POST", Rooms(room) + "/messages", bob, {{"content", "hello?"}}), 403,
              "permission_denied");
  ExpectError(Call("POST", Rooms(room) + "/messages", alice, {{"content", "go away"}}), 403,
              "permission_denied");
  EXPECT_EQ(Call("GET", Rooms(room), alice).body["last_seq"], 1);
  // A block concerns the two of them only.
  EXPECT_EQ(Call("POST", "/v1/direct", carol, {{"user_id", alice.id}}).status, 201);
  EXPECT_EQ(Call("POST", "/v1/direct", carol, {{"user_id", bob.id}}).status, 201);

  Reply unblocked = Call("DELETE", "/v1/contacts/" + bob.id + "/block", alice);
  EXPECT_EQ(unblocked.status, 204) << unblocked.raw.body;
  EXPECT_EQ(Call("DELETE", "/v1/contacts/" + bob.id + "/block", alice).status, 204);
  EXPECT_EQ(Call("GET", "/v1/contacts", alice).body["contacts"][0]["blocked"], false);
  Reply reopened = Call("POST", "/v1/direct", bob, {{"user_id", alice.id}});
  EXPECT_EQ(reopened.status, 200) << reopened.raw.body;
  EXPECT_EQ(reopened.body["id"], room["id"]);
  EXPECT_EQ(Send(bob, room, "friends again")["seq"], 2);
}

TEST_F(ChatE2eTest, BlockStopsEditsInTheDirectRoomButNotDeletes) {
  User alice = NewUser("blockedit_alice");
  User bob = NewUser("blockedit_bob");
  Reply direct = Call("POST", "/v1/direct", alice, {{"user_id", bob.id}});
  ASSERT_EQ(direct.status, 201) << direct.raw.body;
  json room = direct.body;
  json alices = Send(alice, room, "alice before the block");
  json bobs = Send(bob, room, "bob before the block");
  ASSERT_EQ(Call("POST", "/v1/contacts/" + bob.id + "/block", alice).status, 204);

  for (const auto& [who, message] : {std::pair{&bob, &bobs}, std::pair{&alice, &alices}}) {
    std::string target = Rooms(room) + "/messages/" + message->value("id", "");
    ExpectError(Call("PATCH", target, *who, {{"content", "new words"}}), 403, "permission_denied");
  }
  Reply history = Call("GET", Rooms(room) + "/messages", alice);
  ASSERT_EQ(history.status, 200);
  for (const json& message : history.body["messages"]) {
    EXPECT_FALSE(message.value("edited", true)) << message;
  }
  Reply deleted = Call("DELETE", Rooms(room) + "/messages/" + bobs.value("id", ""), bob);
  EXPECT_EQ(deleted.status, 204) << deleted.raw.body;
}

TEST_F(ChatE2eTest, BlockBeforeAnyDirectRoomPreventsIt) {
  User alice = NewUser("preblock_alice");
  User bob = NewUser("preblock_bob");
  ASSERT_EQ(Call("POST", "/v1/contacts/" + alice.id + "/block", bob).status, 204);
  ExpectError(Call("POST", "/v1/direct", alice, {{"user_id", bob.id}}), 403, "permission_denied");
  EXPECT_EQ(Call("GET", "/v1/rooms", alice).body["rooms"], json::array());
  // Blocking someone who is not a contact does not make them one.
  EXPECT_EQ(Call("GET", "/v1/contacts", bob).body["contacts"], json::array());
}

TEST_F(ChatE2eTest, BlockErrors) {
  User alice = NewUser("block_err");
  ExpectError(Call("POST", "/v1/contacts/" + alice.id + "/block", alice), 400, "invalid_argument");
  ExpectError(Call("POST", "/v1/contacts/" + kNoSuchId + "/block", alice), 404, "not_found");
  ExpectError(Call("POST", "/v1/contacts/" + kMalformedId + "/block", alice), 400,
              "invalid_argument", "user_id");
  ExpectError(Call("DELETE", "/v1/contacts/" + alice.id + "/block", alice), 400,
              "invalid_argument");
  ExpectError(Call("DELETE", "/v1/contacts/" + kMalformedId + "/block", alice), 400,
              "invalid_argument", "user_id");
}

TEST_F(ChatE2eTest, ReportIs202) {
  User alice = NewUser("report_alice");
  User bob = NewUser("report_bob");
  Reply reply = Call("POST", "/v1/contacts/" + bob.id + "/report", alice, {{"reason", "spam"}});
  ASSERT_EQ(reply.status, 202) << reply.raw.body;
  EXPECT_TRUE(IsUuid(reply.body["report_id"])) << reply.raw.body;
  ExpectError(Call("POST", "/v1/contacts/" + bob.id + "/report", alice, {{"reason", "  "}}), 400,
              "invalid_argument", "reason");
  ExpectError(Call("POST", "/v1/contacts/" + bob.id + "/report", alice, json::object()), 400,
              "invalid_argument", "reason");
  ExpectError(Call("POST", "/v1/contacts/" + bob.id + "/report", alice,
                   {{"reason", std::string(1001, 'r')}}),
              400, "invalid_argument", "reason");
  ExpectError(Call("POST", "/v1/contacts/" + alice.id + "/report", alice, {{"reason", "me"}}), 400,
              "invalid_argument");
  ExpectError(Call("POST", "/v1/contacts/" + kNoSuchId + "/report", alice, {{"reason", "who"}}),
              404, "not_found");
  ExpectError(Call("POST", "/v1/contacts/" + kMalformedId + "/report", alice, {{"reason", "who"}}),
              400, "invalid_argument", "user_id");
}

TEST_F(ChatE2eTest, ReportsAreRateLimitedPerUser) {
  User alice = NewUser("report_rate");
  User bob = NewUser("report_rate_bob");
  for (int i = 0; i < kReportsPerDay; ++i) {
    EXPECT_EQ(
        Call("POST", "/v1/contacts/" + bob.id + "/report", alice, {{"reason", "again"}}).status,
        202);
  }
  Reply limited =
      Call("POST", "/v1/contacts/" + bob.id + "/report", alice, {{"reason", "once more"}});
  ExpectError(limited, 429, "resource_exhausted");
  EXPECT_TRUE(limited.raw.HasHeader("Retry-After")) << limited.raw.body;
  // Somebody else's allowance is untouched.
  EXPECT_EQ(
      Call("POST", "/v1/contacts/" + alice.id + "/report", bob, {{"reason", "retaliation"}}).status,
      202);
}

TEST_F(ChatE2eTest, MalformedBodiesAre400) {
  User alice = NewUser("malformed");
  json room = CreateRoom(alice, "Malformed");
  for (const std::string& target : {std::string("/v1/rooms"), Rooms(room) + "/messages",
                                    std::string("/v1/direct"), std::string("/v1/contacts")}) {
    ExpectError(CallRaw("POST", target, "{\"content\":", alice.auth()), 400, "invalid_argument");
    ExpectError(CallRaw("POST", target, "[1,2]", alice.auth()), 400, "invalid_argument");
  }
  ExpectError(Call("POST", Rooms(room) + "/messages", alice, {{"content", "x"}, {"colour", "red"}}),
              400, "invalid_argument");
  EXPECT_EQ(Call("GET", Rooms(room), alice).body["last_seq"], 0);
}

// ---------------------------------------------------------------------------------------------
// Authentication

TEST_F(ChatE2eTest, EveryRouteIs401WithoutAValidToken) {
  User alice = NewUser("auth_alice");
  json room = CreateRoom(alice, "Guarded");
  json message = Send(alice, room, "guarded");
  const std::string r = Rooms(room);
  const std::string m = r + "/messages/" + message.value("id", "");
  struct Route {
    std::string method;
    std::string target;
    json body;
  };
  const std::vector<Route> routes = {
      {"POST", "/v1/rooms", {{"name", "nope"}}},
      {"GET", "/v1/rooms", nullptr},
      {"GET", r, nullptr},
      {"POST", r + "/join", nullptr},
      {"POST", r + "/leave", nullptr},
      {"GET", r + "/members", nullptr},
      {"POST", r + "/members", {{"user_id", alice.id}}},
      {"DELETE", r + "/members/" + alice.id, nullptr},
      {"POST", "/v1/direct", {{"user_id", alice.id}}},
      {"POST", r + "/messages", {{"content", "nope"}}},
      {"GET", r + "/messages", nullptr},
      {"PATCH", m, {{"content", "nope"}}},
      {"DELETE", m, nullptr},
      {"POST", r + "/read", {{"seq", 1}}},
      {"POST", "/v1/contacts", {{"user_id", alice.id}}},
      {"GET", "/v1/contacts", nullptr},
      {"POST", "/v1/contacts/" + alice.id + "/block", nullptr},
      {"DELETE", "/v1/contacts/" + alice.id + "/block", nullptr},
      {"POST", "/v1/contacts/" + alice.id + "/report", {{"reason", "nope"}}},
  };
  for (const Route& route : routes) {
    std::string payload = route.body.is_null() ? "" : route.body.dump();
    Reply none = CallRaw(route.method, route.target, payload, {});
    EXPECT_EQ(none.status, 401) << route.method << " " << route.target << " " << none.raw.body;
    EXPECT_EQ(CodeOf(none.body), "unauthenticated") << route.method << " " << route.target;
    // A token the gateway passes on but chat-svc must refuse.
    Reply forged =
        CallRaw(route.method, route.target, payload, {{"Authorization", "Bearer not.a.token"}});
    EXPECT_EQ(forged.status, 401) << route.method << " " << route.target << " " << forged.raw.body;
    Reply x_auth = CallRaw(route.method, route.target, payload, {{"X-Auth-Token", "garbage"}});
    EXPECT_EQ(x_auth.status, 401) << route.method << " " << route.target;
  }
  // Nothing above changed anything.
  Reply history = Call("GET", r + "/messages", alice);
  ASSERT_EQ(history.status, 200) << history.raw.body;
  EXPECT_EQ(history.body["messages"], json::array({message}));
  EXPECT_EQ(MemberIds(alice, room), (std::vector<std::string>{alice.id}));
  // X-Auth-Token works as well as Authorization.
  EXPECT_EQ(CallRaw("GET", "/v1/rooms", "", {{"X-Auth-Token", alice.token}}).status, 200);
}

}  // namespace
}  // namespace chatter::e2e
