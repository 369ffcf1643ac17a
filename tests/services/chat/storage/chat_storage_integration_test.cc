// chat-svc's rules on a real PostgreSQL (the PostgreSQL repositories behind ChatService): seq
// under concurrent writers, idempotent sends also when duplicates race, direct-room convergence,
// history paging edges served from the primary key, permissions, blocks, unread counts, owner
// hand-over, edits and deletes, contacts, blocks and reports.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/pg/errors.h"
#include "libs/pg/migrator.h"
#include "libs/pg/pool.h"
#include "services/chat/domain/chat_service.h"
#include "services/chat/storage/group_commit_messages.h"
#include "services/chat/storage/pg_contact_repository.h"
#include "services/chat/storage/pg_message_repository.h"
#include "services/chat/storage/pg_room_repository.h"
#include "tests/fakes/chat/fake_user_directory.h"
#include "tests/fakes/chat/recording_event_publisher.h"
#include "tests/libs/pg/test_database.h"
#include "tests/services/chat/storage/chat_storage_fixture.h"

namespace chatter::chat {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// ---------------------------------------------------------------------------------------------
// Ordering and idempotency

TEST_F(ChatStorageIntegrationTest, EightConcurrentWritersGetSeqExactlyOneTo4000) {
  constexpr int kWriters = 8;
  constexpr int kPerWriter = 500;
  Room room = MakeRoom(kAlice);
  for (int w = 1; w <= kWriters; ++w) ASSERT_TRUE(service_->JoinRoom(UserId(w), room.id).ok());
  std::vector<std::vector<int64_t>> seen(kWriters);
  std::atomic<int> failures{0};
  RunConcurrently(kWriters, [&](int w) {
    for (int i = 0; i < kPerWriter; ++i) {
      absl::StatusOr<StoredMessage> stored = service_->SendMessage(
          UserId(w + 1), room.id,
          {.content = absl::StrCat("w", w, " #", i), .client_msg_id = {}, .attachments = {}});
      if (!stored.ok()) {
        failures.fetch_add(1);
        continue;
      }
      seen[w].push_back(stored->message.seq);
    }
  });
  ASSERT_EQ(failures.load(), 0);
  std::set<int64_t> all;
  for (const std::vector<int64_t>& seqs : seen) {
    ASSERT_EQ(seqs.size(), static_cast<size_t>(kPerWriter));
    // Each writer's messages are ordered as it sent them.
    EXPECT_TRUE(std::is_sorted(seqs.begin(), seqs.end()));
    all.insert(seqs.begin(), seqs.end());
  }
  EXPECT_EQ(all.size(), 4000u);  // No seq handed out twice.
  EXPECT_EQ(*all.begin(), 1);
  EXPECT_EQ(*all.rbegin(), 4000);
  std::string id = room.id;
  EXPECT_EQ(Query(absl::StrCat("SELECT count(*) FROM messages WHERE room_id = '", id, "'")),
            std::vector<std::string>{"4000"});
  EXPECT_EQ(Query(absl::StrCat("SELECT count(DISTINCT seq) FROM messages WHERE room_id = '", id,
                               "' AND seq BETWEEN 1 AND 4000")),
            std::vector<std::string>{"4000"});
  EXPECT_EQ(Query(absl::StrCat("SELECT last_seq FROM rooms WHERE id = '", id, "'")),
            std::vector<std::string>{"4000"});
  // Sends that met in the queue shared statements.
  double statements = registry_.GetCounter("chat_message_batches_total", "").Value();
  EXPECT_EQ(registry_.GetCounter("chat_messages_batched_total", "").Value(), 4000);
  EXPECT_LT(statements, 4000);
  // Every writer's read marker sits on its own newest message.
  EXPECT_EQ(Query(absl::StrCat("SELECT count(*) FROM room_members m WHERE room_id = '", id,
                               "' AND m.user_id <> '", kAlice,
                               "' AND last_read_seq = (SELECT max(seq) FROM messages x WHERE "
                               "x.room_id = m.room_id AND x.sender_id = m.user_id)")),
            std::vector<std::string>{"8"});
}

TEST_F(ChatStorageIntegrationTest, ConcurrentDuplicatesOfOneClientMsgIdStoreOneMessage) {
  Room room = MakeRoom(kAlice);
  constexpr int kRounds = 25;
  constexpr int kThreads = 8;
  for (int round = 0; round < kRounds; ++round) {
    std::string key = absl::StrCat("c-", round);
    std::vector<absl::StatusOr<StoredMessage>> results(kThreads, absl::UnknownError("unset"));
    RunConcurrently(kThreads, [&](int t) {
      results[t] = service_->SendMessage(
          kAlice, room.id,
          {.content = absl::StrCat("try ", t), .client_msg_id = key, .attachments = {}});
    });
    int created = 0;
    for (const auto& result : results) {
      ASSERT_TRUE(result.ok()) << result.status();
      created += result->created ? 1 : 0;
      EXPECT_EQ(result->message.id, results[0]->message.id);
      EXPECT_EQ(result->message.seq, round + 1);  // No seq burnt by a duplicate.
    }
    EXPECT_EQ(created, 1) << "round " << round;
  }
  EXPECT_EQ(Query(absl::StrCat("SELECT count(*) || ':' || max(seq) FROM messages WHERE room_id = '",
                               room.id, "'")),
            std::vector<std::string>{absl::StrCat(kRounds, ":", kRounds)});
  EXPECT_EQ(service_->GetRoom(kAlice, room.id)->last_seq, kRounds);
}

TEST_F(ChatStorageIntegrationTest, RepeatedClientMsgIdAnswersTheFirstMessage) {
  Room room = MakeRoom(kAlice);
  ASSERT_TRUE(service_->JoinRoom(kBob, room.id).ok());
  Message first = Send(kAlice, room.id, "first", "same");
  absl::StatusOr<StoredMessage> again = service_->SendMessage(
      kAlice, room.id, {.content = "second", .client_msg_id = "same", .attachments = {}});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->message.id, first.id);
  EXPECT_EQ(again->message.content, "first");
  EXPECT_EQ(again->message.created_at, first.created_at);
  EXPECT_EQ(Send(kBob, room.id, "bob's", "same").seq, 2);  // Same key, other sender.
  EXPECT_EQ(Send(kAlice, room.id, "third").seq, 3);
  auto insert_as = [&](const char* room_id, const char* sender) {
    return messages_->Insert(NewMessage{.id = uuids_->NewV7(),
                                        .room_id = room_id,
                                        .sender_id = sender,
                                        .content = "x",
                                        .attachments = {},
                                        .client_msg_id = std::nullopt,
                                        .created_at = absl::Now()});
  };
  // The insert checks access itself: no room, or a sender who is not a member, is refused
  // without a seq being used.
  absl::StatusOr<std::optional<StoredMessage>> missing = insert_as(kNobody, kAlice);
  ASSERT_TRUE(missing.ok()) << missing.status();
  EXPECT_FALSE(missing->has_value());
  absl::StatusOr<std::optional<StoredMessage>> outsider = insert_as(room.id.c_str(), kCarol);
  ASSERT_TRUE(outsider.ok()) << outsider.status();
  EXPECT_FALSE(outsider->has_value());
  EXPECT_EQ(
      service_->SendMessage(kCarol, room.id, {.content = "x", .client_msg_id = {}}).status().code(),
      absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Send(kAlice, room.id, "fourth").seq, 4);
}

