// The WebSocket section of API.md (issue 5), end to end against one gateway and one realtime-svc:
// connect and `ready`, every client event with its ack/error, every server event, resume with
// since_seq, limits (frame size, event rate). Several gateways and realtime-svc instances:
// ws_cluster_e2e_test.cc.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/e2e/harness/rest_api.h"
#include "tests/e2e/harness/shared_stack_test.h"
#include "tests/e2e/harness/ws_client.h"

namespace chatter::e2e {
namespace {

using nlohmann::json;

const std::regex kUuid(R"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})");
const std::string kNoSuchRoom = "01890000-0000-7000-8000-00000000beef";
constexpr absl::Duration kWait = absl::Seconds(10);
// How long a test waits to be sure something does NOT arrive: only ever after a later event that
// must arrive after it (a sentinel), so this bounds a failure, not a pass.
constexpr absl::Duration kSentinelWait = absl::Seconds(10);

bool IsUuid(const json& value) {
  return value.is_string() && std::regex_match(value.get<std::string>(), kUuid);
}

class WsE2eTest : public SharedStackTest {
 protected:
  static constexpr int kReplayLimit = 5;
  static constexpr int kEventsPerSecond = 10;
  static constexpr int kEventBurst = 20;

  static void SetUpTestSuite() {
    StartSharedStack({.env = {{Component::kGateway,
                               {{"CHATTER_WS_REPLAY_LIMIT", std::to_string(kReplayLimit)},
                                {"CHATTER_WS_EVENTS_PER_SECOND", std::to_string(kEventsPerSecond)},
                                {"CHATTER_WS_EVENT_BURST", std::to_string(kEventBurst)}}},
                              {Component::kRealtime,
                               {{"CHATTER_PRESENCE_HEARTBEAT_MS", "500"},
                                {"CHATTER_PRESENCE_TTL_MS", "2000"},
                                {"CHATTER_PRESENCE_SWEEP_MS", "250"}}}}});
  }

  static std::string RoomQuery(const std::vector<std::string>& rooms) {
    std::string query;
    for (const std::string& room : rooms) absl::StrAppend(&query, "&room_id=", room);
    return query;
  }

  // A connected session of `user` (token in the query) auto-subscribed to `rooms`, after its
  // `ready` frame (kept in *ready when given).
  static std::unique_ptr<WsClient> Open(const ApiUser& user,
                                        const std::vector<std::string>& rooms = {},
                                        json* ready = nullptr, WsOptions options = {}) {
    absl::StatusOr<std::unique_ptr<WsClient>> client = WsClient::Connect(
        port(), absl::StrCat("/ws?access_token=", user.token, RoomQuery(rooms)), options);
    EXPECT_TRUE(client.ok()) << client.status();
    if (!client.ok()) return nullptr;
    absl::StatusOr<json> first = (*client)->Next(kWait);
    EXPECT_TRUE(first.ok()) << first.status();
    if (!first.ok()) return nullptr;
    EXPECT_EQ(first->value("event", ""), "ready") << *first;
    if (ready != nullptr) *ready = *first;
    return *std::move(client);
  }

  // `user`'s session already subscribed to a new public room owned by `owner`, which `user`
  // joined (unless `user` is the owner).
  static std::string SharedRoom(const ApiUser& owner, const std::vector<const ApiUser*>& members) {
    json room = CreateRoomAs(port(), owner, "room");
    std::string id = room.value("id", "");
    for (const ApiUser* member : members) JoinRoomAs(port(), *member, id);
    return id;
  }

  static json Ack(WsClient& client, const std::string& event, const json& data,
                  const std::string& ref) {
    absl::StatusOr<json> reply = client.Request(event, data, ref, kWait);
    EXPECT_TRUE(reply.ok()) << reply.status();
    if (!reply.ok()) return nullptr;
    EXPECT_EQ(reply->value("event", ""), "ack") << *reply;
    return reply->value("data", json());
  }

