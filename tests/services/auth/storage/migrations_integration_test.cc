// Integration test of auth-svc's real migrations (services/auth/storage/migrations, embedded in
// auth_svc_lib) on a fresh database: applied once, then a no-op with the same schema, and the
// constraints sign-up relies on (unique lower-case username and email) enforced by PostgreSQL.
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

class AuthMigrationsIntegrationTest : public MigratedDatabaseTest {
 protected:
  AuthMigrationsIntegrationTest() : MigratedDatabaseTest("auth-svc") {}

  absl::Status InsertUser(const std::string& id, const std::string& username,
                          const std::string& email) {
    return RunInTransaction(*pool_, "insert user", [&](pqxx::work& txn) {
      txn.exec_params(
          "INSERT INTO users (id, username, email, password_hash) VALUES ($1, $2, $3, 'x')", id,
          username, email);
      return absl::OkStatus();
    });
  }
};

constexpr char kAlice[] = "018f0000-0000-7000-8000-000000000001";
constexpr char kBob[] = "018f0000-0000-7000-8000-000000000002";

TEST_F(AuthMigrationsIntegrationTest, AppliesEveryMigrationOnceThenNothingWithTheSameSchema) {
  ASSERT_FALSE(EmbeddedMigrations().empty());
  absl::StatusOr<int> first = Migrate();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, static_cast<int>(EmbeddedMigrations().size()));
  std::vector<std::string> schema = SchemaSnapshot(db_->url());
  EXPECT_THAT(schema, Contains(HasSubstr("users_email_key")));
  EXPECT_THAT(PublicTables(db_->url()), IsSupersetOf({"users", "refresh_sessions"}));

  absl::StatusOr<int> second = Migrate();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(*second, 0);
  EXPECT_EQ(SchemaSnapshot(db_->url()), schema);
  EXPECT_EQ(CountRows(db_->url(), "schema_migrations"),
            static_cast<long>(EmbeddedMigrations().size()));
}

TEST_F(AuthMigrationsIntegrationTest, DuplicateUsernameIsAlreadyExistsNamingItsIndex) {
  MigrateOrFail();
  ASSERT_TRUE(InsertUser(kAlice, "alice", "alice@example.com").ok());
  absl::Status duplicate = InsertUser(kBob, "alice", "bob@example.com");
  EXPECT_EQ(duplicate.code(), absl::StatusCode::kAlreadyExists) << duplicate;
  EXPECT_TRUE(ViolatesConstraint(duplicate, "users_username_key")) << duplicate;
  EXPECT_FALSE(ViolatesConstraint(duplicate, "users_email_key")) << duplicate;
}

TEST_F(AuthMigrationsIntegrationTest, DuplicateEmailIsAlreadyExistsNamingItsIndex) {
  MigrateOrFail();
  ASSERT_TRUE(InsertUser(kAlice, "alice", "alice@example.com").ok());
  absl::Status duplicate = InsertUser(kBob, "bob", "alice@example.com");
  EXPECT_EQ(duplicate.code(), absl::StatusCode::kAlreadyExists) << duplicate;
  EXPECT_TRUE(ViolatesConstraint(duplicate, "users_email_key")) << duplicate;
  // No row values (DETAIL) leak into the message.
  EXPECT_THAT(duplicate.message(), ::testing::Not(HasSubstr("alice@example.com")));
}

TEST_F(AuthMigrationsIntegrationTest, UsernameAndEmailMustBeStoredLowerCase) {
  MigrateOrFail();
  absl::Status upper_name = InsertUser(kAlice, "Alice", "alice@example.com");
  EXPECT_EQ(upper_name.code(), absl::StatusCode::kInvalidArgument) << upper_name;
  EXPECT_TRUE(ViolatesConstraint(upper_name, "users_username_format")) << upper_name;

  absl::Status upper_email = InsertUser(kAlice, "alice", "Alice@Example.com");
  EXPECT_EQ(upper_email.code(), absl::StatusCode::kInvalidArgument) << upper_email;
  EXPECT_TRUE(ViolatesConstraint(upper_email, "users_email_lower")) << upper_email;

  // So the unique indexes on the stored values are case-insensitive uniqueness.
  ASSERT_TRUE(InsertUser(kAlice, "alice", "alice@example.com").ok());
  EXPECT_EQ(CountRows(db_->url(), "users"), 1);
}

TEST_F(AuthMigrationsIntegrationTest, RefreshTokenHashesAreUniqueAndDieWithTheirUser) {
  MigrateOrFail();
  ASSERT_TRUE(InsertUser(kAlice, "alice", "alice@example.com").ok());
  auto insert_session = [&](const std::string& id) {
    return RunInTransaction(*pool_, "insert session", [&](pqxx::work& txn) {
      txn.exec_params(
          "INSERT INTO refresh_sessions (id, family_id, user_id, token_hash, expires_at) "
          "VALUES ($1, $1, $2, decode(repeat('ab', 32), 'hex'), now() + interval '1 day')",
          id, kAlice);
      return absl::OkStatus();
    });
  };
  ASSERT_TRUE(insert_session("018f0000-0000-7000-8000-0000000000a1").ok());
  absl::Status duplicate = insert_session("018f0000-0000-7000-8000-0000000000a2");
  EXPECT_EQ(duplicate.code(), absl::StatusCode::kAlreadyExists) << duplicate;
  EXPECT_TRUE(ViolatesConstraint(duplicate, "refresh_sessions_token_hash_key")) << duplicate;

  absl::Status deleted = RunInTransaction(*pool_, "delete user", [&](pqxx::work& txn) {
    txn.exec_params("DELETE FROM users WHERE id = $1", kAlice);
    return absl::OkStatus();
  });
  ASSERT_TRUE(deleted.ok()) << deleted;
  EXPECT_EQ(CountRows(db_->url(), "refresh_sessions"), 0);
}

}  // namespace
}  // namespace chatter::pg
