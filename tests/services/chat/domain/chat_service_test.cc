// chat-svc's rules against in-memory storage: validation naming fields, 400/404/403 in the
// contract's order, roles, visibility, blocks, direct rooms, ordered and idempotent sends,
// edits and deletes keeping their slot, history paging, read markers, contacts and reports,
// the internal RPCs, and which events are published.
#include "services/chat/domain/chat_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libs/status/error_details.h"
#include "tests/fakes/chat/fake_user_directory.h"
#include "tests/fakes/chat/in_memory_chat_storage.h"
#include "tests/fakes/chat/recording_event_publisher.h"

namespace chatter::chat {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using Kind = RoomEvent::Kind;

constexpr char kAlice[] = "018f0000-0000-7000-8000-00000000000a";
constexpr char kBob[] = "018f0000-0000-7000-8000-00000000000b";
constexpr char kCarol[] = "018f0000-0000-7000-8000-00000000000c";
constexpr char kDave[] = "018f0000-0000-7000-8000-00000000000d";
constexpr char kNobody[] = "018f0000-0000-7000-8000-0000000000ff";

class SteppingClock final : public ids::Clock {
 public:
  // Every reading is 1 ms after the previous one, so "earlier" is well defined in tests.
  int64_t UnixMillis() override { return millis_++; }

 private:
  std::atomic<int64_t> millis_ = 1795342320123;  // 2026-11-22T10:12:00.123Z
};

std::string FieldOf(const absl::Status& status) {
  auto details = status::GetErrorDetails(status);
  if (!details || details->field_violations().empty()) return "";
  return details->field_violations(0).field();
}

// A status is the expected code and names the expected field ("" = no field expected).
void ExpectError(const absl::Status& status, absl::StatusCode code, const std::string& field = "") {
  EXPECT_EQ(status.code(), code) << status;
  if (!field.empty()) {
    EXPECT_EQ(FieldOf(status), field) << status;
  }
}

class ChatServiceTest : public ::testing::Test {
 protected:
  ChatServiceTest()
      : uuids_(clock_, random_),
        service_(ChatPolicy{.max_reports_per_day = 3}, storage_, storage_, storage_, users_,
                 events_, uuids_, clock_) {
    users_.AddUser(kAlice, "alice", "alice@example.com");
    users_.AddUser(kBob, "bob", "bob@example.com");
    users_.AddUser(kCarol, "carol", "carol@example.com");
    users_.AddUser(kDave, "dave", "dave@example.com");
  }

  Room MakeRoom(const std::string& owner, const std::string& visibility = "public") {
    absl::StatusOr<Room> room = service_.CreateRoom(owner, "general", visibility);
    EXPECT_TRUE(room.ok()) << room.status();
    return *room;
  }

  // A private room of alice with bob as a plain member.
  Room PrivateRoomWithBob() {
    Room room = MakeRoom(kAlice, "private");
    EXPECT_TRUE(service_.AddMember(kAlice, room.id, kBob).ok());
    return room;
  }

  Message Send(const std::string& sender, const std::string& room_id, const std::string& text,
               std::optional<std::string> client_msg_id = std::nullopt) {
    absl::StatusOr<StoredMessage> stored =
        service_.SendMessage(sender, room_id, {.content = text, .client_msg_id = client_msg_id});
    EXPECT_TRUE(stored.ok()) << stored.status();
    return stored.ok() ? stored->message : Message{};
  }

  std::vector<Kind> EventKinds() {
    std::vector<Kind> kinds;
    for (const RoomEvent& event : events_.events()) kinds.push_back(event.kind);
    return kinds;
  }

  static std::vector<int64_t> Seqs(const std::vector<Message>& messages) {
    std::vector<int64_t> seqs;
    for (const Message& message : messages) seqs.push_back(message.seq);
    return seqs;
  }

  SteppingClock clock_;
  ids::SodiumRandomSource random_;
  ids::UuidGenerator uuids_;
  InMemoryChatStorage storage_;
  FakeUserDirectory users_;
  RecordingEventPublisher events_;
  ChatService service_;
};

// ---------------------------------------------------------------------------------------------
// Rooms

TEST_F(ChatServiceTest, CreateRoomMakesTheCallerItsOwnerAndOnlyMember) {
  absl::StatusOr<Room> room = service_.CreateRoom(kAlice, "  Team chat \n", "");
  ASSERT_TRUE(room.ok()) << room.status();
  EXPECT_EQ(room->name, "Team chat");
  EXPECT_EQ(room->kind, RoomKind::kGroup);
  EXPECT_EQ(room->visibility, Visibility::kPublic);
  EXPECT_EQ(room->created_by, kAlice);
  EXPECT_EQ(room->member_count, 1);
  EXPECT_EQ(room->last_seq, 0);
  auto members = service_.ListMembers(kAlice, room->id);
  ASSERT_TRUE(members.ok()) << members.status();
  ASSERT_EQ(members->size(), 1u);
  EXPECT_EQ((*members)[0].membership.role, Role::kOwner);
  EXPECT_EQ((*members)[0].username, "alice");
}

TEST_F(ChatServiceTest, CreateRoomValidatesNameAndVisibility) {
  ExpectError(service_.CreateRoom(kAlice, "", "").status(), absl::StatusCode::kInvalidArgument,
              "name");
  ExpectError(service_.CreateRoom(kAlice, " \t\u3000 ", "").status(),
              absl::StatusCode::kInvalidArgument, "name");
  ExpectError(service_.CreateRoom(kAlice, std::string(101, 'x'), "").status(),
              absl::StatusCode::kInvalidArgument, "name");
  ExpectError(service_.CreateRoom(kAlice, "bad \xff utf8", "").status(),
              absl::StatusCode::kInvalidArgument, "name");
  ExpectError(service_.CreateRoom(kAlice, "room", "secret").status(),
              absl::StatusCode::kInvalidArgument, "visibility");
  EXPECT_TRUE(service_.CreateRoom(kAlice, std::string(100, 'x'), "private").ok());
}

TEST_F(ChatServiceTest, GetRoomIsForMembersOrAnyoneWhenPublic) {
  Room open = MakeRoom(kAlice);
  Room closed = PrivateRoomWithBob();
  EXPECT_TRUE(service_.GetRoom(kCarol, open.id).ok());
  EXPECT_TRUE(service_.GetRoom(kBob, closed.id).ok());
  ExpectError(service_.GetRoom(kCarol, closed.id).status(), absl::StatusCode::kPermissionDenied);
  ExpectError(service_.GetRoom(kCarol, kNobody).status(), absl::StatusCode::kNotFound);
  ExpectError(service_.GetRoom(kCarol, "not-a-uuid").status(), absl::StatusCode::kInvalidArgument,
              "room_id");
  // Ids compare whatever case the client used.
  std::string upper = open.id;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_TRUE(service_.GetRoom(kCarol, upper).ok());
}

TEST_F(ChatServiceTest, JoinRoomIsIdempotentAndOnlyForPublicRooms) {
  Room open = MakeRoom(kAlice);
  absl::StatusOr<Room> joined = service_.JoinRoom(kBob, open.id);
  ASSERT_TRUE(joined.ok()) << joined.status();
  EXPECT_EQ(joined->member_count, 2);
  absl::StatusOr<Room> again = service_.JoinRoom(kBob, open.id);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->member_count, 2);
  EXPECT_THAT(EventKinds(), ElementsAre(Kind::kMemberJoined));  // The first join only.