  static json ExpectEvent(WsClient& client, const std::string& event) {
    absl::StatusOr<json> frame = client.NextEvent(event, kWait);
    EXPECT_TRUE(frame.ok()) << frame.status();
    if (!frame.ok()) return nullptr;
    return frame->value("data", json());
  }
};

// ---------------------------------------------------------------------------------------------
// Connect

TEST_F(WsE2eTest, ConnectWithoutAValidTokenIs401WithTheErrorEnvelope) {
  for (const std::string& target : {std::string("/ws"), std::string("/ws?access_token=nonsense"),
                                    std::string("/ws?token=a.b.c")}) {
    absl::StatusOr<std::unique_ptr<WsClient>> client = WsClient::Connect(port(), target);
    ASSERT_FALSE(client.ok()) << target;
    EXPECT_EQ(client.status().code(), absl::StatusCode::kFailedPrecondition) << client.status();
    EXPECT_TRUE(absl::StartsWith(client.status().message(), "401 ")) << client.status();
    EXPECT_NE(client.status().message().find("\"unauthenticated\""), std::string::npos)
        << client.status();
  }
}

TEST_F(WsE2eTest, TokenIsAcceptedFromQueryAliasAndBothHeaders) {
  ApiUser user = SignUpUser(port(), "ws_token");
  std::vector<std::pair<std::string, HttpHeaders>> ways = {
      {"/ws?token=" + user.token, {}},
      {"/ws", {{"Authorization", "Bearer " + user.token}}},
      {"/ws", {{"X-Auth-Token", user.token}}},
  };
  for (const auto& [target, headers] : ways) {
    absl::StatusOr<std::unique_ptr<WsClient>> client =
        WsClient::Connect(port(), target, {.headers = headers});
    ASSERT_TRUE(client.ok()) << client.status();
    absl::StatusOr<json> ready = (*client)->NextEvent("ready", kWait);
    ASSERT_TRUE(ready.ok()) << ready.status();
    EXPECT_EQ((*ready)["data"]["user_id"], user.id);
  }
  // Two different tokens: 400, as for REST.
  ApiUser other = SignUpUser(port(), "ws_token_other");
  absl::StatusOr<std::unique_ptr<WsClient>> both = WsClient::Connect(
      port(), "/ws",
      {.headers = {{"Authorization", "Bearer " + user.token}, {"X-Auth-Token", other.token}}});
  ASSERT_FALSE(both.ok());
  EXPECT_TRUE(absl::StartsWith(both.status().message(), "400 ")) << both.status();
  // One header twice with two identities: 400 too, whichever copy a proxy would keep.
  for (const std::string& header : {std::string("Authorization"), std::string("X-Auth-Token")}) {
    std::string prefix = header == "Authorization" ? "Bearer " : "";
    absl::StatusOr<std::unique_ptr<WsClient>> twice = WsClient::Connect(
        port(), "/ws",
        {.headers = {{header, prefix + user.token}, {header, prefix + other.token}}});
    ASSERT_FALSE(twice.ok()) << header;
    EXPECT_TRUE(absl::StartsWith(twice.status().message(), "400 ")) << twice.status();
    EXPECT_NE(twice.status().message().find(header), std::string::npos) << twice.status();
  }
}

TEST_F(WsE2eTest, ReadyListsSubscribedRoomsAndRefusesUnreadableOnes) {
  ApiUser alice = SignUpUser(port(), "ws_ready_a");
  ApiUser bob = SignUpUser(port(), "ws_ready_b");
  std::string open_room = CreateRoomAs(port(), alice, "open").value("id", "");
  std::string private_room = CreateRoomAs(port(), alice, "closed", "private").value("id", "");

  json ready;
  auto session = Open(bob, {open_room, private_room, kNoSuchRoom, "not-a-uuid"}, &ready);
  ASSERT_NE(session, nullptr);
  const json& data = ready["data"];
  EXPECT_EQ(data["user_id"], bob.id);
  EXPECT_TRUE(IsUuid(data["session_id"])) << data;
  EXPECT_EQ(data["subscribed"], json::array({open_room})) << data;
  json refused = json::array({{{"room_id", private_room}, {"code", "permission_denied"}},
                              {{"room_id", kNoSuchRoom}, {"code", "not_found"}},
                              {{"room_id", "not-a-uuid"}, {"code", "not_found"}}});
  EXPECT_EQ(data["refused"], refused) << data;
}

// ---------------------------------------------------------------------------------------------
// Messages

TEST_F(WsE2eTest, SendMessageIsAckedWithThePersistedMessageAndReachesEverySubscriber) {
  ApiUser alice = SignUpUser(port(), "ws_send_a");
  ApiUser bob = SignUpUser(port(), "ws_send_b");
  std::string room = SharedRoom(alice, {&bob});
  auto alice_ws = Open(alice, {room});
  auto bob_ws = Open(bob, {room});
  ASSERT_TRUE(alice_ws && bob_ws);

  json message = Ack(*alice_ws, "send_message",
                     {{"room_id", room}, {"content", "hello ws"}, {"client_msg_id", "c-1"}}, "s1");
  ASSERT_TRUE(message.is_object()) << message;
  EXPECT_TRUE(IsUuid(message["id"])) << message;
  EXPECT_EQ(message["room_id"], room);
  EXPECT_EQ(message["seq"], 1);
  EXPECT_EQ(message["sender_id"], alice.id);
  EXPECT_EQ(message["content"], "hello ws");
  EXPECT_EQ(message["client_msg_id"], "c-1");
  EXPECT_EQ(message["attachments"], json::array());
  EXPECT_EQ(message["edited"], false);
  EXPECT_EQ(message["deleted"], false);

  // Bob and Alice herself get the same message as receive_message.
  EXPECT_EQ(ExpectEvent(*bob_ws, "receive_message"), message);
  EXPECT_EQ(ExpectEvent(*alice_ws, "receive_message"), message);

  // It is persisted: REST history has it, identical.
  ApiReply history = CallApi(port(), "GET", "/v1/rooms/" + room + "/messages", bob);
  ASSERT_EQ(history.status, 200) << history.raw.body;
  EXPECT_EQ(history.body["messages"], json::array({message}));

  // Repeating the client_msg_id returns the first message, no duplicate fan-out.
  json again = Ack(*alice_ws, "send_message",
                   {{"room_id", room}, {"content", "other text"}, {"client_msg_id", "c-1"}}, "s2");
  EXPECT_EQ(again["id"], message["id"]);
  json sentinel = SendMessageAs(port(), alice, room, "sentinel");
  json next = ExpectEvent(*bob_ws, "receive_message");
  EXPECT_EQ(next["id"], sentinel["id"]) << "a repeated client_msg_id was fanned out again";
}

TEST_F(WsE2eTest, RestSentMessagesReachWebSocketSubscribersTheSameWay) {
  ApiUser alice = SignUpUser(port(), "ws_rest_a");
  ApiUser bob = SignUpUser(port(), "ws_rest_b");
  std::string room = SharedRoom(alice, {&bob});
  auto bob_ws = Open(bob, {room});
  ASSERT_NE(bob_ws, nullptr);
  json sent = SendMessageAs(port(), alice, room, "from REST");
  EXPECT_EQ(ExpectEvent(*bob_ws, "receive_message"), sent);
}

TEST_F(WsE2eTest, EditDeleteAndMarkReadReachSubscribers) {
  ApiUser alice = SignUpUser(port(), "ws_edit_a");
  ApiUser bob = SignUpUser(port(), "ws_edit_b");
  std::string room = SharedRoom(alice, {&bob});
  auto alice_ws = Open(alice, {room});
  auto bob_ws = Open(bob, {room});
  ASSERT_TRUE(alice_ws && bob_ws);
  json message = SendMessageAs(port(), alice, room, "first draft");
  ExpectEvent(*bob_ws, "receive_message");

  json edited = Ack(*alice_ws, "edit_message",
                    {{"room_id", room}, {"message_id", message["id"]}, {"content", "final"}}, "e1");
  EXPECT_EQ(edited["content"], "final");
  EXPECT_EQ(edited["edited"], true);
  EXPECT_EQ(ExpectEvent(*bob_ws, "message_updated"), edited);

  json deleted_ack =
      Ack(*alice_ws, "delete_message", {{"room_id", room}, {"message_id", message["id"]}}, "d1");
  EXPECT_EQ(deleted_ack["message_id"], message["id"]) << deleted_ack;
  json deleted = ExpectEvent(*bob_ws, "message_deleted");
  EXPECT_EQ(deleted["id"], message["id"]);
  EXPECT_EQ(deleted["deleted"], true);
  EXPECT_EQ(deleted["content"], "");

  json read = Ack(*bob_ws, "mark_read", {{"room_id", room}, {"seq", 1}}, "r1");
  EXPECT_EQ(read["seq"], 1) << read;
  json receipt = ExpectEvent(*alice_ws, "read_receipt");
  EXPECT_EQ(receipt, json({{"room_id", room}, {"user_id", bob.id}, {"seq", 1}}));

  // Someone else's message cannot be edited: error with the ref, nothing fanned out.
  absl::StatusOr<json> refused = bob_ws->Request(
      "edit_message", {{"room_id", room}, {"message_id", message["id"]}, {"content", "x"}}, "e2");
  ASSERT_TRUE(refused.ok()) << refused.status();
  EXPECT_EQ((*refused)["event"], "error") << *refused;
  EXPECT_EQ((*refused)["data"]["code"], "permission_denied") << *refused;
}

TEST_F(WsE2eTest, RepliesReactionsMentionsAndReceiptsAreLive) {
  ApiUser alice = SignUpUser(port(), "ws_conv_a");
  ApiUser bob = SignUpUser(port(), "ws_conv_b");
  ApiUser carol = SignUpUser(port(), "ws_conv_c");
  std::string room = SharedRoom(alice, {&bob});
  auto alice_ws = Open(alice, {room});
  auto bob_ws = Open(bob, {room});
  ASSERT_TRUE(alice_ws && bob_ws);

  // A mention of a member (not of carol, who is none; not of an address).
  json question = SendMessageAs(
      port(), alice, room,
      absl::StrCat("@", bob.username, " zephyrs? ", carol.email, " @", carol.username));
  EXPECT_EQ(question["mentions"], json::array({bob.id})) << question;
  EXPECT_EQ(ExpectEvent(*bob_ws, "receive_message")["mentions"], json::array({bob.id}));
  EXPECT_EQ(ExpectEvent(*alice_ws, "receive_message")["id"], question["id"]);  // Her own.
  ApiReply rooms = CallApi(port(), "GET", "/v1/rooms", bob);
  ASSERT_EQ(rooms.status, 200) << rooms.raw.body;
  EXPECT_EQ(rooms.body["rooms"][0]["unread_mentions"], 1) << rooms.body;

  // A reply over the WebSocket takes the next seq and reaches the room like any message.
  json reply = Ack(*bob_ws, "send_message",
                   {{"room_id", room}, {"content", "yes"}, {"reply_to", question["id"]}}, "re1");
  EXPECT_EQ(reply["reply_to"], question["id"]) << reply;
  EXPECT_EQ(reply["seq"], 2);
  EXPECT_EQ(ExpectEvent(*alice_ws, "receive_message")["reply_to"], question["id"]);
  std::string message_path =
      absl::StrCat("/v1/rooms/", room, "/messages/", question["id"].get<std::string>());
  ApiReply replies = CallApi(port(), "GET", message_path + "/replies", alice);
  ASSERT_EQ(replies.status, 200) << replies.raw.body;
  EXPECT_EQ(replies.body["messages"].size(), 1u);
  EXPECT_EQ(replies.body["next_after"], nullptr);

  // Reactions: idempotent, counted with `me`, live both ways; a bad emoji is 400 naming it.
  std::string thumbs = message_path + "/reactions/%F0%9F%91%8D";
  EXPECT_EQ(CallApi(port(), "PUT", thumbs, bob).status, 204);
  EXPECT_EQ(CallApi(port(), "PUT", thumbs, bob).status, 204);
  json added = ExpectEvent(*alice_ws, "reaction_added");
  EXPECT_EQ(added, json({{"room_id", room},
                         {"message_id", question["id"]},
                         {"emoji", "👍"},
                         {"user_id", bob.id}}));
  ApiReply page = CallApi(port(), "GET", absl::StrCat("/v1/rooms/", room, "/messages"), bob);
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.body["messages"][1]["reactions"],
            json::array({{{"emoji", "👍"}, {"count", 1}, {"me", true}}}));
  EXPECT_EQ(page.body["messages"][1]["reply_count"], 1);
  ApiReply bad = CallApi(port(), "PUT", message_path + "/reactions/a%20b", bob);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.body["error"]["details"][0]["field"], "emoji") << bad.raw.body;
  EXPECT_EQ(CallApi(port(), "PUT", thumbs, carol).status, 403);
  EXPECT_EQ(CallApi(port(), "DELETE", thumbs, bob).status, 204);
  EXPECT_EQ(ExpectEvent(*alice_ws, "reaction_removed")["user_id"], bob.id);

