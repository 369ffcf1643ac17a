// Integration tests for Migrator against a real PostgreSQL (CHATTER_TEST_PG_URL), using the
// fixtures in testdata/migrations embedded exactly as services embed theirs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/pg/migration.h"
#include "libs/pg/migrator.h"
#include "libs/pg/pool.h"
#include "tests/libs/pg/test_database.h"

namespace chatter::pg {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class MigratorIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<TestDatabase> db = TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    db_.emplace(*std::move(db));
  }

  PoolOptions Options() const { return PoolOptions{.url = db_->url(), .size = 2}; }

  // Query results as text rows, through a connection of our own.
  std::vector<std::string> Rows(const std::string& sql) {
    pqxx::connection conn(db_->url());
    pqxx::nontransaction txn(conn);
    std::vector<std::string> rows;
    for (const pqxx::row& row : txn.exec(sql)) {
      std::string line;
      for (const pqxx::field& field : row) absl::StrAppend(&line, field.c_str(), "|");
      rows.push_back(line);
    }
    return rows;
  }

  // Tables, columns and indexes of the public schema.
  std::vector<std::string> Schema() {
    std::vector<std::string> schema = Rows(
        "SELECT table_name, column_name, data_type, is_nullable, column_default "
        "FROM information_schema.columns WHERE table_schema = 'public' "
        "ORDER BY table_name, column_name");
    for (std::string& index : Rows("SELECT indexname, indexdef FROM pg_indexes "
                                   "WHERE schemaname = 'public' ORDER BY indexname")) {
      schema.push_back(std::move(index));
    }
    return schema;
  }

  std::vector<std::string> AppliedVersions() {
    return Rows("SELECT version, name FROM schema_migrations ORDER BY version");
  }

  std::optional<TestDatabase> db_;
};

TEST_F(MigratorIntegrationTest, EmbeddedMigrationsAreCompiledInInOrder) {
  const std::vector<Migration>& migrations = EmbeddedMigrations();
  ASSERT_EQ(migrations.size(), 3u);
  EXPECT_EQ(migrations[0].version, 1);
  EXPECT_EQ(migrations[0].name, "0001_create_rooms");
  EXPECT_EQ(migrations[2].version, 3);
  EXPECT_THAT(migrations[1].sql, HasSubstr("CREATE INDEX messages_room_id_idx"));
}

TEST_F(MigratorIntegrationTest, SecondRunAppliesNothingAndLeavesTheSchemaAlone) {
  Pool pool(Options());
  Migrator migrator(pool, "rooms");
  const absl::StatusOr<int> first = migrator.Apply(EmbeddedMigrations());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, 3);
  const std::vector<std::string> schema = Schema();
  EXPECT_THAT(schema, testing::Contains(HasSubstr("rooms|topic|text|NO|")));

  const absl::StatusOr<int> second = migrator.Apply(EmbeddedMigrations());
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(*second, 0);
  EXPECT_EQ(Schema(), schema);
  EXPECT_THAT(AppliedVersions(), ElementsAre("1|0001_create_rooms|", "2|0002_create_messages|",
                                             "3|0003_add_room_topic|"));
  EXPECT_THAT(Rows("SELECT checksum FROM schema_migrations WHERE version = 1"),
              ElementsAre(MigrationChecksum(EmbeddedMigrations()[0].sql) + "|"));
}

TEST_F(MigratorIntegrationTest, AppliesOnlyMigrationsAddedSinceTheLastRun) {
  Pool pool(Options());
  Migrator migrator(pool, "rooms");
  const std::vector<Migration>& all = EmbeddedMigrations();
  const absl::StatusOr<int> first = migrator.Apply({all[0], all[1]});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, 2);
  const absl::StatusOr<int> second = migrator.Apply(all);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(*second, 1);
}

TEST_F(MigratorIntegrationTest, ChangedMigrationIsFailedPreconditionAndNothingMoreRuns) {
  Pool pool(Options());
  Migrator migrator(pool, "rooms");
  std::vector<Migration> migrations = {EmbeddedMigrations()[0], EmbeddedMigrations()[1]};
  ASSERT_TRUE(migrator.Apply(migrations).ok());

  migrations[1].sql += "\nCREATE INDEX messages_body_idx ON messages (body);";
  migrations.push_back(EmbeddedMigrations()[2]);
  const absl::StatusOr<int> result = migrator.Apply(migrations);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(result.status().message(),
            "migration 2 (0002_create_messages) was changed after it was applied");
  EXPECT_EQ(AppliedVersions().size(), 2u);  // 3 was held back too
}

TEST_F(MigratorIntegrationTest, FailedMigrationIsRolledBackAndNamed) {
  Pool pool(Options());
  Migrator migrator(pool, "rooms");
  std::vector<Migration> migrations = {
      EmbeddedMigrations()[0],
      {2, "0002_broken", "CREATE TABLE half (id int); SELECT no_such_column FROM rooms;"},
  };
  const absl::StatusOr<int> result = migrator.Apply(migrations);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(result.status().message(), HasSubstr("migration 2 (0002_broken): "));
  EXPECT_THAT(AppliedVersions(), ElementsAre("1|0001_create_rooms|"));
  EXPECT_TRUE(Rows("SELECT 1 FROM pg_tables WHERE tablename = 'half'").empty());

  // The lock was released: a fixed migration goes through, and no advisory lock lingers.
  migrations[1] = EmbeddedMigrations()[1];
  const absl::StatusOr<int> retried = migrator.Apply(migrations);
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(*retried, 1);
  EXPECT_TRUE(Rows("SELECT 1 FROM pg_locks WHERE locktype = 'advisory'").empty());
}

TEST_F(MigratorIntegrationTest, ConcurrentMigratorsApplyEachMigrationExactlyOnce) {
  // Migrations that fail if run twice, and that log every run, slow enough to overlap.
  std::vector<Migration> migrations = {
      {1, "0001_log", "CREATE TABLE runs (version int NOT NULL); INSERT INTO runs VALUES (1);"},
      {2, "0002_slow",
       "SELECT pg_sleep(0.2); CREATE TABLE t2 (id int); INSERT INTO runs VALUES (2);"},
      {3, "0003_more", "CREATE TABLE t3 (id int); INSERT INTO runs VALUES (3);"},
  };
  // Separate pools stand in for separate replicas.
  Pool pool_a(Options());
  Pool pool_b(Options());
  Migrator a(pool_a, "rooms");
  Migrator b(pool_b, "rooms");
  absl::StatusOr<int> applied_a = 0;
  absl::StatusOr<int> applied_b = 0;
  std::thread thread_a([&] { applied_a = a.Apply(migrations); });
  std::thread thread_b([&] { applied_b = b.Apply(migrations); });
  thread_a.join();
  thread_b.join();

  ASSERT_TRUE(applied_a.ok()) << applied_a.status();
  ASSERT_TRUE(applied_b.ok()) << applied_b.status();
  EXPECT_EQ(*applied_a + *applied_b, 3);
  EXPECT_THAT(Rows("SELECT version FROM runs ORDER BY version"), ElementsAre("1|", "2|", "3|"));
  EXPECT_EQ(AppliedVersions().size(), 3u);
}

TEST_F(MigratorIntegrationTest, UnreachableDatabaseIsUnavailable) {
  Pool pool(PoolOptions{.url = "postgresql://postgres@127.0.0.1:1/postgres"});
  Migrator migrator(pool, "rooms");
  EXPECT_EQ(migrator.Apply(EmbeddedMigrations()).status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace chatter::pg
