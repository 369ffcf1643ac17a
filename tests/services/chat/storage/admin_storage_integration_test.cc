// The server API's rules (AdminService) and its storage (service sends, member roles,
// idempotency keys) against a real PostgreSQL; realtime-svc and auth-svc are recording fakes.
#include <gtest/gtest.h>

#include <map>

#include "absl/container/flat_hash_set.h"
#include "services/chat/domain/admin_service.h"
#include "services/chat/domain/idempotent_writes.h"
#include "tests/services/chat/storage/chat_storage_fixture.h"

namespace chatter::chat {
namespace {

class RecordingLiveSessions final : public LiveSessions {
 public:
  struct Notification {
    std::vector<std::string> user_ids;
    std::string id, type, payload_json;
  };
  struct Disconnect {
    std::vector<std::string> user_ids;
    int close_code = 0;
    std::string reason;
  };

  absl::Status Notify(const std::vector<std::string>& user_ids, const std::string& id,
                      const std::string& type, const std::string& payload_json) override {
    notifications.push_back({user_ids, id, type, payload_json});
    return absl::OkStatus();
  }
  absl::Status Disconnect(const std::vector<std::string>& user_ids, int close_code,
                          const std::string& reason) override {
    disconnects.push_back({user_ids, close_code, reason});
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<LivePresence>> Presence(
      const std::vector<std::string>& user_ids) override {
    ++presence_calls;
    std::vector<LivePresence> answer;
    for (const std::string& id : user_ids) answer.push_back({id, online.contains(id), {}});
    return answer;
  }

  std::vector<Notification> notifications;
  std::vector<struct Disconnect> disconnects;
  absl::flat_hash_set<std::string> online;
  int presence_calls = 0;
};

class RecordingLoginRevoker final : public LoginRevoker {
 public:
  absl::StatusOr<int> RevokeAll(const std::string& user_id) override {
    revoked.push_back(user_id);
    return 2;
  }
  std::vector<std::string> revoked;
};

class AdminStorageIntegrationTest : public ChatStorageIntegrationTest {
 protected:
  void SetUp() override {
    ChatStorageIntegrationTest::SetUp();
    admin_ = std::make_unique<AdminService>(*rooms_, *messages_, *messages_, *rooms_, users_, live_,
                                            logins_, events_, *uuids_, clock_);
    requests_ = std::make_unique<PgAdminRequestLog>(*pool_, absl::Seconds(1));
  }

  StoredMessage Post(const std::string& room_id, const std::string& content,
                     const std::string& key = "", const std::string& kind = "system") {
    absl::StatusOr<StoredMessage> stored = admin_->PostMessage(
        {.room_id = room_id, .sender_kind = kind, .content = content, .idempotency_key = key});
    EXPECT_TRUE(stored.ok()) << stored.status();
    return stored.ok() ? *stored : StoredMessage{};
  }

  Role RoleOf(const std::string& room_id, const std::string& user_id) {
    absl::StatusOr<RoomForUser> view = rooms_->FindForUser(room_id, user_id);
    EXPECT_TRUE(view.ok() && view->membership) << user_id << " is no member";
    return view.ok() && view->membership ? view->membership->role : Role::kMember;
  }