  // Delivery receipts: coalesced, then live; read never passes delivered.
  json delivered = Ack(*alice_ws, "mark_delivered", {{"room_id", room}, {"seq", 2}}, "dl1");
  EXPECT_EQ(delivered["seq"], 2);
  EXPECT_EQ(ExpectEvent(*bob_ws, "delivery_receipt"),
            json({{"room_id", room}, {"user_id", alice.id}, {"seq", 2}}));
  ApiReply receipts = CallApi(port(), "GET", absl::StrCat("/v1/rooms/", room, "/receipts"), bob);
  ASSERT_EQ(receipts.status, 200) << receipts.raw.body;
  for (const json& member : receipts.body["members"]) {
    EXPECT_LE(member["read_seq"].get<int64_t>(), member["delivered_seq"].get<int64_t>());
  }
  EXPECT_EQ(CallApi(port(), "GET", absl::StrCat("/v1/rooms/", room, "/receipts"), carol).status,
            403);

  // Search: a member finds it by prefix with a marked, escaped snippet; carol finds nothing.
  ApiReply found = CallApi(port(), "GET", "/v1/search/messages?q=zeph", bob);
  ASSERT_EQ(found.status, 200) << found.raw.body;
  ASSERT_EQ(found.body["results"].size(), 1u) << found.body;
  EXPECT_TRUE(absl::StrContains(found.body["results"][0]["snippet"].get<std::string>(),
                                "<mark>zephyrs</mark>"))
      << found.body;
  EXPECT_EQ(CallApi(port(), "GET", "/v1/search/messages?q=zeph", carol).body["results"],
            json::array());
  EXPECT_EQ(CallApi(port(), "GET", "/v1/search/messages?q=%26%7C!()%3A*%22", bob).status, 200);
  EXPECT_EQ(CallApi(port(), "GET", "/v1/search/messages?q=", bob).status, 400);
}