// One statement for many sends: per-room seqs in input order, answers in input order,
// refusals and earlier client_msg_ids answered exactly as one Insert each would.
TEST_F(ChatStorageIntegrationTest, ABatchNumbersEachRoomInInputOrderAndAnswersEveryEntry) {
  Room first = MakeRoom(kAlice);
  Room second = MakeRoom(kBob);
  ASSERT_TRUE(service_->JoinRoom(kBob, first.id).ok());
  Message earlier = Send(kAlice, first.id, "earlier", "key-1");  // seq 1
  auto make = [&](const std::string& room, const std::string& sender, const std::string& text,
                  std::optional<std::string> key = std::nullopt) {
    return NewMessage{.id = uuids_->NewV7(),
                      .room_id = room,
                      .sender_id = sender,
                      .content = text,
                      .attachments = {{.url = "https://cdn.example.com/" + text,
                                       .content_type = "image/png",
                                       .size_bytes = 7,
                                       .name = "a \"quoted\" {name}"}},
                      .client_msg_id = key,
                      .created_at = absl::FromUnixMillis(1795342320123)};
  };
  std::vector<NewMessage> batch = {
      make(first.id, kAlice, "a1"),
      make(second.id, kBob, "b1"),
      make(first.id, kBob, "a2 \"with\" quotes, {braces} and \u00e9"),
      make(first.id, kCarol, "refused: not a member"),
      make(first.id, kAlice, "a retry of earlier", "key-1"),
      make(second.id, kBob, "b2", "key-2"),
      make(first.id, kAlice, "a3"),
  };
  absl::StatusOr<std::vector<std::optional<StoredMessage>>> stored = messages_->InsertBatch(batch);
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_EQ(stored->size(), batch.size());
  auto seq_of = [&](size_t i) { return (*stored)[i] ? (*stored)[i]->message.seq : -1; };
  EXPECT_EQ(seq_of(0), 2);
  EXPECT_EQ(seq_of(1), 1);
  EXPECT_EQ(seq_of(2), 3);
  EXPECT_FALSE((*stored)[3].has_value());
  ASSERT_TRUE((*stored)[4].has_value());
  EXPECT_FALSE((*stored)[4]->created);
  EXPECT_EQ((*stored)[4]->message.id, earlier.id);
  EXPECT_EQ(seq_of(5), 2);
  EXPECT_EQ(seq_of(6), 4);
  for (size_t i : {0, 1, 2, 5, 6}) {
    EXPECT_TRUE((*stored)[i]->created) << i;
    EXPECT_EQ((*stored)[i]->message.id, batch[i].id) << i;
    EXPECT_EQ((*stored)[i]->message.content, batch[i].content) << i;
    EXPECT_EQ((*stored)[i]->message.attachments.size(), 1u) << i;
    EXPECT_EQ((*stored)[i]->message.attachments[0].name, "a \"quoted\" {name}") << i;
    EXPECT_EQ(absl::ToUnixMillis((*stored)[i]->message.created_at), 1795342320123) << i;
  }
  EXPECT_EQ((*stored)[5]->message.client_msg_id, "key-2");
  EXPECT_EQ(service_->GetRoom(kAlice, first.id)->last_seq, 4);
  EXPECT_EQ(service_->GetRoom(kBob, second.id)->last_seq, 2);
  // Read markers: each sender's on its newest message of the room.
  EXPECT_EQ(Query(absl::StrCat("SELECT user_id::text || ':' || last_read_seq FROM room_members "
                               "WHERE room_id = '",
                               first.id, "' ORDER BY user_id")),
            (std::vector<std::string>{absl::StrCat(kAlice, ":4"), absl::StrCat(kBob, ":3")}));
  // Once more: the key stored in this batch answers its message.
  absl::StatusOr<std::vector<std::optional<StoredMessage>>> again = messages_->InsertBatch(
      {make(second.id, kBob, "b2 again", "key-2"), make(first.id, kBob, "a4")});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE((*again)[0]->created);
  EXPECT_EQ((*again)[0]->message.id, batch[5].id);
  EXPECT_EQ((*again)[1]->message.seq, 5);
}

