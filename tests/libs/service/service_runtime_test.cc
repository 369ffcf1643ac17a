// Tests for the shared service life cycle up to serving: subcommands, configuration validation
// (exit code 2), and `migrate` against a real PostgreSQL.
#include "libs/service/service_runtime.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <pqxx/pqxx>

#include "tests/libs/pg/test_database.h"

namespace chatter::service {
namespace {

const std::vector<pg::Migration> kMigrations = {
    {1, "0001_things", "CREATE TABLE things (id int PRIMARY KEY);"},
};

ServiceSpec Spec() {
  return {.name = "test-svc",
          .default_grpc_listen = "127.0.0.1:0",
          .default_admin_listen = "127.0.0.1:0",
          .uses_postgres = true,
          .uses_redis = false,
          .migrations = &kMigrations,
          .prepared_statements = {},
          .verifies_tokens_with_public_keys = false};
}

std::optional<int> InitializeWith(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  ServiceRuntime runtime(Spec(), static_cast<int>(argv.size()), argv.data());
  return runtime.Initialize();
}

class ServiceRuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"CHATTER_DATABASE_URL", "CHATTER_DB_POOL_SIZE", "CHATTER_LOG_LEVEL"}) {
      unsetenv(name);
    }
  }
};

TEST_F(ServiceRuntimeTest, VersionExitsZeroWithoutConfiguration) {
  EXPECT_EQ(InitializeWith({"test-svc", "--version"}), 0);
}

TEST_F(ServiceRuntimeTest, UnknownSubcommandIsAUsageError) {
  EXPECT_EQ(InitializeWith({"test-svc", "frobnicate"}), 2);
}

TEST_F(ServiceRuntimeTest, MissingDatabaseUrlExitsTwo) {
  EXPECT_EQ(InitializeWith({"test-svc", "migrate"}), 2);
}

TEST_F(ServiceRuntimeTest, MalformedSettingExitsTwo) {
  setenv("CHATTER_DATABASE_URL", "postgresql://u@127.0.0.1:1/db", 1);
  setenv("CHATTER_DB_POOL_SIZE", "many", 1);
  EXPECT_EQ(InitializeWith({"test-svc", "migrate"}), 2);
}

TEST_F(ServiceRuntimeTest, UnreachableDatabaseFailsMigrationWithExitOne) {
  setenv("CHATTER_DATABASE_URL", "postgresql://u@127.0.0.1:1/db", 1);
  EXPECT_EQ(InitializeWith({"test-svc", "migrate"}), 1);
}

TEST_F(ServiceRuntimeTest, MigrateAppliesTheSchemaAndIsIdempotent) {
  auto database = pg::TestDatabase::Create();
  ASSERT_TRUE(database.ok()) << database.status();
  setenv("CHATTER_DATABASE_URL", database->url().c_str(), 1);
  EXPECT_EQ(InitializeWith({"test-svc", "migrate"}), 0);
  EXPECT_EQ(InitializeWith({"test-svc", "migrate"}), 0);
  pqxx::connection connection(database->url());
  pqxx::nontransaction query(connection);
  EXPECT_EQ(query.exec1("SELECT count(*) FROM schema_migrations")[0].as<int>(), 1);
  EXPECT_EQ(query.exec1("SELECT count(*) FROM things")[0].as<int>(), 0);
}

}  // namespace
}  // namespace chatter::service