TEST_F(WsE2eTest, TypingIsRelayedToOthersWithRoomIdAndNeverPersisted) {
  ApiUser alice = SignUpUser(port(), "ws_typing_a");
  ApiUser bob = SignUpUser(port(), "ws_typing_b");
  std::string room = SharedRoom(alice, {&bob});
  auto alice_ws = Open(alice, {room});
  auto bob_ws = Open(bob, {room});
  ASSERT_TRUE(alice_ws && bob_ws);

  Ack(*alice_ws, "typing_start", {{"room_id", room}}, "t1");
  EXPECT_EQ(ExpectEvent(*bob_ws, "typing_start"),
            json({{"room_id", room}, {"user_id", alice.id}, {"username", alice.username}}));
  Ack(*alice_ws, "typing_stop", {{"room_id", room}}, "t2");
  EXPECT_EQ(ExpectEvent(*bob_ws, "typing_stop"),
            json({{"room_id", room}, {"user_id", alice.id}, {"username", alice.username}}));

  // Alice never hears her own typing: the sentinel message arrives with no typing before it.
  SendMessageAs(port(), bob, room, "sentinel");
  ASSERT_TRUE(alice_ws->NextEvent("receive_message", kSentinelWait).ok());
  for (const json& frame : alice_ws->skipped()) {
    EXPECT_NE(frame.value("event", ""), "typing_start") << frame;
    EXPECT_NE(frame.value("event", ""), "typing_stop") << frame;
  }
  ApiReply history = CallApi(port(), "GET", "/v1/rooms/" + room + "/messages", alice);
  EXPECT_EQ(history.body["messages"].size(), 1u) << history.raw.body;
}