  Room closed = MakeRoom(kAlice, "private");
  ExpectError(service_.JoinRoom(kBob, closed.id).status(), absl::StatusCode::kPermissionDenied);
  ExpectError(service_.JoinRoom(kBob, kNobody).status(), absl::StatusCode::kNotFound);
  absl::StatusOr<OpenedRoom> direct = service_.OpenDirectRoom(kAlice, kCarol);
  ASSERT_TRUE(direct.ok());
  ExpectError(service_.JoinRoom(kBob, direct->room.id).status(),
              absl::StatusCode::kPermissionDenied);
}

TEST_F(ChatServiceTest, OwnerLeavingHandsOverToTheEarliestAdminElseTheEarliestMember) {
  Room room = MakeRoom(kAlice);
  ASSERT_TRUE(service_.JoinRoom(kBob, room.id).ok());
  ASSERT_TRUE(service_.JoinRoom(kCarol, room.id).ok());
  ASSERT_TRUE(service_.JoinRoom(kDave, room.id).ok());
  storage_.SetRoleForTest(room.id, kDave, Role::kAdmin);

  ASSERT_TRUE(service_.LeaveRoom(kAlice, room.id).ok());
  auto role_of = [&](const std::string& user) {
    absl::StatusOr<std::vector<MemberView>> members = service_.ListMembers(kBob, room.id);
    for (const MemberView& member : *members) {
      if (member.membership.user_id == user) return member.membership.role;
    }
    return Role::kMember;
  };
  EXPECT_EQ(role_of(kDave), Role::kOwner);  // The admin, although bob joined earlier.
  ASSERT_TRUE(service_.LeaveRoom(kDave, room.id).ok());
  EXPECT_EQ(role_of(kBob), Role::kOwner);  // No admin left: the earliest member.
  EXPECT_EQ(service_.GetRoom(kBob, room.id)->member_count, 2);
}

TEST_F(ChatServiceTest, LeaveRoomIsIdempotentAndRevokesAccessToPrivateRooms) {
  Room closed = PrivateRoomWithBob();
  events_.Clear();
  ASSERT_TRUE(service_.LeaveRoom(kBob, closed.id).ok());
  ASSERT_TRUE(service_.LeaveRoom(kBob, closed.id).ok());  // Not a member any more: still OK.
  std::vector<RoomEvent> events = events_.events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::kMemberLeft);
  EXPECT_EQ(events[0].user_id, kBob);
  EXPECT_THAT(events[0].revoked_user_ids, ElementsAre(kBob));
  ExpectError(service_.GetRoom(kBob, closed.id).status(), absl::StatusCode::kPermissionDenied);

  Room open = MakeRoom(kAlice);
  ASSERT_TRUE(service_.JoinRoom(kBob, open.id).ok());
  events_.Clear();
  ASSERT_TRUE(service_.LeaveRoom(kBob, open.id).ok());
  ASSERT_EQ(events_.events().size(), 1u);
  EXPECT_THAT(events_.events()[0].revoked_user_ids, IsEmpty());  // Public: still readable.

  absl::StatusOr<OpenedRoom> direct = service_.OpenDirectRoom(kAlice, kBob);
  ASSERT_TRUE(direct.ok());
  ExpectError(service_.LeaveRoom(kAlice, direct->room.id), absl::StatusCode::kFailedPrecondition);
  ExpectError(service_.LeaveRoom(kAlice, kNobody), absl::StatusCode::kNotFound);
}