TEST_F(ChatStorageIntegrationTest, ABatchRefusesSendsIntoABlockedDirectRoom) {
  absl::StatusOr<OpenedRoom> direct = service_->OpenDirectRoom(kAlice, kBob);
  ASSERT_TRUE(direct.ok()) << direct.status();
  ASSERT_TRUE(service_->BlockUser(kBob, kAlice).ok());
  Room group = MakeRoom(kAlice);
  std::vector<NewMessage> batch = {
      {.id = uuids_->NewV7(),
       .room_id = direct->room.id,
       .sender_id = kAlice,
       .content = "hi",
       .attachments = {},
       .client_msg_id = std::nullopt,
       .created_at = absl::Now()},
      {.id = uuids_->NewV7(),
       .room_id = group.id,
       .sender_id = kAlice,
       .content = "hello",
       .attachments = {},
       .client_msg_id = std::nullopt,
       .created_at = absl::Now()},
  };
  absl::StatusOr<std::vector<std::optional<StoredMessage>>> stored = messages_->InsertBatch(batch);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_FALSE((*stored)[0].has_value());
  ASSERT_TRUE((*stored)[1].has_value());
  EXPECT_EQ((*stored)[1]->message.seq, 1);
  EXPECT_EQ(service_->GetRoom(kAlice, direct->room.id)->last_seq, 0);  // No seq burnt.
}