TEST_F(WsE2eTest, MembershipEventsAndRemovalUnsubscribesAtOnce) {
  ApiUser alice = SignUpUser(port(), "ws_member_a");
  ApiUser bob = SignUpUser(port(), "ws_member_b");
  std::string room = CreateRoomAs(port(), alice, "private", "private").value("id", "");
  auto alice_ws = Open(alice, {room});
  ASSERT_NE(alice_ws, nullptr);

  ApiReply added =
      CallApi(port(), "POST", "/v1/rooms/" + room + "/members", alice, {{"user_id", bob.id}});
  ASSERT_EQ(added.status, 201) << added.raw.body;
  EXPECT_EQ(ExpectEvent(*alice_ws, "member_joined"),
            json({{"room_id", room}, {"user_id", bob.id}}));

  json ready;
  auto bob_ws = Open(bob, {room}, &ready);
  ASSERT_NE(bob_ws, nullptr);
  ASSERT_EQ(ready["data"]["subscribed"], json::array({room}));

  ApiReply removed =
      CallApi(port(), "DELETE", "/v1/rooms/" + room + "/members/" + bob.id, alice.auth());
  ASSERT_EQ(removed.status, 204) << removed.raw.body;
  EXPECT_EQ(ExpectEvent(*alice_ws, "member_left"), json({{"room_id", room}, {"user_id", bob.id}}));
  EXPECT_EQ(ExpectEvent(*bob_ws, "member_left"), json({{"room_id", room}, {"user_id", bob.id}}));

  // Bob's live session no longer receives the private room: a message there does not reach him,
  // while his own ping (sent after it) does.
  SendMessageAs(port(), alice, room, "not for bob");
  ASSERT_TRUE(alice_ws->NextEvent("receive_message", kWait).ok());
  ASSERT_TRUE(bob_ws->SendEvent("ping", json::object(), "after").ok());
  ASSERT_TRUE(bob_ws->Reply("after", kSentinelWait).ok());
  for (const json& frame : bob_ws->skipped()) {
    EXPECT_NE(frame.value("event", ""), "receive_message") << frame;
  }
  // And he cannot subscribe again.
  absl::StatusOr<json> again = bob_ws->Request("subscribe", {{"room_id", room}}, "sub");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ((*again)["event"], "error");
  EXPECT_EQ((*again)["data"]["code"], "permission_denied") << *again;
}

