// Unit tests for the migrator's pure parts: checksums, version validation, and that invalid
// input is rejected before any connection is attempted.
#include "libs/pg/migrator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "libs/pg/migration.h"
#include "libs/pg/pool.h"

namespace chatter::pg {
namespace {

using ::testing::HasSubstr;

TEST(MigrationChecksumTest, IsFnv1a64InHex) {
  // Published FNV-1a 64 test vectors: the value is stored in databases, so it must never drift.
  EXPECT_EQ(MigrationChecksum(""), "cbf29ce484222325");
  EXPECT_EQ(MigrationChecksum("a"), "af63dc4c8601ec8c");
  EXPECT_EQ(MigrationChecksum("foobar"), "85944171f73967e8");
}

TEST(MigrationChecksumTest, ChangesWithAnyEdit) {
  EXPECT_NE(MigrationChecksum("CREATE TABLE a (id int);"),
            MigrationChecksum("CREATE TABLE a (id int); "));
}

TEST(MigrationTest, IsAggregateInitialisableAsEmbedMigrationsGeneratesIt) {
  const std::vector<Migration> migrations = {
      {1, "0001_rooms", R"chatter_sql(CREATE TABLE rooms (id uuid);)chatter_sql"},
      {2, "0002_messages", R"chatter_sql(CREATE TABLE messages (id uuid);)chatter_sql"},
  };
  EXPECT_EQ(migrations[1].version, 2);
  EXPECT_EQ(migrations[1].name, "0002_messages");
  EXPECT_TRUE(ValidateMigrations(migrations).ok());
}

TEST(ValidateMigrationsTest, AcceptsEmptyAndGaps) {
  EXPECT_TRUE(ValidateMigrations({}).ok());
  EXPECT_TRUE(ValidateMigrations({{1, "0001_a", ""}, {5, "0005_b", ""}}).ok());
}

TEST(ValidateMigrationsTest, RejectsDuplicateVersions) {
  const absl::Status status = ValidateMigrations({{1, "0001_a", ""}, {1, "0001_b", ""}});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("migration 1 (0001_b): duplicate version 1"));
}

TEST(ValidateMigrationsTest, RejectsDecreasingVersions) {
  const absl::Status status = ValidateMigrations({{2, "0002_a", ""}, {1, "0001_b", ""}});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("migration 1 (0001_b): versions must increase"));
}

TEST(ValidateMigrationsTest, RejectsNonPositiveVersions) {
  const absl::Status status = ValidateMigrations({{0, "0000_a", ""}});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("versions must be positive"));
}

TEST(MigratorTest, RejectsInvalidMigrationsBeforeConnecting) {
  // Nothing listens on port 1; reaching the database would make this UNAVAILABLE instead.
  Pool pool(PoolOptions{.url = "postgresql://postgres@127.0.0.1:1/postgres"});
  Migrator migrator(pool, "test");
  const absl::StatusOr<int> applied = migrator.Apply({{1, "0001_a", ""}, {1, "0001_b", ""}});
  EXPECT_EQ(applied.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(pool.Stats().open, 0);
}

}  // namespace
}  // namespace chatter::pg
