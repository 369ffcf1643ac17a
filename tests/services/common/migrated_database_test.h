// A gtest fixture for a service's real migrations: a fresh throwaway database and a small pool
// per test, and Migrate() applying the migrations embedded in the service's library.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "libs/pg/migration.h"
#include "libs/pg/migrator.h"
#include "libs/pg/pool.h"
#include "tests/libs/pg/test_database.h"

namespace chatter::pg {

class MigratedDatabaseTest : public ::testing::Test {
 protected:
  explicit MigratedDatabaseTest(std::string service) : service_(std::move(service)) {}

  void SetUp() override {
    absl::StatusOr<TestDatabase> db = TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    db_.emplace(*std::move(db));
    pool_.emplace(PoolOptions{.url = db_->url(), .size = 2});
  }

  absl::StatusOr<int> Migrate() { return Migrator(*pool_, service_).Apply(EmbeddedMigrations()); }

  void MigrateOrFail() {
    absl::StatusOr<int> applied = Migrate();
    ASSERT_TRUE(applied.ok()) << applied.status();
  }

  std::string service_;
  std::optional<TestDatabase> db_;
  std::optional<Pool> pool_;
};

}  // namespace chatter::pg