TEST_F(ChatServiceTest, OwnersAndAdminsAddMembersIdempotently) {
  Room room = MakeRoom(kAlice, "private");
  absl::StatusOr<AddMemberResult> added = service_.AddMember(kAlice, room.id, kBob);
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_TRUE(added->created);
  EXPECT_EQ(added->member.username, "bob");
  EXPECT_EQ(added->member.membership.role, Role::kMember);
  absl::StatusOr<AddMemberResult> again = service_.AddMember(kAlice, room.id, kBob);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_THAT(EventKinds(), ElementsAre(Kind::kMemberJoined));

  ExpectError(service_.AddMember(kBob, room.id, kCarol).status(),
              absl::StatusCode::kPermissionDenied);  // A plain member.
  ExpectError(service_.AddMember(kCarol, room.id, kDave).status(),
              absl::StatusCode::kPermissionDenied);  // Not a member of the private room.
  storage_.SetRoleForTest(room.id, kBob, Role::kAdmin);
  EXPECT_TRUE(service_.AddMember(kBob, room.id, kCarol).ok());

  ExpectError(service_.AddMember(kAlice, room.id, kNobody).status(), absl::StatusCode::kNotFound,
              "user_id");
  ExpectError(service_.AddMember(kAlice, room.id, "nope").status(),
              absl::StatusCode::kInvalidArgument, "user_id");
  ExpectError(service_.AddMember(kAlice, kNobody, kBob).status(), absl::StatusCode::kNotFound);
  absl::StatusOr<OpenedRoom> direct = service_.OpenDirectRoom(kAlice, kDave);
  ASSERT_TRUE(direct.ok());
  ExpectError(service_.AddMember(kAlice, direct->room.id, kBob).status(),
              absl::StatusCode::kFailedPrecondition);
}

TEST_F(ChatServiceTest, RemoveMemberFollowsTheRoleLadder) {
  Room room = MakeRoom(kAlice);
  for (const char* user : {kBob, kCarol, kDave}) ASSERT_TRUE(service_.JoinRoom(user, room.id).ok());
  storage_.SetRoleForTest(room.id, kBob, Role::kAdmin);

  ExpectError(service_.RemoveMember(kCarol, room.id, kDave), absl::StatusCode::kPermissionDenied);
  ExpectError(service_.RemoveMember(kBob, room.id, kAlice), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(service_.RemoveMember(kBob, room.id, kDave).ok());  // Admin removes a member.
  ExpectError(service_.RemoveMember(kBob, room.id, kDave), absl::StatusCode::kNotFound, "user_id");
  EXPECT_TRUE(service_.RemoveMember(kAlice, room.id, kBob).ok());    // Owner removes an admin.
  EXPECT_TRUE(service_.RemoveMember(kCarol, room.id, kCarol).ok());  // Self: leave.
  EXPECT_EQ(service_.GetRoom(kAlice, room.id)->member_count, 1);
  std::vector<RoomEvent> events = events_.events();
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events.back().kind, Kind::kMemberLeft);
  EXPECT_EQ(events.back().user_id, kCarol);
}

TEST_F(ChatServiceTest, DirectRoomIsCreatedOnceForThePairWhoeverOpensIt) {
  absl::StatusOr<OpenedRoom> first = service_.OpenDirectRoom(kAlice, kBob);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->created);
  EXPECT_EQ(first->room.kind, RoomKind::kDirect);
  EXPECT_EQ(first->room.visibility, Visibility::kPrivate);
  EXPECT_EQ(first->room.name, "");
  EXPECT_EQ(first->room.member_count, 2);
  absl::StatusOr<OpenedRoom> again = service_.OpenDirectRoom(kAlice, kBob);
  absl::StatusOr<OpenedRoom> other_way = service_.OpenDirectRoom(kBob, kAlice);
  ASSERT_TRUE(again.ok() && other_way.ok());
  EXPECT_FALSE(again->created);
  EXPECT_FALSE(other_way->created);
  EXPECT_EQ(again->room.id, first->room.id);
  EXPECT_EQ(other_way->room.id, first->room.id);
  EXPECT_EQ(other_way->room.created_by, kAlice);
  EXPECT_EQ(storage_.RoomCountForTest(), 1u);
  // Both members, both plain members.
  auto members = service_.ListMembers(kBob, first->room.id);
  ASSERT_TRUE(members.ok());
  ASSERT_EQ(members->size(), 2u);
  for (const MemberView& member : *members) EXPECT_EQ(member.membership.role, Role::kMember);
  ExpectError(service_.GetRoom(kCarol, first->room.id).status(),
              absl::StatusCode::kPermissionDenied);
}

TEST_F(ChatServiceTest, DirectRoomRefusesOneselfUnknownUsersAndBlocks) {
  ExpectError(service_.OpenDirectRoom(kAlice, kAlice).status(), absl::StatusCode::kInvalidArgument,
              "user_id");
  ExpectError(service_.OpenDirectRoom(kAlice, "x").status(), absl::StatusCode::kInvalidArgument,
              "user_id");
  ExpectError(service_.OpenDirectRoom(kAlice, kNobody).status(), absl::StatusCode::kNotFound,
              "user_id");
  ASSERT_TRUE(service_.BlockUser(kBob, kAlice).ok());
  ExpectError(service_.OpenDirectRoom(kAlice, kBob).status(), absl::StatusCode::kPermissionDenied);
  ExpectError(service_.OpenDirectRoom(kBob, kAlice).status(), absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(service_.UnblockUser(kBob, kAlice).ok());
  EXPECT_TRUE(service_.OpenDirectRoom(kAlice, kBob).ok());
}

// ---------------------------------------------------------------------------------------------
// Messages

TEST_F(ChatServiceTest, SendAssignsConsecutiveSeqsAndPublishesEachMessage) {
  Room room = MakeRoom(kAlice);
  ASSERT_TRUE(service_.JoinRoom(kBob, room.id).ok());
  events_.Clear();
  Message first = Send(kAlice, room.id, "  hello  ");
  Message second = Send(kBob, room.id, "hi");
  EXPECT_EQ(first.seq, 1);
  EXPECT_EQ(second.seq, 2);
  EXPECT_EQ(first.content, "hello");  // Stored trimmed.
  EXPECT_EQ(first.sender_id, kAlice);
  EXPECT_EQ(first.created_at, first.updated_at);
  EXPECT_FALSE(first.edited || first.deleted);
  std::vector<RoomEvent> events = events_.events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, Kind::kMessageCreated);
  EXPECT_EQ(events[0].room_id, room.id);
  EXPECT_EQ(events[0].message.id, first.id);
  EXPECT_FALSE(events[0].event_id.empty());
  EXPECT_EQ(service_.GetRoom(kAlice, room.id)->last_seq, 2);
}