  RecordingLiveSessions live_;
  RecordingLoginRevoker logins_;
  std::unique_ptr<AdminService> admin_;
  std::unique_ptr<PgAdminRequestLog> requests_;
};

TEST_F(AdminStorageIntegrationTest, ASystemMessageTakesTheNextSeqWithoutMembership) {
  Room room = MakeRoom(kAlice, "private");
  Send(kAlice, room.id, "first");
  StoredMessage posted = Post(room.id, "Maintenance at 22:00, @alice", "key-1");
  EXPECT_TRUE(posted.created);
  EXPECT_EQ(posted.message.seq, 2);
  EXPECT_EQ(posted.message.sender_id, kPlatformSenderId);
  EXPECT_EQ(posted.message.sender_kind, SenderKind::kSystem);
  EXPECT_EQ(posted.message.client_msg_id, "key-1");
  EXPECT_EQ(posted.message.mentions, std::vector<std::string>{kAlice});
  // Readers see the origin in history too, and the live event went out.
  absl::StatusOr<MessagePage> page = service_->ListMessages(kAlice, room.id, 10, std::nullopt, 0);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->messages.size(), 2u);
  EXPECT_EQ(page->messages[0].sender_kind, SenderKind::kUser);
  EXPECT_EQ(page->messages[1].sender_kind, SenderKind::kSystem);
  ASSERT_FALSE(events_.events().empty());
  EXPECT_EQ(events_.events().back().kind, RoomEvent::Kind::kMessageCreated);
  EXPECT_EQ(events_.events().back().message.id, posted.message.id);
  // The platform is no member: the room's member count and the sender's markers are untouched.
  EXPECT_EQ(rooms_->FindForUser(room.id, kAlice)->room.member_count, 1);
}

TEST_F(AdminStorageIntegrationTest, ARepeatedKeyAnswersTheFirstMessageAndBurnsNoSeq) {
  Room room = MakeRoom(kAlice);
  StoredMessage first = Post(room.id, "hello", "same-key");
  size_t events_before = events_.events().size();
  StoredMessage again = Post(room.id, "hello", "same-key");
  EXPECT_FALSE(again.created);
  EXPECT_EQ(again.message.id, first.message.id);
  EXPECT_EQ(events_.events().size(), events_before) << "no second event";
  EXPECT_EQ(Post(room.id, "next", "other-key").message.seq, 2);
}

TEST_F(AdminStorageIntegrationTest, BotsPostUnderTheirAccountOrAnonymously) {
  Room room = MakeRoom(kAlice);
  absl::StatusOr<StoredMessage> bot = admin_->PostMessage(
      {.room_id = room.id, .sender_kind = "bot", .sender_id = kBob, .content = "beep"});
  ASSERT_TRUE(bot.ok()) << bot.status();
  EXPECT_EQ(bot->message.sender_id, kBob);
  EXPECT_EQ(bot->message.sender_kind, SenderKind::kBot);
  EXPECT_EQ(Post(room.id, "anonymous", "", "bot").message.sender_id, kPlatformSenderId);
}

TEST_F(AdminStorageIntegrationTest, PostMessageRefusesBadInputNamingTheField) {
  Room room = MakeRoom(kAlice);
  auto field_of = [](const absl::Status& status) { return std::string(status.message()); };
  absl::Status user_kind =
      admin_->PostMessage({.room_id = room.id, .sender_kind = "user", .content = "x"}).status();
  EXPECT_EQ(user_kind.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(field_of(user_kind).find("sender_kind"), std::string::npos) << user_kind;
  absl::Status system_with_sender =
      admin_
          ->PostMessage(
              {.room_id = room.id, .sender_kind = "system", .sender_id = kBob, .content = "x"})
          .status();
  EXPECT_EQ(system_with_sender.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(field_of(system_with_sender).find("sender_id"), std::string::npos);
  absl::Status unknown_bot =
      admin_
          ->PostMessage(
              {.room_id = room.id, .sender_kind = "bot", .sender_id = kNobody, .content = "x"})
          .status();
  EXPECT_EQ(unknown_bot.code(), absl::StatusCode::kNotFound) << unknown_bot;
  absl::Status empty =
      admin_->PostMessage({.room_id = room.id, .sender_kind = "system", .content = "  "}).status();
  EXPECT_EQ(empty.code(), absl::StatusCode::kInvalidArgument);
  absl::Status no_room =
      admin_->PostMessage({.room_id = kNobody, .sender_kind = "system", .content = "x"}).status();
  EXPECT_EQ(no_room.code(), absl::StatusCode::kNotFound) << no_room;
  EXPECT_EQ(Query("SELECT count(*) FROM messages"), std::vector<std::string>{"0"});
}

TEST_F(AdminStorageIntegrationTest, CreatesARoomForAnOwnerWithMembers) {
  absl::StatusOr<Room> room = admin_->CreateRoom({.name = "Onboarding",
                                                  .visibility = "private",
                                                  .owner_id = kAlice,
                                                  .member_ids = {kBob, kCarol, kBob, kAlice}});
  ASSERT_TRUE(room.ok()) << room.status();
  EXPECT_EQ(room->member_count, 3);
  EXPECT_EQ(room->visibility, Visibility::kPrivate);
  EXPECT_EQ(RoleOf(room->id, kAlice), Role::kOwner);
  EXPECT_EQ(RoleOf(room->id, kBob), Role::kMember);
  EXPECT_EQ(rooms_->FindForUser(room->id, kAlice)->room.member_count, 3);
  absl::Status unknown =
      admin_->CreateRoom({.name = "x", .owner_id = kAlice, .member_ids = {kNobody}}).status();
  EXPECT_EQ(unknown.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(std::string(unknown.message()).find("member_ids[0]"), std::string::npos) << unknown;
}

TEST_F(AdminStorageIntegrationTest, MembersOfPrivateRoomsAreAddedPromotedAndRemoved) {
  Room room = MakeRoom(kAlice, "private");
  absl::StatusOr<AddedMember> added = admin_->AddMember(room.id, kBob);
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_TRUE(added->added);
  EXPECT_EQ(events_.events().back().kind, RoomEvent::Kind::kMemberJoined);
  EXPECT_FALSE(admin_->AddMember(room.id, kBob)->added);

  EXPECT_EQ(admin_->SetMemberRole(room.id, kBob, "admin").value_or(false), true);
  EXPECT_EQ(RoleOf(room.id, kBob), Role::kAdmin);
  EXPECT_EQ(admin_->SetMemberRole(room.id, kBob, "admin").value_or(true), false);
  EXPECT_EQ(admin_->SetMemberRole(room.id, kAlice, "member").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(admin_->SetMemberRole(room.id, kCarol, "admin").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(admin_->SetMemberRole(room.id, kBob, "owner").status().code(),
            absl::StatusCode::kInvalidArgument);

  // The owner removed: the earliest admin takes over; a private room's leaver loses access.
  absl::StatusOr<std::optional<RemovedMember>> removed = admin_->RemoveMember(room.id, kAlice);
  ASSERT_TRUE(removed.ok() && *removed) << removed.status();
  EXPECT_EQ((*removed)->new_owner, std::optional<std::string>(kBob));
  EXPECT_EQ(events_.events().back().revoked_user_ids, std::vector<std::string>{kAlice});
  EXPECT_EQ(RoleOf(room.id, kBob), Role::kOwner);
  EXPECT_FALSE(admin_->RemoveMember(room.id, kAlice)->has_value());

  absl::StatusOr<OpenedRoom> direct = service_->OpenDirectRoom(kAlice, kBob);
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ(admin_->AddMember(direct->room.id, kCarol).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(AdminStorageIntegrationTest, ExportsHistoryInSeqOrderWithDeletedSlots) {
  Room room = MakeRoom(kAlice);
  for (int i = 1; i <= 5; ++i) Send(kAlice, room.id, absl::StrCat("m", i));
  Message third = *service_->ListMessages(kAlice, room.id, 1, std::nullopt, 2)->messages.begin();
  ASSERT_TRUE(service_->DeleteMessage(kAlice, room.id, third.id).ok());
  std::vector<int64_t> seqs;
  int64_t after = 0;
  for (int pages = 0; pages < 10; ++pages) {
    absl::StatusOr<ExportPage> page = admin_->ExportHistory(room.id, after, 2);
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_EQ(page->last_seq, 5);
    for (const Message& message : page->messages) {
      seqs.push_back(message.seq);
      EXPECT_EQ(message.deleted, message.seq == 3);
    }
    if (!page->next_after_seq) break;
    after = *page->next_after_seq;
  }
  EXPECT_EQ(seqs, (std::vector<int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(admin_->ExportHistory(room.id, 0, 1001).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(admin_->ExportHistory(kNobody, 0, 0).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(AdminStorageIntegrationTest, DisconnectEndsLoginsFirstWhenAsked) {
  absl::StatusOr<int> revoked = admin_->DisconnectUser(kBob, 0, "", true);
  ASSERT_TRUE(revoked.ok()) << revoked.status();
  EXPECT_EQ(*revoked, 2);
  EXPECT_EQ(logins_.revoked, std::vector<std::string>{kBob});
  ASSERT_EQ(live_.disconnects.size(), 1u);
  EXPECT_EQ(live_.disconnects[0].close_code, 1008);
  EXPECT_EQ(live_.disconnects[0].reason, "disconnected");

  EXPECT_TRUE(admin_->DisconnectUser(kBob, 4403, "banned", false).ok());
  EXPECT_EQ(live_.disconnects.back().close_code, 4403);
  EXPECT_EQ(logins_.revoked.size(), 1u) << "no revocation unless asked";
  for (int code : {1006, 1011, 3000, 5000, -1}) {
    EXPECT_EQ(admin_->DisconnectUser(kBob, code, "", false).status().code(),
              absl::StatusCode::kInvalidArgument)
        << code;
  }
  EXPECT_EQ(admin_->DisconnectUser(kBob, 1008, std::string(124, 'x'), false).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(admin_->DisconnectUser(kNobody, 1008, "", false).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(live_.disconnects.size(), 2u);
}

TEST_F(AdminStorageIntegrationTest, NotificationsCarryAJsonObject) {
  absl::StatusOr<std::string> id =
      admin_->NotifyUsers({kBob, kCarol, kBob}, "export.ready", R"({"url": "https://x/y"})");
  ASSERT_TRUE(id.ok()) << id.status();
  ASSERT_EQ(live_.notifications.size(), 1u);
  EXPECT_EQ(live_.notifications[0].id, *id);
  EXPECT_EQ(live_.notifications[0].user_ids, (std::vector<std::string>{kBob, kCarol}));
  EXPECT_EQ(live_.notifications[0].payload_json, R"({"url":"https://x/y"})");
  EXPECT_TRUE(admin_->NotifyUsers({kBob}, "ping", "").ok());
  EXPECT_EQ(live_.notifications.back().payload_json, "{}");
  for (const char* bad : {"[1]", "\"text\"", "{", "null"}) {
    EXPECT_EQ(admin_->NotifyUsers({kBob}, "ping", bad).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_EQ(admin_->NotifyUsers({kBob}, "Bad Type", "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(admin_->NotifyUsers({}, "ping", "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(admin_->NotifyUsers({kBob}, "ping", std::string(5000, ' ')).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(AdminStorageIntegrationTest, PresenceCoversUsersAndRoomMembersOnce) {
  Room room = MakeRoom(kAlice);
  ASSERT_TRUE(admin_->AddMember(room.id, kBob).ok());
  live_.online = {kBob};
  absl::StatusOr<PresenceReport> report = admin_->Presence({room.id}, {kCarol, kBob});
  ASSERT_TRUE(report.ok()) << report.status();
  std::vector<std::string> users;
  for (const LivePresence& presence : report->users) users.push_back(presence.user_id);
  EXPECT_EQ(users, (std::vector<std::string>{kCarol, kBob, kAlice}));
  ASSERT_EQ(report->rooms.size(), 1u);
  EXPECT_EQ(report->rooms[0].member_count, 2);
  EXPECT_EQ(report->rooms[0].online_user_ids, std::vector<std::string>{kBob});
  EXPECT_EQ(admin_->Presence({}, {}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(admin_->Presence({kNobody}, {}).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(AdminStorageIntegrationTest, IdempotencyKeysReplayRefuseAndRelease) {
  IdempotentWrites writes(*requests_);
  int runs = 0;
  auto write = [&]() -> absl::StatusOr<std::string> {
    ++runs;
    return std::string("response\0bytes", 14);
  };
  absl::StatusOr<std::string> first = writes.Run("svc", "k1", "create_room", "digest-a", write);
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<std::string> replay = writes.Run("svc", "k1", "create_room", "digest-a", write);
  ASSERT_TRUE(replay.ok()) << replay.status();
  EXPECT_EQ(*replay, *first) << "binary responses survive storage";
  EXPECT_EQ(runs, 1);
  // Another request under the key, another operation, or another principal.
  EXPECT_EQ(writes.Run("svc", "k1", "create_room", "digest-b", write).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(writes.Run("svc", "k1", "add_member", "digest-a", write).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(writes.Run("other-svc", "k1", "create_room", "digest-a", write).ok());
  EXPECT_EQ(runs, 2);

  // A failed write leaves no trace: the retry runs.
  auto failing = []() -> absl::StatusOr<std::string> { return absl::UnavailableError("down"); };
  EXPECT_EQ(writes.Run("svc", "k2", "notify_user", "d", failing).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_TRUE(writes.Run("svc", "k2", "notify_user", "d", write).ok());
  EXPECT_EQ(runs, 3);
  EXPECT_EQ(writes.Run("svc", "", "notify_user", "d", write).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(writes.Run("svc", "has space", "notify_user", "d", write).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(AdminStorageIntegrationTest, AClaimInProgressIsAbortedUntilStaleThenTakenOver) {
  absl::StatusOr<IdempotencyClaim> first = requests_->Claim("svc", "k", "op", "d");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->outcome, IdempotencyClaim::Outcome::kRun);
  EXPECT_EQ(requests_->Claim("svc", "k", "op", "d")->outcome,
            IdempotencyClaim::Outcome::kInProgress);
  // The fixture's stale time is 1 s: a claim that old belongs to a process that died.
  Query("UPDATE admin_requests SET created_at = now() - interval '2 seconds'");
  EXPECT_EQ(requests_->Claim("svc", "k", "op", "d")->outcome, IdempotencyClaim::Outcome::kRun);
  EXPECT_EQ(requests_->Claim("svc", "k", "op", "d")->outcome,
            IdempotencyClaim::Outcome::kInProgress);
}

TEST_F(AdminStorageIntegrationTest, ConcurrentCallsWithOneKeyRunTheWriteOnce) {
  IdempotentWrites writes(*requests_);
  std::atomic<int> runs{0};
  std::atomic<int> answered{0};
  RunConcurrently(8, [&](int) {
    absl::StatusOr<std::string> result =
        writes.Run("svc", "race", "create_room", "d", [&]() -> absl::StatusOr<std::string> {
          runs.fetch_add(1);
          return std::string("room");
        });
    // Losers either replay the stored response or are told to retry (ABORTED).
    if (result.ok()) {
      EXPECT_EQ(*result, "room");
      answered.fetch_add(1);
    } else {
      EXPECT_EQ(result.status().code(), absl::StatusCode::kAborted) << result.status();
    }
  });
  EXPECT_EQ(runs.load(), 1);
  EXPECT_GE(answered.load(), 1);
}

}  // namespace
}  // namespace chatter::chat