// ---------------------------------------------------------------------------------------------
// Subscriptions and resume

TEST_F(WsE2eTest, SubscribeAndUnsubscribeStartAndStopDelivery) {
  ApiUser alice = SignUpUser(port(), "ws_sub_a");
  std::string room = CreateRoomAs(port(), alice, "subs").value("id", "");
  auto ws = Open(alice);
  ASSERT_NE(ws, nullptr);

  json subscribed = Ack(*ws, "subscribe", {{"room_id", room}}, "sub1");
  EXPECT_EQ(subscribed["room_id"], room);
  json first = SendMessageAs(port(), alice, room, "one");
  EXPECT_EQ(ExpectEvent(*ws, "receive_message")["id"], first["id"]);

  json unsubscribed = Ack(*ws, "unsubscribe", {{"room_id", room}}, "unsub1");
  EXPECT_EQ(unsubscribed["room_id"], room);
  SendMessageAs(port(), alice, room, "two");
  ws->skipped().clear();
  ASSERT_TRUE(ws->Request("ping", json::object(), "p").ok());
  for (const json& frame : ws->skipped()) EXPECT_NE(frame["event"], "receive_message") << frame;
}

TEST_F(WsE2eTest, SubscribeWithSinceSeqReplaysEveryMissedMessageInOrder) {
  ApiUser alice = SignUpUser(port(), "ws_resume_a");
  std::string room = CreateRoomAs(port(), alice, "resume").value("id", "");
  std::vector<json> sent;
  for (int i = 1; i <= 4; ++i)
    sent.push_back(SendMessageAs(port(), alice, room, "m" + std::to_string(i)));

  auto ws = Open(alice);
  ASSERT_NE(ws, nullptr);
  ASSERT_TRUE(ws->SendEvent("subscribe", {{"room_id", room}, {"since_seq", 1}}, "resume").ok());
  // Exactly seq 2, 3, 4 in order, then live messages, each once.
  std::vector<json> received;
  while (received.size() < 3) {
    absl::StatusOr<json> frame = ws->NextEvent("receive_message", kWait);
    ASSERT_TRUE(frame.ok()) << frame.status();
    received.push_back((*frame)["data"]);
  }
  EXPECT_EQ(received[0], sent[1]);
  EXPECT_EQ(received[1], sent[2]);
  EXPECT_EQ(received[2], sent[3]);
  json live = SendMessageAs(port(), alice, room, "live");
  json next = ExpectEvent(*ws, "receive_message");
  EXPECT_EQ(next["id"], live["id"]);
  EXPECT_EQ(next["seq"], 5);
  int acks = 0;
  for (const json& frame : ws->skipped()) acks += frame.value("ref", "") == "resume" ? 1 : 0;
  EXPECT_EQ(acks, 1) << "exactly one reply to the subscribe";
}

TEST_F(WsE2eTest, TooManyMissedMessagesAskForResync) {
  ApiUser alice = SignUpUser(port(), "ws_resync_a");
  std::string room = CreateRoomAs(port(), alice, "resync").value("id", "");
  for (int i = 0; i < kReplayLimit + 2; ++i) SendMessageAs(port(), alice, room, "m");
  auto ws = Open(alice);
  ASSERT_NE(ws, nullptr);
  ASSERT_TRUE(ws->SendEvent("subscribe", {{"room_id", room}, {"since_seq", 0}}, "r").ok());
  EXPECT_EQ(ExpectEvent(*ws, "resync_required"),
            json({{"room_id", room}, {"last_seq", kReplayLimit + 2}}));
  for (const json& frame : ws->skipped()) EXPECT_NE(frame["event"], "receive_message") << frame;
  // Still subscribed: live messages keep coming.
  json live = SendMessageAs(port(), alice, room, "live");
  EXPECT_EQ(ExpectEvent(*ws, "receive_message")["id"], live["id"]);
}