TEST_F(ChatStorageIntegrationTest, MessagesRoundTripEveryField) {
  Room room = MakeRoom(kAlice);
  Attachment attachment{.url = "https://cdn.example.com/ü.png",
                        .content_type = "image/png",
                        .size_bytes = 1234,
                        .name = "ü \"quoted\".png"};
  absl::StatusOr<StoredMessage> stored = service_->SendMessage(
      kAlice, room.id,
      {.content = "héllo 😀", .client_msg_id = "k", .attachments = {attachment, attachment}});
  ASSERT_TRUE(stored.ok()) << stored.status();
  absl::StatusOr<Message> read = messages_->FindById(stored->message.id);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->content, "héllo 😀");
  EXPECT_EQ(read->client_msg_id, "k");
  EXPECT_EQ(read->sender_id, kAlice);
  EXPECT_EQ(read->room_id, room.id);
  ASSERT_EQ(read->attachments.size(), 2u);
  EXPECT_EQ(read->attachments[0].name, attachment.name);
  EXPECT_EQ(read->attachments[0].size_bytes, 1234);
  EXPECT_EQ(read->created_at, stored->message.created_at);  // Millisecond precision survives.
  EXPECT_EQ(absl::ToUnixMillis(read->created_at) % 1000,
            absl::ToUnixMillis(stored->message.created_at) % 1000);
}

// ---------------------------------------------------------------------------------------------
// History