TEST_F(ChatServiceTest, RepeatedClientMsgIdReturnsTheFirstMessageAndBurnsNoSeq) {
  Room room = MakeRoom(kAlice);
  ASSERT_TRUE(service_.JoinRoom(kBob, room.id).ok());
  events_.Clear();
  Message first = Send(kAlice, room.id, "once", "c-1");
  absl::StatusOr<StoredMessage> repeat =
      service_.SendMessage(kAlice, room.id, {.content = "twice", .client_msg_id = "c-1"});
  ASSERT_TRUE(repeat.ok()) << repeat.status();
  EXPECT_FALSE(repeat->created);
  EXPECT_EQ(repeat->message.id, first.id);
  EXPECT_EQ(repeat->message.content, "once");
  EXPECT_EQ(repeat->message.client_msg_id, "c-1");
  EXPECT_EQ(events_.events().size(), 1u);  // The repeat publishes nothing.
  // Another sender may use the same key; an empty key means no deduplication.
  EXPECT_EQ(Send(kBob, room.id, "mine", "c-1").seq, 2);
  EXPECT_EQ(Send(kAlice, room.id, "a", "").seq, 3);
  EXPECT_EQ(Send(kAlice, room.id, "b", "").seq, 4);
  ExpectError(
      service_
          .SendMessage(kAlice, room.id, {.content = "x", .client_msg_id = std::string(129, 'k')})
          .status(),
      absl::StatusCode::kInvalidArgument, "client_msg_id");
}

TEST_F(ChatServiceTest, ContentIsOneTo4000CodePointsAfterTrimmingAndValidUtf8) {
  Room room = MakeRoom(kAlice);
  auto send = [&](const std::string& content) {
    return service_.SendMessage(kAlice, room.id, {.content = content}).status();
  };
  ExpectError(send(""), absl::StatusCode::kInvalidArgument, "content");
  ExpectError(send(" \n\t\u00a0 "), absl::StatusCode::kInvalidArgument, "content");
  ExpectError(send(std::string(4001, 'a')), absl::StatusCode::kInvalidArgument, "content");
  ExpectError(send("bad \xc3\x28 byte"), absl::StatusCode::kInvalidArgument, "content");
  ExpectError(send(std::string("nul\0inside", 10)), absl::StatusCode::kInvalidArgument, "content");
  EXPECT_TRUE(send(std::string(4000, 'a')).ok());
  std::string emoji;
  for (int i = 0; i < 4000; ++i) emoji += "\xF0\x9F\x98\x80";  // U+1F600: 4 bytes, 1 character.
  EXPECT_TRUE(send("  " + emoji + "  ").ok());
  EXPECT_FALSE(send(emoji + "x").ok());
}

TEST_F(ChatServiceTest, AttachmentsAreValidatedAndKept) {
  Room room = MakeRoom(kAlice);
  Attachment good{.url = "https://cdn.example.com/a.png",
                  .content_type = "image/png",
                  .size_bytes = 10,
                  .name = "a.png"};
  absl::StatusOr<StoredMessage> stored =
      service_.SendMessage(kAlice, room.id, {.content = "look", .attachments = {good, good}});
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_EQ(stored->message.attachments.size(), 2u);
  EXPECT_EQ(stored->message.attachments[1].name, "a.png");

  auto with = [&](Attachment attachment) {
    return service_
        .SendMessage(kAlice, room.id, {.content = "x", .attachments = {good, attachment}})
        .status();
  };
  Attachment http = good;
  http.url = "http://cdn.example.com/a.png";
  ExpectError(with(http), absl::StatusCode::kInvalidArgument, "attachments[1].url");
  Attachment negative = good;
  negative.size_bytes = -1;
  ExpectError(with(negative), absl::StatusCode::kInvalidArgument, "attachments[1].size_bytes");
  Attachment long_type = good;
  long_type.content_type = std::string(256, 't');
  ExpectError(with(long_type), absl::StatusCode::kInvalidArgument, "attachments[1].content_type");
  std::vector<Attachment> eleven(11, good);
  ExpectError(
      service_.SendMessage(kAlice, room.id, {.content = "x", .attachments = eleven}).status(),
      absl::StatusCode::kInvalidArgument, "attachments");
}

TEST_F(ChatServiceTest, OnlyMembersSendAndAMissingRoomIsNotFound) {
  Room open = MakeRoom(kAlice);
  Room closed = PrivateRoomWithBob();
  ExpectError(service_.SendMessage(kCarol, open.id, {.content = "hi"}).status(),
              absl::StatusCode::kPermissionDenied);
  ExpectError(service_.SendMessage(kCarol, closed.id, {.content = "hi"}).status(),
              absl::StatusCode::kPermissionDenied);
  ExpectError(service_.SendMessage(kCarol, kNobody, {.content = "hi"}).status(),
              absl::StatusCode::kNotFound);
  ExpectError(service_.SendMessage(kCarol, "room-1", {.content = "hi"}).status(),
              absl::StatusCode::kInvalidArgument, "room_id");
  EXPECT_TRUE(service_.SendMessage(kBob, closed.id, {.content = "hi"}).ok());
}