TEST_F(WsE2eTest, ResubscribingAnActiveRoomPastTheReplayLimitAsksForResync) {
  ApiUser alice = SignUpUser(port(), "ws_resub_a");
  std::string room = CreateRoomAs(port(), alice, "resubscribe").value("id", "");
  auto ws = Open(alice);
  ASSERT_NE(ws, nullptr);
  Ack(*ws, "subscribe", {{"room_id", room}}, "first");
  for (int i = 0; i < kReplayLimit + 2; ++i) SendMessageAs(port(), alice, room, "m");
  for (int i = 0; i < kReplayLimit + 2; ++i) {
    EXPECT_EQ(ExpectEvent(*ws, "receive_message")["seq"], i + 1);
  }
  // A client that lost its place subscribes again, from the start, on the live subscription.
  ws->skipped().clear();
  json subscribed = Ack(*ws, "subscribe", {{"room_id", room}, {"since_seq", 0}}, "again");
  EXPECT_EQ(subscribed["last_seq"], kReplayLimit + 2);
  std::vector<json> resyncs;
  for (const json& frame : ws->skipped()) {
    EXPECT_NE(frame["event"], "receive_message") << frame;
    if (frame["event"] == "resync_required") resyncs.push_back(frame["data"]);
  }
  EXPECT_EQ(resyncs, std::vector<json>{json({{"room_id", room}, {"last_seq", kReplayLimit + 2}})});
  json live = SendMessageAs(port(), alice, room, "live");
  EXPECT_EQ(ExpectEvent(*ws, "receive_message")["id"], live["id"]);
}

// ---------------------------------------------------------------------------------------------
// Presence