TEST_F(ChatStorageIntegrationTest, HistoryPagingEdges) {
  Room room = MakeRoom(kAlice);
  absl::StatusOr<MessagePage> empty = service_->ListMessages(kAlice, room.id, std::nullopt, {}, {});
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_THAT(empty->messages, IsEmpty());
  EXPECT_EQ(empty->next_before, std::nullopt);
  EXPECT_THAT(service_->ListMessages(kAlice, room.id, std::nullopt, {}, 0)->messages, IsEmpty());

  for (int i = 1; i <= 10; ++i) Send(kAlice, room.id, absl::StrCat("m", i));
  ASSERT_TRUE(service_
                  ->DeleteMessage(kAlice, room.id,
                                  service_->ListMessages(kAlice, room.id, 1, 6, {})->messages[0].id)
                  .ok());

  // Exactly `limit` messages left: a full page and no next one.
  absl::StatusOr<MessagePage> exact = service_->ListMessages(kAlice, room.id, 10, {}, {});
  EXPECT_THAT(Seqs(exact->messages), ElementsAre(10, 9, 8, 7, 6, 5, 4, 3, 2, 1));
  EXPECT_EQ(exact->next_before, std::nullopt);
  EXPECT_TRUE(exact->messages[5].deleted);  // seq 5: a deleted slot, still in the page.
  EXPECT_EQ(exact->messages[5].content, "");

  absl::StatusOr<MessagePage> page = service_->ListMessages(kAlice, room.id, 4, {}, {});
  EXPECT_THAT(Seqs(page->messages), ElementsAre(10, 9, 8, 7));
  EXPECT_EQ(page->next_before, 7);
  EXPECT_THAT(Seqs(service_->ListMessages(kAlice, room.id, 4, 2, {})->messages), ElementsAre(1));
  absl::StatusOr<MessagePage> before_one = service_->ListMessages(kAlice, room.id, 4, 1, {});
  EXPECT_THAT(before_one->messages, IsEmpty());
  EXPECT_EQ(before_one->next_before, std::nullopt);
  EXPECT_THAT(Seqs(service_->ListMessages(kAlice, room.id, 2, 1000, {})->messages),
              ElementsAre(10, 9));

  absl::StatusOr<MessagePage> after = service_->ListMessages(kAlice, room.id, 3, {}, 0);
  EXPECT_THAT(Seqs(after->messages), ElementsAre(1, 2, 3));
  EXPECT_EQ(after->next_after, 3);
  absl::StatusOr<MessagePage> tail = service_->ListMessages(kAlice, room.id, 3, {}, 8);
  EXPECT_THAT(Seqs(tail->messages), ElementsAre(9, 10));
  EXPECT_EQ(tail->next_after, std::nullopt);
  absl::StatusOr<MessagePage> at_last = service_->ListMessages(kAlice, room.id, 3, {}, 10);
  EXPECT_THAT(at_last->messages, IsEmpty());
  EXPECT_EQ(at_last->next_after, std::nullopt);

  absl::StatusOr<ReplayPage> replay = service_->ListMessagesSince(kAlice, room.id, 7, 2);
  EXPECT_THAT(Seqs(replay->messages), ElementsAre(8, 9));
  EXPECT_TRUE(replay->truncated);
  EXPECT_EQ(replay->last_seq, 10);
}

TEST_F(ChatStorageIntegrationTest, HistoryPagesAreIndexRangeScansOnThePrimaryKey) {
  Room room = MakeRoom(kAlice);
  Query(absl::StrCat("INSERT INTO messages (room_id, seq, id, sender_id, content) SELECT '",
                     room.id, "', g, gen_random_uuid(), '", kAlice,
                     "', 'bulk' FROM generate_series(1, 20000) g"));
  Query("ANALYZE messages");
  // The plan of the repository's own statement text, prepared and executed as it runs.
  auto plan = [&](const std::string& name, int64_t seq) {
    std::string sql;
    for (const pg::PreparedStatement& statement : PgMessageRepository::Statements()) {
      if (statement.name == name) sql = statement.sql;
    }
    absl::StatusOr<std::string> text = pg::RunInTransaction(
        *pool_, "explain", [&](pqxx::work& txn) -> absl::StatusOr<std::string> {
          txn.exec(absl::StrCat("PREPARE explained AS ", sql));
          std::string lines;
          for (const pqxx::row& row : txn.exec(
                   absl::StrCat("EXPLAIN EXECUTE explained('", room.id, "', ", seq, ", 50)"))) {
            absl::StrAppend(&lines, row[0].c_str(), "\n");
          }
          txn.exec("DEALLOCATE explained");
          return lines;
        });
    EXPECT_TRUE(text.ok()) << text.status();
    return text.value_or("");
  };
  std::string before = plan("messages_before", 15000);
  EXPECT_THAT(before, ::testing::HasSubstr("Index Scan Backward using messages_pkey")) << before;
  EXPECT_THAT(before, ::testing::Not(::testing::HasSubstr("Sort"))) << before;
  std::string after = plan("messages_after", 100);
  EXPECT_THAT(after, ::testing::HasSubstr("Index Scan using messages_pkey")) << after;
  EXPECT_THAT(after, ::testing::Not(::testing::HasSubstr("Sort"))) << after;
}