TEST_F(ChatServiceTest, ABlockStopsDirectMessagesBothWaysInAnExistingRoom) {
  absl::StatusOr<OpenedRoom> direct = service_.OpenDirectRoom(kAlice, kBob);
  ASSERT_TRUE(direct.ok());
  Message before = Send(kAlice, direct->room.id, "hi bob");
  Message bobs = Send(kBob, direct->room.id, "hi alice");
  ASSERT_TRUE(service_.BlockUser(kAlice, kBob).ok());
  ExpectError(service_.SendMessage(kBob, direct->room.id, {.content = "hi"}).status(),
              absl::StatusCode::kPermissionDenied);
  ExpectError(service_.SendMessage(kAlice, direct->room.id, {.content = "hi"}).status(),
              absl::StatusCode::kPermissionDenied);
  // Editing is refused like sending, both ways; deleting one's own message is not.
  ExpectError(service_.EditMessage(kAlice, direct->room.id, before.id, "changed").status(),
              absl::StatusCode::kPermissionDenied);
  ExpectError(service_.EditMessage(kBob, direct->room.id, bobs.id, "changed").status(),
              absl::StatusCode::kPermissionDenied);
  absl::StatusOr<Message> deleted = service_.DeleteMessage(kBob, direct->room.id, bobs.id);
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_TRUE(deleted->deleted);
  // Group rooms are not affected by blocks.
  Room room = MakeRoom(kAlice);
  ASSERT_TRUE(service_.JoinRoom(kBob, room.id).ok());
  EXPECT_TRUE(service_.SendMessage(kBob, room.id, {.content = "hi"}).ok());
  ASSERT_TRUE(service_.UnblockUser(kAlice, kBob).ok());
  EXPECT_TRUE(service_.SendMessage(kBob, direct->room.id, {.content = "hi again"}).ok());
}

TEST_F(ChatServiceTest, HistoryPagesNewestFirstWithBeforeAndOldestFirstWithAfter) {
  Room room = MakeRoom(kAlice);
  for (int i = 1; i <= 7; ++i) Send(kAlice, room.id, absl::StrCat("m", i));

  absl::StatusOr<MessagePage> newest = service_.ListMessages(kAlice, room.id, 3, {}, {});
  ASSERT_TRUE(newest.ok()) << newest.status();
  EXPECT_THAT(Seqs(newest->messages), ElementsAre(7, 6, 5));
  EXPECT_EQ(newest->next_before, 5);
  auto older = service_.ListMessages(kAlice, room.id, 3, *newest->next_before, {});
  EXPECT_THAT(Seqs(older->messages), ElementsAre(4, 3, 2));
  auto oldest = service_.ListMessages(kAlice, room.id, 3, *older->next_before, {});
  EXPECT_THAT(Seqs(oldest->messages), ElementsAre(1));
  EXPECT_EQ(oldest->next_before, std::nullopt);
  // Exactly the rest: seq 1 is the oldest, so no next page.
  auto exact = service_.ListMessages(kAlice, room.id, 4, 5, {});
  EXPECT_THAT(Seqs(exact->messages), ElementsAre(4, 3, 2, 1));
  EXPECT_EQ(exact->next_before, std::nullopt);
  EXPECT_THAT(Seqs(service_.ListMessages(kAlice, room.id, std::nullopt, 1, {})->messages),
              IsEmpty());

  auto catch_up = service_.ListMessages(kAlice, room.id, 4, {}, 2);
  EXPECT_THAT(Seqs(catch_up->messages), ElementsAre(3, 4, 5, 6));
  EXPECT_EQ(catch_up->next_after, 6);
  auto rest = service_.ListMessages(kAlice, room.id, 4, {}, 6);
  EXPECT_THAT(Seqs(rest->messages), ElementsAre(7));
  EXPECT_EQ(rest->next_after, std::nullopt);
  EXPECT_THAT(Seqs(service_.ListMessages(kAlice, room.id, 4, {}, 7)->messages), IsEmpty());
  // Default page size.
  EXPECT_EQ(service_.ListMessages(kAlice, room.id, std::nullopt, {}, {})->messages.size(), 7u);
}

TEST_F(ChatServiceTest, HistoryQueryIsValidated) {
  Room room = MakeRoom(kAlice);
  ExpectError(service_.ListMessages(kAlice, room.id, 101, {}, {}).status(),
              absl::StatusCode::kInvalidArgument, "limit");
  ExpectError(service_.ListMessages(kAlice, room.id, -1, {}, {}).status(),
              absl::StatusCode::kInvalidArgument, "limit");
  ExpectError(service_.ListMessages(kAlice, room.id, 10, 5, 2).status(),
              absl::StatusCode::kInvalidArgument, "after");
  ExpectError(service_.ListMessages(kAlice, room.id, 10, -1, {}).status(),
              absl::StatusCode::kInvalidArgument, "before");
  EXPECT_TRUE(service_.ListMessages(kAlice, room.id, 100, {}, {}).ok());
  absl::StatusOr<MessagePage> empty = service_.ListMessages(kAlice, room.id, 1, {}, {});
  ASSERT_TRUE(empty.ok());
  EXPECT_THAT(empty->messages, IsEmpty());
  EXPECT_EQ(empty->next_before, std::nullopt);
}