TEST_F(WsE2eTest, PresenceGoesOnlineAndOfflineAndIsHiddenFromBlockedUsers) {
  ApiUser alice = SignUpUser(port(), "ws_presence_a");
  ApiUser bob = SignUpUser(port(), "ws_presence_b");
  ApiUser carol = SignUpUser(port(), "ws_presence_c");
  std::string room = SharedRoom(alice, {&bob, &carol});
  // Carol blocks Alice: Alice must never see Carol's presence.
  ASSERT_EQ(CallApi(port(), "POST", "/v1/contacts/" + alice.id + "/block", carol.auth()).status,
            204);
  auto alice_ws = Open(alice, {room});
  ASSERT_NE(alice_ws, nullptr);

  auto carol_ws = Open(carol, {room});
  auto bob_ws = Open(bob, {room});
  ASSERT_TRUE(carol_ws && bob_ws);
  absl::StatusOr<json> online = alice_ws->NextEvent("presence", kWait);
  ASSERT_TRUE(online.ok()) << online.status();
  EXPECT_EQ((*online)["data"]["user_id"], bob.id) << *online << " (carol is " << carol.id << ")";
  EXPECT_EQ((*online)["data"]["status"], "online");

  bob_ws->Close();
  carol_ws->Close();
  absl::StatusOr<json> offline = alice_ws->NextEvent("presence", kWait);
  ASSERT_TRUE(offline.ok()) << offline.status();
  EXPECT_EQ((*offline)["data"]["user_id"], bob.id) << *offline;
  EXPECT_EQ((*offline)["data"]["status"], "offline");
  EXPECT_TRUE((*offline)["data"]["last_seen"].is_string()) << *offline;

  // Nothing about Carol reached Alice (the sentinel proves the stream was read far enough).
  SendMessageAs(port(), bob, room, "sentinel");
  ASSERT_TRUE(alice_ws->NextEvent("receive_message", kSentinelWait).ok());
  for (const json& frame : alice_ws->skipped()) {
    if (frame.value("event", "") == "presence") {
      EXPECT_NE(frame["data"]["user_id"], carol.id) << frame;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Frames, errors, limits

TEST_F(WsE2eTest, PingAnswersPongAndEveryRefGetsExactlyOneReply) {
  ApiUser alice = SignUpUser(port(), "ws_ping");
  auto ws = Open(alice);
  ASSERT_NE(ws, nullptr);
  ASSERT_TRUE(ws->SendEvent("ping", json::object()).ok());
  EXPECT_TRUE(ws->NextEvent("pong", kWait).ok());

  ws->skipped().clear();
  ASSERT_TRUE(ws->SendEvent("ping", json::object(), "p1").ok());
  ASSERT_TRUE(ws->SendEvent("ping", json::object(), "p2").ok());
  absl::StatusOr<json> second = ws->Reply("p2", kWait);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ((*second)["event"], "ack");
  int replies_to_p1 = 0, pongs = 0;
  for (const json& frame : ws->skipped()) {
    replies_to_p1 += frame.value("ref", "") == "p1" ? 1 : 0;
    pongs += frame.value("event", "") == "pong" ? 1 : 0;
  }
  EXPECT_EQ(replies_to_p1, 1);
  EXPECT_GE(pongs, 1);
}

TEST_F(WsE2eTest, AuthenticateSwapsInAFreshTokenOfTheSameUserOnly) {
  ApiUser alice = SignUpUser(port(), "ws_reauth_a");
  ApiUser bob = SignUpUser(port(), "ws_reauth_b");
  std::string room = SharedRoom(alice, {});
  auto ws = Open(alice, {room});
  ASSERT_TRUE(ws);
  // A new login gives a new session (and token) of the same user, as a refresh would.
  ApiReply login = CallApi(port(), "POST", "/v1/auth/login", HttpHeaders{},
                           {{"username", alice.username}, {"password", "correct horse"}});
  ASSERT_EQ(login.status, 200) << login.raw.body;
  std::string fresh = login.body["access_token"];
  ASSERT_NE(fresh, alice.token);

  json ack = Ack(*ws, "authenticate", {{"access_token", fresh}}, "a1");
  EXPECT_EQ(ack["user_id"], alice.id);
  EXPECT_TRUE(ack["expires_at"].is_string()) << ack;
  json message = Ack(*ws, "send_message", {{"room_id", room}, {"content", "after"}}, "s1");
  EXPECT_EQ(message["content"], "after");

  absl::StatusOr<json> refused =
      ws->Request("authenticate", {{"access_token", bob.token}}, "a2", kWait);
  ASSERT_TRUE(refused.ok()) << refused.status();
  EXPECT_EQ((*refused)["event"], "error");
  EXPECT_EQ((*refused)["data"]["code"], "permission_denied");
}

TEST_F(WsE2eTest, BadFramesGetErrorFramesAndTheSessionStaysOpen) {
  ApiUser alice = SignUpUser(port(), "ws_bad");
  auto ws = Open(alice);
  ASSERT_NE(ws, nullptr);

  ASSERT_TRUE(ws->Send("{not json").ok());
  json error = ExpectEvent(*ws, "error");
  EXPECT_EQ(error["code"], "invalid_argument") << error;

  absl::StatusOr<json> unknown = ws->Request("fly", json::object(), "u1");
  ASSERT_TRUE(unknown.ok()) << unknown.status();
  EXPECT_EQ((*unknown)["event"], "error");
  EXPECT_EQ((*unknown)["data"]["code"], "invalid_argument");

  absl::StatusOr<json> no_room = ws->Request("send_message", {{"content", "x"}}, "u2");
  ASSERT_TRUE(no_room.ok()) << no_room.status();
  EXPECT_EQ((*no_room)["data"]["code"], "invalid_argument");
  EXPECT_NE((*no_room)["data"].value("message", "").find("room_id"), std::string::npos) << *no_room;

  absl::StatusOr<json> missing = ws->Request("subscribe", {{"room_id", kNoSuchRoom}}, "u3");
  ASSERT_TRUE(missing.ok()) << missing.status();
  EXPECT_EQ((*missing)["data"]["code"], "not_found") << *missing;

  EXPECT_TRUE(ws->Request("ping", json::object(), "alive").ok());
}

TEST_F(WsE2eTest, FrameOverSixteenKibIsClosedWith1009) {
  ApiUser alice = SignUpUser(port(), "ws_big");
  auto ws = Open(alice);
  ASSERT_NE(ws, nullptr);
  std::string content(17 * 1024, 'x');
  ASSERT_TRUE(ws->SendEvent("ping", {{"pad", content}}).ok());
  absl::StatusOr<WsClosed> closed = ws->WaitClosed(kWait);
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(closed->code, 1009);
}

TEST_F(WsE2eTest, EventFloodGetsResourceExhaustedErrors) {
  ApiUser alice = SignUpUser(port(), "ws_flood");
  auto ws = Open(alice);
  ASSERT_NE(ws, nullptr);
  const int sent = kEventBurst + 10;
  for (int i = 0; i < sent; ++i) {
    ASSERT_TRUE(ws->SendEvent("ping", json::object(), "f" + std::to_string(i)).ok());
  }
  int acks = 0, exhausted = 0;
  for (int i = 0; i < sent; ++i) {
    absl::StatusOr<json> reply = ws->Reply("f" + std::to_string(i), kWait);
    ASSERT_TRUE(reply.ok()) << reply.status();
    if ((*reply)["event"] == "ack") ++acks;
    if ((*reply)["event"] == "error" && (*reply)["data"]["code"] == "resource_exhausted") {
      ++exhausted;
    }
  }
  EXPECT_GE(acks, kEventBurst);
  EXPECT_GT(exhausted, 0);
  EXPECT_EQ(acks + exhausted, sent);
}

}  // namespace
}  // namespace chatter::e2e