// ---------------------------------------------------------------------------------------------
// Rooms, permissions, blocks

TEST_F(ChatStorageIntegrationTest, SixteenConcurrentOpensConvergeOnOneDirectRoom) {
  constexpr int kThreads = 16;
  std::vector<absl::StatusOr<OpenedRoom>> results(kThreads, absl::UnknownError("unset"));
  RunConcurrently(kThreads, [&](int t) {
    // Half open it from each side.
    results[t] = t % 2 == 0 ? service_->OpenDirectRoom(kAlice, kBob)
                            : service_->OpenDirectRoom(kBob, kAlice);
  });
  int created = 0;
  for (const auto& result : results) {
    ASSERT_TRUE(result.ok()) << result.status();
    created += result->created ? 1 : 0;
    EXPECT_EQ(result->room.id, results[0]->room.id);
    EXPECT_EQ(result->room.member_count, 2);
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(Query("SELECT count(*) FROM rooms WHERE kind = 'direct'"),
            std::vector<std::string>{"1"});
  EXPECT_EQ(Query("SELECT count(*) FROM room_members"), std::vector<std::string>{"2"});
  EXPECT_EQ(Query("SELECT direct_key FROM rooms"),
            std::vector<std::string>{absl::StrCat(kAlice, ":", kBob)});
}

TEST_F(ChatStorageIntegrationTest, PermissionsFollowMembershipRolesAndVisibility) {
  Room closed = MakeRoom(kAlice, "private");
  Room open = MakeRoom(kAlice);
  Send(kAlice, closed.id, "secret");
  EXPECT_EQ(service_->ListMessages(kBob, closed.id, std::nullopt, {}, {}).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(service_->GetRoom(kBob, closed.id).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(service_->JoinRoom(kBob, closed.id).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(service_->ListMessages(kBob, kNobody, std::nullopt, {}, {}).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(service_->ListMessages(kBob, open.id, std::nullopt, {}, {}).ok());
  EXPECT_EQ(
      service_->SendMessage(kBob, open.id, {.content = "hi", .client_msg_id = {}}).status().code(),
      absl::StatusCode::kPermissionDenied);

  absl::StatusOr<AddMemberResult> added = service_->AddMember(kAlice, closed.id, kBob);
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_TRUE(added->created);
  EXPECT_FALSE(service_->AddMember(kAlice, closed.id, kBob)->created);
  EXPECT_EQ(service_->GetRoom(kBob, closed.id)->member_count, 2);
  EXPECT_THAT(Seqs(service_->ListMessages(kBob, closed.id, std::nullopt, {}, {})->messages),
              ElementsAre(1));
  EXPECT_EQ(service_->AddMember(kBob, closed.id, kCarol).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(service_->RemoveMember(kBob, closed.id, kAlice).code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(service_->RemoveMember(kAlice, closed.id, kBob).ok());
  EXPECT_EQ(service_->ListMessages(kBob, closed.id, std::nullopt, {}, {}).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(service_->RemoveMember(kAlice, closed.id, kBob).code(), absl::StatusCode::kNotFound);
}

TEST_F(ChatStorageIntegrationTest, OwnerLeavingHandsOverAndCountsFollow) {
  Room room = MakeRoom(kAlice);
  ASSERT_TRUE(service_->JoinRoom(kBob, room.id).ok());
  ASSERT_TRUE(service_->JoinRoom(kCarol, room.id).ok());
  Query(absl::StrCat("UPDATE room_members SET role = 'admin' WHERE user_id = '", kCarol, "'"));
  ASSERT_TRUE(service_->LeaveRoom(kAlice, room.id).ok());
  EXPECT_EQ(Query(absl::StrCat("SELECT user_id FROM room_members WHERE room_id = '", room.id,
                               "' AND role = 'owner'")),
            std::vector<std::string>{kCarol});
  EXPECT_EQ(service_->GetRoom(kBob, room.id)->member_count, 2);
  ASSERT_TRUE(service_->LeaveRoom(kAlice, room.id).ok());  // Idempotent.
  EXPECT_EQ(service_->GetRoom(kBob, room.id)->member_count, 2);
  absl::StatusOr<std::vector<MemberView>> members = service_->ListMembers(kBob, room.id);
  ASSERT_TRUE(members.ok());
  ASSERT_EQ(members->size(), 2u);
  EXPECT_EQ((*members)[0].membership.user_id, kBob);  // Earliest joined first.
  EXPECT_EQ((*members)[0].username, "bob");
}

TEST_F(ChatStorageIntegrationTest, BlocksStopDirectMessagesBothWays) {
  absl::StatusOr<OpenedRoom> direct = service_->OpenDirectRoom(kAlice, kBob);
  ASSERT_TRUE(direct.ok()) << direct.status();
  Send(kBob, direct->room.id, "hello");
  ASSERT_TRUE(service_->BlockUser(kBob, kAlice).ok());
  ASSERT_TRUE(service_->BlockUser(kBob, kAlice).ok());
  for (const char* sender : {kAlice, kBob}) {
    EXPECT_EQ(service_->SendMessage(sender, direct->room.id, {.content = "x", .client_msg_id = {}})
                  .status()
                  .code(),
              absl::StatusCode::kPermissionDenied)
        << sender;
  }
  EXPECT_EQ(service_->OpenDirectRoom(kAlice, kBob).status().code(),
            absl::StatusCode::kPermissionDenied);
  absl::StatusOr<BlockRelations> relations = service_->GetBlockRelations(kAlice);
  EXPECT_THAT(relations->blocked_by_user_ids, ElementsAre(kBob));
  EXPECT_THAT(relations->blocked_user_ids, IsEmpty());
  ASSERT_TRUE(service_->UnblockUser(kBob, kAlice).ok());
  EXPECT_TRUE(service_->OpenDirectRoom(kAlice, kBob).ok());
  EXPECT_EQ(Send(kAlice, direct->room.id, "friends again").seq, 2);
}

TEST_F(ChatStorageIntegrationTest, UnreadCountsAndTheLastMessage) {
  Room room = MakeRoom(kAlice);
  Room other = MakeRoom(kBob);
  ASSERT_TRUE(service_->JoinRoom(kBob, room.id).ok());
  Send(kAlice, room.id, "1");
  Send(kAlice, room.id, "2");
  Message third = Send(kAlice, room.id, "3");

  absl::StatusOr<std::vector<RoomSummary>> bobs = service_->ListRooms(kBob);
  ASSERT_TRUE(bobs.ok()) << bobs.status();
  ASSERT_EQ(bobs->size(), 2u);
  EXPECT_EQ((*bobs)[0].room.id, room.id);  // Latest activity first.
  EXPECT_EQ((*bobs)[0].unread_count, 3);
  ASSERT_TRUE((*bobs)[0].last_message.has_value());
  EXPECT_EQ((*bobs)[0].last_message->id, third.id);
  EXPECT_EQ((*bobs)[1].room.id, other.id);
  EXPECT_FALSE((*bobs)[1].last_message.has_value());
  EXPECT_EQ((*service_->ListRooms(kAlice))[0].unread_count, 0);

  EXPECT_EQ(*service_->MarkRead(kBob, room.id, 2), 2);
  EXPECT_EQ(*service_->MarkRead(kBob, room.id, 1), 2);
  EXPECT_EQ((*service_->ListRooms(kBob))[0].unread_count, 1);
  EXPECT_EQ(service_->MarkRead(kBob, room.id, 4).status().code(), absl::StatusCode::kOutOfRange);
  Send(kBob, room.id, "4");
  EXPECT_EQ((*service_->ListRooms(kBob))[0].unread_count, 0);
  EXPECT_EQ((*service_->ListRooms(kAlice))[0].unread_count, 1);
  // Deleting the last message keeps it as the last (deleted) slot.
  ASSERT_TRUE(service_->DeleteMessage(kAlice, room.id, third.id).ok());
  EXPECT_EQ((*service_->ListRooms(kAlice))[0].last_message->seq, 4);
}

TEST_F(ChatStorageIntegrationTest, EditsAndDeletesKeepTheSlot) {
  Room room = MakeRoom(kAlice);
  Message message = Send(kAlice, room.id, "draft");
  absl::StatusOr<Message> edited = service_->EditMessage(kAlice, room.id, message.id, "final");
  ASSERT_TRUE(edited.ok()) << edited.status();
  EXPECT_TRUE(edited->edited);
  EXPECT_EQ(edited->seq, 1);
  EXPECT_GE(edited->updated_at, message.created_at);
  absl::StatusOr<Message> deleted = service_->DeleteMessage(kAlice, room.id, message.id);
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_TRUE(deleted->deleted);
  EXPECT_EQ(deleted->content, "");
  EXPECT_EQ(service_->EditMessage(kAlice, room.id, message.id, "again").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(messages_->UpdateContent(message.id, "race", absl::Now(), {}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  absl::StatusOr<DeletedMessage> twice = messages_->MarkDeleted(message.id, absl::Now());
  ASSERT_TRUE(twice.ok());
  EXPECT_FALSE(twice->changed);
  EXPECT_EQ(messages_->MarkDeleted(kNobody, absl::Now()).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Query("SELECT attachments::text FROM messages"), std::vector<std::string>{"[]"});
}

TEST_F(ChatStorageIntegrationTest, ContactsBlocksAndReports) {
  ASSERT_TRUE(service_->AddContact(kAlice, {.user_id = kBob, .email = {}}).ok());
  absl::StatusOr<AddContactResult> carol =
      service_->AddContact(kAlice, {.user_id = {}, .email = "carol@example.com"});
  ASSERT_TRUE(carol.ok()) << carol.status();
  EXPECT_TRUE(carol->created);
  EXPECT_FALSE(service_->AddContact(kAlice, {.user_id = kCarol, .email = {}})->created);
  ASSERT_TRUE(service_->BlockUser(kAlice, kCarol).ok());
  absl::StatusOr<std::vector<ContactView>> contacts = service_->ListContacts(kAlice);
  ASSERT_TRUE(contacts.ok()) << contacts.status();
  ASSERT_EQ(contacts->size(), 2u);
  EXPECT_EQ((*contacts)[0].contact.contact_id, kCarol);
  EXPECT_TRUE((*contacts)[0].contact.blocked);
  EXPECT_EQ((*contacts)[0].username, "carol");
  EXPECT_FALSE((*contacts)[1].contact.blocked);

  EXPECT_TRUE(service_->ReportUser(kAlice, kBob, "spam").ok());
  EXPECT_TRUE(service_->ReportUser(kAlice, kCarol, "abuse").ok());
  EXPECT_EQ(service_->ReportUser(kAlice, kBob, "more").status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(Query("SELECT reason || ':' || status FROM reports ORDER BY id"),
            (std::vector<std::string>{"spam:open", "abuse:open"}));
}

TEST_F(ChatStorageIntegrationTest, AccessChecksInOneQuery) {
  Room open = MakeRoom(kAlice);
  Room closed = MakeRoom(kAlice, "private");
  absl::StatusOr<std::vector<RoomAccessResult>> results =
      service_->CheckRoomAccess(kBob, {closed.id, open.id, kNobody, "bad"});
  ASSERT_TRUE(results.ok()) << results.status();
  EXPECT_EQ((*results)[0].code, "permission_denied");
  EXPECT_TRUE((*results)[1].allowed);
  EXPECT_EQ((*results)[2].code, "not_found");
  EXPECT_EQ((*results)[3].code, "not_found");
  EXPECT_TRUE((*service_->CheckRoomAccess(kAlice, {closed.id}))[0].member);
}

}  // namespace
}  // namespace chatter::chat