TEST_F(ChatServiceTest, HistoryOfAPrivateRoomIsForMembersOnly) {
  Room closed = PrivateRoomWithBob();
  Room open = MakeRoom(kAlice);
  Send(kAlice, open.id, "public words");
  ExpectError(service_.ListMessages(kCarol, closed.id, std::nullopt, {}, {}).status(),
              absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(service_.ListMessages(kBob, closed.id, std::nullopt, {}, {}).ok());
  EXPECT_EQ(service_.ListMessages(kCarol, open.id, std::nullopt, {}, {})->messages.size(), 1u);
  ExpectError(service_.ListMessages(kCarol, kNobody, std::nullopt, {}, {}).status(),
              absl::StatusCode::kNotFound);
}

TEST_F(ChatServiceTest, OnlyTheSenderEditsAndTheSlotKeepsItsSeq) {
  Room room = MakeRoom(kAlice);
  ASSERT_TRUE(service_.JoinRoom(kBob, room.id).ok());
  Message message = Send(kAlice, room.id, "first draft");
  events_.Clear();
  absl::StatusOr<Message> edited = service_.EditMessage(kAlice, room.id, message.id, " final ");
  ASSERT_TRUE(edited.ok()) << edited.status();
  EXPECT_EQ(edited->content, "final");
  EXPECT_EQ(edited->seq, message.seq);
  EXPECT_TRUE(edited->edited);
  EXPECT_GT(edited->updated_at, message.updated_at);
  EXPECT_THAT(EventKinds(), ElementsAre(Kind::kMessageUpdated));

  ExpectError(service_.EditMessage(kBob, room.id, message.id, "mine now").status(),
              absl::StatusCode::kPermissionDenied);
  ExpectError(service_.EditMessage(kAlice, room.id, message.id, "").status(),
              absl::StatusCode::kInvalidArgument, "content");
  ExpectError(service_.EditMessage(kAlice, room.id, kNobody, "x").status(),
              absl::StatusCode::kNotFound);
  ExpectError(service_.EditMessage(kAlice, room.id, "m-1", "x").status(),
              absl::StatusCode::kInvalidArgument, "message_id");
  Room other = MakeRoom(kAlice);
  ExpectError(service_.EditMessage(kAlice, other.id, message.id, "x").status(),
              absl::StatusCode::kNotFound);
  ASSERT_TRUE(service_.DeleteMessage(kAlice, room.id, message.id).ok());
  ExpectError(service_.EditMessage(kAlice, room.id, message.id, "back").status(),
              absl::StatusCode::kFailedPrecondition);
}

TEST_F(ChatServiceTest, DeleteErasesContentKeepsTheSlotAndIsIdempotent) {
  Room room = MakeRoom(kAlice);
  ASSERT_TRUE(service_.JoinRoom(kBob, room.id).ok());
  ASSERT_TRUE(service_.JoinRoom(kCarol, room.id).ok());
  Attachment attachment{.url = "https://x.example/a", .content_type = "text/plain"};
  Message bobs =
      service_.SendMessage(kBob, room.id, {.content = "oops", .attachments = {attachment}})
          ->message;
  Message carols = Send(kCarol, room.id, "carol's");
  events_.Clear();

  ExpectError(service_.DeleteMessage(kCarol, room.id, bobs.id).status(),
              absl::StatusCode::kPermissionDenied);  // A plain member, not the sender.
  absl::StatusOr<Message> deleted = service_.DeleteMessage(kBob, room.id, bobs.id);
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_TRUE(deleted->deleted);
  EXPECT_EQ(deleted->content, "");
  EXPECT_THAT(deleted->attachments, IsEmpty());
  EXPECT_EQ(deleted->seq, bobs.seq);
  EXPECT_TRUE(service_.DeleteMessage(kBob, room.id, bobs.id).ok());      // Again: fine.
  EXPECT_TRUE(service_.DeleteMessage(kAlice, room.id, carols.id).ok());  // The owner.
  EXPECT_THAT(EventKinds(), ElementsAre(Kind::kMessageDeleted, Kind::kMessageDeleted));

  auto page = service_.ListMessages(kAlice, room.id, std::nullopt, {}, {});
  EXPECT_THAT(Seqs(page->messages), ElementsAre(2, 1));
  EXPECT_TRUE(page->messages[1].deleted);
  ExpectError(service_.DeleteMessage(kAlice, room.id, kNobody).status(),
              absl::StatusCode::kNotFound);
}

TEST_F(ChatServiceTest, MarkReadMovesForwardOnlyAndNeverBeyondLastSeq) {
  Room room = MakeRoom(kAlice);
  ASSERT_TRUE(service_.JoinRoom(kBob, room.id).ok());
  for (int i = 0; i < 5; ++i) Send(kAlice, room.id, "x");
  events_.Clear();
  EXPECT_EQ(*service_.MarkRead(kBob, room.id, 3), 3);
  EXPECT_EQ(*service_.MarkRead(kBob, room.id, 2), 3);  // Lower: OK, nothing moves.
  EXPECT_EQ(*service_.MarkRead(kBob, room.id, 5), 5);
  std::vector<RoomEvent> events = events_.events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].kind, Kind::kReadReceipt);
  EXPECT_EQ(events[1].user_id, kBob);
  EXPECT_EQ(events[1].seq, 5);

  ExpectError(service_.MarkRead(kBob, room.id, 6).status(), absl::StatusCode::kOutOfRange, "seq");
  ExpectError(service_.MarkRead(kBob, room.id, -1).status(), absl::StatusCode::kInvalidArgument,
              "seq");
  ExpectError(service_.MarkRead(kCarol, room.id, 1).status(), absl::StatusCode::kPermissionDenied);
  ExpectError(service_.MarkRead(kBob, kNobody, 1).status(), absl::StatusCode::kNotFound);
}

