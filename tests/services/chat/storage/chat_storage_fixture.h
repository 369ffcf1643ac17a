// The fixture of chat-svc's storage integration tests: ChatService and ConversationService over
// the PostgreSQL repositories of a throwaway database, migrated as chat-svc migrates it.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/pg/errors.h"
#include "libs/pg/migrator.h"
#include "libs/pg/pool.h"
#include "services/chat/domain/chat_service.h"
#include "services/chat/domain/conversation_service.h"
#include "services/chat/storage/group_commit_messages.h"
#include "services/chat/storage/pg_admin_request_log.h"
#include "services/chat/storage/pg_contact_repository.h"
#include "services/chat/storage/pg_conversation_repository.h"
#include "services/chat/storage/pg_message_repository.h"
#include "services/chat/storage/pg_room_repository.h"
#include "tests/fakes/chat/fake_user_directory.h"
#include "tests/fakes/chat/recording_event_publisher.h"
#include "tests/libs/pg/test_database.h"

namespace chatter::chat {

inline constexpr char kAlice[] = "018f0000-0000-7000-8000-00000000000a";
inline constexpr char kBob[] = "018f0000-0000-7000-8000-00000000000b";
inline constexpr char kCarol[] = "018f0000-0000-7000-8000-00000000000c";
inline constexpr char kNobody[] = "018f0000-0000-7000-8000-0000000000ff";

// User ids for the concurrency tests: ...0001, ...0002, ...
inline std::string UserId(int n) {
  std::string suffix = std::to_string(n);
  return "018f0000-0000-7000-8000-1" + std::string(11 - suffix.size(), '0') + suffix;
}

inline std::vector<int64_t> Seqs(const std::vector<Message>& messages) {
  std::vector<int64_t> seqs;
  for (const Message& message : messages) seqs.push_back(message.seq);
  return seqs;
}

class ChatStorageIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<pg::TestDatabase> database = pg::TestDatabase::Create();
    ASSERT_TRUE(database.ok()) << database.status();
    database_.emplace(*std::move(database));
    std::vector<pg::PreparedStatement> statements = PgRoomRepository::Statements();
    for (auto& statement : PgMessageRepository::Statements()) statements.push_back(statement);
    for (auto& statement : PgContactRepository::Statements()) statements.push_back(statement);
    for (auto& statement : PgConversationRepository::Statements()) {
      statements.push_back(statement);
    }
    for (auto& statement : PgAdminRequestLog::Statements()) statements.push_back(statement);
    pool_ = std::make_unique<pg::Pool>(
        pg::PoolOptions{.url = database_->url(), .size = 20, .prepared = statements});
    absl::StatusOr<int> migrated = pg::Migrator(*pool_, "chat-svc").Apply(pg::EmbeddedMigrations());
    ASSERT_TRUE(migrated.ok()) << migrated.status();
    rooms_ = std::make_unique<PgRoomRepository>(*pool_);
    messages_ = std::make_unique<PgMessageRepository>(*pool_);
    // As in production: sends go through the group commit.
    sends_ = std::make_unique<GroupCommitMessages>(*messages_, *messages_, registry_,
                                                   GroupCommitMessages::Options{});
    contacts_ = std::make_unique<PgContactRepository>(*pool_);
    uuids_ = std::make_unique<ids::UuidGenerator>(clock_, random_);
    service_ = std::make_unique<ChatService>(ChatPolicy{.max_reports_per_day = 2}, *rooms_, *sends_,
                                             *contacts_, users_, events_, *uuids_, clock_);
    conversations_ = std::make_unique<PgConversationRepository>(*pool_);
    delivered_ = std::make_unique<DeliveryMarkers>(*conversations_, events_, *uuids_, clock_);
    conversation_service_ = std::make_unique<ConversationService>(
        *rooms_, *sends_, *contacts_, *conversations_, *delivered_, events_, *uuids_, clock_);
    users_.AddUser(kAlice, "alice", "alice@example.com");
    users_.AddUser(kBob, "bob", "bob@example.com");
    users_.AddUser(kCarol, "carol", "carol@example.com");
    for (int i = 1; i <= 64; ++i) users_.AddUser(UserId(i), absl::StrCat("user", i), "");
  }

  // Runs `sql` and returns the first column of every row as text.
  std::vector<std::string> Query(const std::string& sql) {
    absl::StatusOr<std::vector<std::string>> values = pg::RunInTransaction(
        *pool_, "query", [&](pqxx::work& txn) -> absl::StatusOr<std::vector<std::string>> {
          std::vector<std::string> column;
          for (const pqxx::row& row : txn.exec(sql)) column.push_back(row[0].c_str());
          return column;
        });
    EXPECT_TRUE(values.ok()) << values.status();
    return values.ok() ? *values : std::vector<std::string>{};
  }

  Room MakeRoom(const std::string& owner, const std::string& visibility = "public") {
    absl::StatusOr<Room> room = service_->CreateRoom(owner, "room", visibility);
    EXPECT_TRUE(room.ok()) << room.status();
    return room.ok() ? *room : Room{};
  }

  Message Send(const std::string& sender, const std::string& room_id, const std::string& text,
               std::optional<std::string> client_msg_id = std::nullopt) {
    absl::StatusOr<StoredMessage> stored = service_->SendMessage(
        sender, room_id, {.content = text, .client_msg_id = client_msg_id, .attachments = {}});
    EXPECT_TRUE(stored.ok()) << stored.status();
    return stored.ok() ? stored->message : Message{};
  }

  // `count` threads run `body(thread_index)` at once (released together).
  static void RunConcurrently(int count, const std::function<void(int)>& body) {
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < count; ++i) {
      threads.emplace_back([&, i] {
        while (!go.load()) std::this_thread::yield();
        body(i);
      });
    }
    go.store(true);
    for (std::thread& thread : threads) thread.join();
  }

  std::optional<pg::TestDatabase> database_;
  std::unique_ptr<pg::Pool> pool_;
  std::unique_ptr<PgRoomRepository> rooms_;
  std::unique_ptr<PgMessageRepository> messages_;
  metrics::Registry registry_;
  std::unique_ptr<GroupCommitMessages> sends_;
  std::unique_ptr<PgContactRepository> contacts_;
  ids::SystemClock clock_;
  ids::SodiumRandomSource random_;
  std::unique_ptr<ids::UuidGenerator> uuids_;
  FakeUserDirectory users_;
  RecordingEventPublisher events_;
  std::unique_ptr<ChatService> service_;
  std::unique_ptr<PgConversationRepository> conversations_;
  std::unique_ptr<DeliveryMarkers> delivered_;
  std::unique_ptr<ConversationService> conversation_service_;
};

}  // namespace chatter::chat
