// Integration test of chat-svc's real migrations (services/chat/storage/migrations, embedded in
// chat_svc_lib) on a fresh database: applied once, then a no-op with the same schema, and the
// constraints the service relies on (idempotent sends, one direct room per pair) enforced.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <pqxx/transaction>
#include <string>

#include "absl/status/status.h"
#include "libs/pg/errors.h"
#include "libs/pg/migration.h"
#include "libs/pg/migrator.h"
#include "libs/pg/pool.h"
#include "tests/libs/pg/test_database.h"
#include "tests/services/common/migrated_database_test.h"
#include "tests/services/common/schema_snapshot.h"

namespace chatter::pg {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;

constexpr char kRoom[] = "018f0000-0000-7000-8000-0000000000f1";
constexpr char kOtherRoom[] = "018f0000-0000-7000-8000-0000000000f2";
constexpr char kAlice[] = "018f0000-0000-7000-8000-000000000001";
constexpr char kBob[] = "018f0000-0000-7000-8000-000000000002";

class ChatMigrationsIntegrationTest : public MigratedDatabaseTest {
 protected:
  ChatMigrationsIntegrationTest() : MigratedDatabaseTest("chat-svc") {}

  // Runs one statement with text parameters in its own transaction.
  template <typename... Args>
  absl::Status Exec(const std::string& sql, const Args&... args) {
    return RunInTransaction(*pool_, "exec", [&](pqxx::work& txn) {
      txn.exec_params(sql, args...);
      return absl::OkStatus();
    });
  }

  absl::Status InsertRoom(const std::string& id, const std::string& kind,
                          std::optional<std::string> direct_key) {
    return Exec(
        "INSERT INTO rooms (id, kind, name, visibility, created_by, direct_key) "
        "VALUES ($1, $2, 'room', 'public', $3, $4)",
        id, kind, kAlice, direct_key);
  }

  absl::Status InsertMessage(const std::string& room, long seq, const std::string& id,
                             const std::string& sender, std::optional<std::string> client_msg_id) {
    return Exec(
        "INSERT INTO messages (room_id, seq, id, sender_id, content, client_msg_id) "
        "VALUES ($1, $2, $3, $4, 'hi', $5)",
        room, seq, id, sender, client_msg_id);
  }
};

// Message ids: distinct UUIDs from a small counter.
std::string MessageId(int n) {
  std::string suffix = std::to_string(n);
  return "018f0000-0000-7000-8000-" + std::string(12 - suffix.size(), '0') + suffix;
}

TEST_F(ChatMigrationsIntegrationTest, AppliesEveryMigrationOnceThenNothingWithTheSameSchema) {
  ASSERT_FALSE(EmbeddedMigrations().empty());
  absl::StatusOr<int> first = Migrate();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, static_cast<int>(EmbeddedMigrations().size()));
  std::vector<std::string> schema = SchemaSnapshot(db_->url());
  EXPECT_THAT(schema, Contains(HasSubstr("messages_client_msg_key")));
  EXPECT_THAT(PublicTables(db_->url()),
              IsSupersetOf({"rooms", "room_members", "messages", "contacts", "blocks", "reports"}));

  absl::StatusOr<int> second = Migrate();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(*second, 0);
  EXPECT_EQ(SchemaSnapshot(db_->url()), schema);
  EXPECT_EQ(CountRows(db_->url(), "schema_migrations"),
            static_cast<long>(EmbeddedMigrations().size()));
}

TEST_F(ChatMigrationsIntegrationTest, RepeatedClientMessageIdOfOneSenderInOneRoomIsRejected) {
  MigrateOrFail();
  ASSERT_TRUE(InsertRoom(kRoom, "group", std::nullopt).ok());
  ASSERT_TRUE(InsertRoom(kOtherRoom, "group", std::nullopt).ok());
  ASSERT_TRUE(InsertMessage(kRoom, 1, MessageId(1), kAlice, "c-1").ok());

  absl::Status repeated = InsertMessage(kRoom, 2, MessageId(2), kAlice, "c-1");
  EXPECT_EQ(repeated.code(), absl::StatusCode::kAlreadyExists) << repeated;
  EXPECT_TRUE(ViolatesConstraint(repeated, "messages_client_msg_key")) << repeated;

  // The same client id is fine for another sender, in another room, and absent ids never clash.
  EXPECT_TRUE(InsertMessage(kRoom, 2, MessageId(2), kBob, "c-1").ok());
  EXPECT_TRUE(InsertMessage(kOtherRoom, 1, MessageId(3), kAlice, "c-1").ok());
  EXPECT_TRUE(InsertMessage(kRoom, 3, MessageId(4), kAlice, std::nullopt).ok());
  EXPECT_TRUE(InsertMessage(kRoom, 4, MessageId(5), kAlice, std::nullopt).ok());
  EXPECT_EQ(CountRows(db_->url(), "messages"), 5);
}

TEST_F(ChatMigrationsIntegrationTest, SeqAndMessageIdAreUnique) {
  MigrateOrFail();
  ASSERT_TRUE(InsertRoom(kRoom, "group", std::nullopt).ok());
  ASSERT_TRUE(InsertMessage(kRoom, 1, MessageId(1), kAlice, std::nullopt).ok());

  absl::Status same_seq = InsertMessage(kRoom, 1, MessageId(2), kAlice, std::nullopt);
  EXPECT_EQ(same_seq.code(), absl::StatusCode::kAlreadyExists) << same_seq;
  EXPECT_TRUE(ViolatesConstraint(same_seq, "messages_pkey")) << same_seq;

  absl::Status same_id = InsertMessage(kRoom, 2, MessageId(1), kAlice, std::nullopt);
  EXPECT_EQ(same_id.code(), absl::StatusCode::kAlreadyExists) << same_id;
  EXPECT_TRUE(ViolatesConstraint(same_id, "messages_id_key")) << same_id;
}

TEST_F(ChatMigrationsIntegrationTest, OneDirectRoomPerDirectKey) {
  MigrateOrFail();
  const std::string key = std::string(kAlice) + ":" + kBob;
  ASSERT_TRUE(InsertRoom(kRoom, "direct", key).ok());
  absl::Status second = InsertRoom(kOtherRoom, "direct", key);
  EXPECT_EQ(second.code(), absl::StatusCode::kAlreadyExists) << second;
  EXPECT_TRUE(ViolatesConstraint(second, "rooms_direct_key_key")) << second;
  EXPECT_EQ(CountRows(db_->url(), "rooms"), 1);
}

TEST_F(ChatMigrationsIntegrationTest, DirectKeyIsSetExactlyForDirectRooms) {
  MigrateOrFail();
  absl::Status group_with_key = InsertRoom(kRoom, "group", "a:b");
  EXPECT_EQ(group_with_key.code(), absl::StatusCode::kInvalidArgument) << group_with_key;
  EXPECT_TRUE(ViolatesConstraint(group_with_key, "rooms_direct_key_iff_direct")) << group_with_key;

  absl::Status direct_without_key = InsertRoom(kRoom, "direct", std::nullopt);
  EXPECT_EQ(direct_without_key.code(), absl::StatusCode::kInvalidArgument) << direct_without_key;
  EXPECT_TRUE(ViolatesConstraint(direct_without_key, "rooms_direct_key_iff_direct"))
      << direct_without_key;

  // Group rooms (no key) never clash with each other.
  EXPECT_TRUE(InsertRoom(kRoom, "group", std::nullopt).ok());
  EXPECT_TRUE(InsertRoom(kOtherRoom, "group", std::nullopt).ok());
}

}  // namespace
}  // namespace chatter::pg