TEST_F(ChatServiceTest, RoomListCarriesUnreadCountsAndTheLastMessage) {
  Room quiet = MakeRoom(kAlice);
  Room busy = MakeRoom(kAlice);
  ASSERT_TRUE(service_.JoinRoom(kBob, busy.id).ok());
  Send(kAlice, busy.id, "one");
  Send(kAlice, busy.id, "two");
  Message last = Send(kAlice, busy.id, "three");

  absl::StatusOr<std::vector<RoomSummary>> bobs = service_.ListRooms(kBob);
  ASSERT_TRUE(bobs.ok()) << bobs.status();
  ASSERT_EQ(bobs->size(), 1u);
  EXPECT_EQ((*bobs)[0].unread_count, 3);
  ASSERT_TRUE((*bobs)[0].last_message.has_value());
  EXPECT_EQ((*bobs)[0].last_message->id, last.id);

  // The sender's own messages are not unread for them.
  absl::StatusOr<std::vector<RoomSummary>> alices = service_.ListRooms(kAlice);
  ASSERT_EQ(alices->size(), 2u);
  EXPECT_EQ((*alices)[0].room.id, busy.id);  // Most recent activity first.
  EXPECT_EQ((*alices)[0].unread_count, 0);
  EXPECT_EQ((*alices)[1].room.id, quiet.id);
  EXPECT_FALSE((*alices)[1].last_message.has_value());

  ASSERT_TRUE(service_.MarkRead(kBob, busy.id, 2).ok());
  EXPECT_EQ((*service_.ListRooms(kBob))[0].unread_count, 1);
  Send(kBob, busy.id, "reply");  // Sending implies having read what came before.
  EXPECT_EQ((*service_.ListRooms(kBob))[0].unread_count, 0);
  EXPECT_EQ((*service_.ListRooms(kAlice))[0].unread_count, 1);
}

// ---------------------------------------------------------------------------------------------
// Contacts, blocks, reports

TEST_F(ChatServiceTest, ContactsByIdOrEmailAreIdempotentAndListedNewestFirst) {
  absl::StatusOr<AddContactResult> bob = service_.AddContact(kAlice, {.user_id = kBob});
  ASSERT_TRUE(bob.ok()) << bob.status();
  EXPECT_TRUE(bob->created);
  EXPECT_EQ(bob->contact.username, "bob");
  EXPECT_EQ(bob->contact.contact.contact_id, kBob);
  absl::StatusOr<AddContactResult> carol =
      service_.AddContact(kAlice, {.email = " Carol@Example.com"});
  ASSERT_TRUE(carol.ok()) << carol.status();
  EXPECT_EQ(carol->contact.contact.contact_id, kCarol);
  EXPECT_FALSE(service_.AddContact(kAlice, {.email = "bob@example.com"})->created);

  ASSERT_TRUE(service_.BlockUser(kAlice, kBob).ok());
  absl::StatusOr<std::vector<ContactView>> contacts = service_.ListContacts(kAlice);
  ASSERT_TRUE(contacts.ok());
  ASSERT_EQ(contacts->size(), 2u);
  EXPECT_EQ((*contacts)[0].username, "carol");
  EXPECT_FALSE((*contacts)[0].contact.blocked);
  EXPECT_EQ((*contacts)[1].username, "bob");
  EXPECT_TRUE((*contacts)[1].contact.blocked);
  EXPECT_THAT(*service_.ListContacts(kBob), IsEmpty());
}

TEST_F(ChatServiceTest, ContactErrorsNameTheField) {
  ExpectError(service_.AddContact(kAlice, {}).status(), absl::StatusCode::kInvalidArgument,
              "user_id");
  ExpectError(service_.AddContact(kAlice, {.user_id = "bob"}).status(),
              absl::StatusCode::kInvalidArgument, "user_id");
  ExpectError(service_.AddContact(kAlice, {.user_id = kAlice}).status(),
              absl::StatusCode::kInvalidArgument, "user_id");
  ExpectError(service_.AddContact(kAlice, {.user_id = kNobody}).status(),
              absl::StatusCode::kNotFound, "user_id");
  ExpectError(service_.AddContact(kAlice, {.email = "not an email"}).status(),
              absl::StatusCode::kInvalidArgument, "email");
  ExpectError(service_.AddContact(kAlice, {.email = "nobody@example.com"}).status(),
              absl::StatusCode::kNotFound, "email");
  ExpectError(service_.AddContact(kAlice, {.email = "alice@example.com"}).status(),
              absl::StatusCode::kInvalidArgument, "email");
  users_.SetFailure(absl::UnavailableError("auth-svc down"));
  ExpectError(service_.AddContact(kAlice, {.user_id = kBob}).status(),
              absl::StatusCode::kUnavailable);
}

TEST_F(ChatServiceTest, BlocksAreIdempotentAndReportedBothWays) {
  ASSERT_TRUE(service_.BlockUser(kAlice, kBob).ok());
  ASSERT_TRUE(service_.BlockUser(kAlice, kBob).ok());
  ASSERT_TRUE(service_.BlockUser(kCarol, kAlice).ok());
  absl::StatusOr<BlockRelations> relations = service_.GetBlockRelations(kAlice);
  ASSERT_TRUE(relations.ok());
  EXPECT_THAT(relations->blocked_user_ids, ElementsAre(kBob));
  EXPECT_THAT(relations->blocked_by_user_ids, ElementsAre(kCarol));
  EXPECT_TRUE(service_.UnblockUser(kAlice, kBob).ok());
  EXPECT_TRUE(service_.UnblockUser(kAlice, kBob).ok());
  EXPECT_TRUE(service_.UnblockUser(kAlice, kNobody).ok());  // No block: fine.
  EXPECT_THAT(service_.GetBlockRelations(kAlice)->blocked_user_ids, IsEmpty());

  ExpectError(service_.BlockUser(kAlice, kAlice), absl::StatusCode::kInvalidArgument, "user_id");
  ExpectError(service_.UnblockUser(kAlice, kAlice), absl::StatusCode::kInvalidArgument, "user_id");
  ExpectError(service_.BlockUser(kAlice, kNobody), absl::StatusCode::kNotFound, "user_id");
  ExpectError(service_.GetBlockRelations("x").status(), absl::StatusCode::kInvalidArgument,
              "user_id");
}

TEST_F(ChatServiceTest, ReportsAreStoredTrimmedAndRateLimited) {
  absl::StatusOr<std::string> id = service_.ReportUser(kAlice, kBob, "  spam  ");
  ASSERT_TRUE(id.ok()) << id.status();
  std::vector<Report> reports = storage_.ReportsForTest();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].id, *id);
  EXPECT_EQ(reports[0].reason, "spam");
  EXPECT_EQ(reports[0].reported_id, kBob);

  ExpectError(service_.ReportUser(kAlice, kBob, " ").status(), absl::StatusCode::kInvalidArgument,
              "reason");
  ExpectError(service_.ReportUser(kAlice, kBob, std::string(1001, 'r')).status(),
              absl::StatusCode::kInvalidArgument, "reason");
  ExpectError(service_.ReportUser(kAlice, kAlice, "me").status(),
              absl::StatusCode::kInvalidArgument, "user_id");
  ExpectError(service_.ReportUser(kAlice, kNobody, "who").status(), absl::StatusCode::kNotFound,
              "user_id");
  EXPECT_TRUE(service_.ReportUser(kAlice, kCarol, "2").ok());
  EXPECT_TRUE(service_.ReportUser(kAlice, kDave, "3").ok());
  absl::Status limited = service_.ReportUser(kAlice, kBob, "4").status();
  EXPECT_EQ(limited.code(), absl::StatusCode::kResourceExhausted) << limited;
  EXPECT_EQ(status::GetErrorDetails(limited)->retry_after_seconds(), 3600);
  EXPECT_TRUE(service_.ReportUser(kBob, kAlice, "others are not limited").ok());
}

// ---------------------------------------------------------------------------------------------
// Internal RPCs

TEST_F(ChatServiceTest, CheckRoomAccessAnswersEachRoomInOrder) {
  Room open = MakeRoom(kAlice);
  Room closed = PrivateRoomWithBob();
  Send(kAlice, open.id, "x");
  absl::StatusOr<std::vector<RoomAccessResult>> results =
      service_.CheckRoomAccess(kCarol, {closed.id, "garbage", open.id, kNobody});
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ(results->size(), 4u);
  EXPECT_EQ((*results)[0].code, "permission_denied");
  EXPECT_FALSE((*results)[0].allowed);
  EXPECT_EQ((*results)[1].room_id, "garbage");
  EXPECT_EQ((*results)[1].code, "not_found");
  EXPECT_TRUE((*results)[2].allowed);
  EXPECT_FALSE((*results)[2].member);
  EXPECT_EQ((*results)[2].last_seq, 1);
  EXPECT_EQ((*results)[3].code, "not_found");

  auto bobs = service_.CheckRoomAccess(kBob, {closed.id});
  EXPECT_TRUE((*bobs)[0].allowed);
  EXPECT_TRUE((*bobs)[0].member);
  ExpectError(service_.CheckRoomAccess(kBob, {}).status(), absl::StatusCode::kInvalidArgument,
              "room_ids");
  ExpectError(service_.CheckRoomAccess(kBob, std::vector<std::string>(101, open.id)).status(),
              absl::StatusCode::kInvalidArgument, "room_ids");
  ExpectError(service_.CheckRoomAccess("bob", {open.id}).status(),
              absl::StatusCode::kInvalidArgument, "user_id");
}

TEST_F(ChatServiceTest, ListMessagesSinceReplaysOldestFirstAndSaysWhenTruncated) {
  Room room = PrivateRoomWithBob();
  for (int i = 0; i < 5; ++i) Send(kAlice, room.id, "x");
  absl::StatusOr<ReplayPage> page = service_.ListMessagesSince(kBob, room.id, 1, 3);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(Seqs(page->messages), ElementsAre(2, 3, 4));
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->last_seq, 5);
  absl::StatusOr<ReplayPage> rest = service_.ListMessagesSince(kBob, room.id, 4, 0);
  EXPECT_THAT(Seqs(rest->messages), ElementsAre(5));
  EXPECT_FALSE(rest->truncated);
  ExpectError(service_.ListMessagesSince(kCarol, room.id, 0, 0).status(),
              absl::StatusCode::kPermissionDenied);
  ExpectError(service_.ListMessagesSince(kBob, room.id, -1, 0).status(),
              absl::StatusCode::kInvalidArgument, "since_seq");
  ExpectError(service_.ListMessagesSince(kBob, room.id, 0, 1001).status(),
              absl::StatusCode::kInvalidArgument, "limit");
}

TEST_F(ChatServiceTest, ListsStillRenderWithoutUsernamesWhenTheDirectoryIsDown) {
  Room room = MakeRoom(kAlice);
  users_.SetFailure(absl::UnavailableError("auth-svc down"));
  absl::StatusOr<std::vector<MemberView>> members = service_.ListMembers(kAlice, room.id);
  ASSERT_TRUE(members.ok()) << members.status();
  ASSERT_EQ(members->size(), 1u);
  EXPECT_EQ((*members)[0].username, "");
  // Existence checks cannot guess: they fail instead of claiming "not found".
  ExpectError(service_.OpenDirectRoom(kAlice, kBob).status(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace chatter::chat
