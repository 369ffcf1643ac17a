// Integration tests for RunInTransaction and the error mapping, with errors raised by a real
// PostgreSQL (CHATTER_TEST_PG_URL) rather than built by hand.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <pqxx/transaction>
#include <string>

#include "libs/pg/errors.h"
#include "libs/pg/pool.h"
#include "tests/libs/pg/test_database.h"

namespace chatter::pg {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class ErrorsIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<TestDatabase> db = TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    db_.emplace(*std::move(db));
    pool_ = std::make_unique<Pool>(PoolOptions{.url = db_->url(), .size = 2});
    const absl::Status created = RunInTransaction(*pool_, "schema", [](pqxx::work& txn) {
      txn.exec0(R"sql(
        CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL UNIQUE);
        CREATE TABLE posts (id int PRIMARY KEY, user_id int NOT NULL REFERENCES users (id),
                            title text NOT NULL CHECK (length(title) > 0));
      )sql");
      return absl::OkStatus();
    });
    ASSERT_TRUE(created.ok()) << created;
  }

  absl::Status Exec(const std::string& sql) {
    return RunInTransaction(*pool_, "test statement", [&](pqxx::work& txn) {
      txn.exec0(sql);
      return absl::OkStatus();
    });
  }

  absl::StatusOr<int> CountUsers() {
    return RunInTransaction(*pool_, [](pqxx::work& txn) -> absl::StatusOr<int> {
      return txn.exec1("SELECT count(*) FROM users")[0].as<int>();
    });
  }

  // Declared in this order so the pool closes before the database is dropped.
  std::optional<TestDatabase> db_;
  std::unique_ptr<Pool> pool_;
};

TEST_F(ErrorsIntegrationTest, UniqueViolationIsAlreadyExistsNamingTheConstraint) {
  ASSERT_TRUE(Exec("INSERT INTO users VALUES (1, 'ada@example.com')").ok());
  const absl::Status status = Exec("INSERT INTO users VALUES (2, 'ada@example.com')");
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists) << status;
  EXPECT_TRUE(ViolatesConstraint(status, "users_email_key")) << status;
  EXPECT_THAT(status.message(), HasSubstr("test statement: "));
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("ada@example.com")));
}

TEST_F(ErrorsIntegrationTest, ForeignKeyViolationIsFailedPrecondition) {
  const absl::Status status = Exec("INSERT INTO posts VALUES (1, 42, 'hello')");
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_TRUE(ViolatesConstraint(status, "posts_user_id_fkey")) << status;
}

TEST_F(ErrorsIntegrationTest, CheckViolationAndBadInputAreInvalidArgument) {
  ASSERT_TRUE(Exec("INSERT INTO users VALUES (1, 'ada@example.com')").ok());
  const absl::Status check = Exec("INSERT INTO posts VALUES (1, 1, '')");
  EXPECT_EQ(check.code(), absl::StatusCode::kInvalidArgument) << check;
  EXPECT_TRUE(ViolatesConstraint(check, "posts_title_check")) << check;
  const absl::Status bad_input = Exec("INSERT INTO users VALUES ('x', 'x')");
  EXPECT_EQ(bad_input.code(), absl::StatusCode::kInvalidArgument) << bad_input;
  const absl::Status not_null = Exec("INSERT INTO users VALUES (3, NULL)");
  EXPECT_EQ(not_null.code(), absl::StatusCode::kInvalidArgument) << not_null;
}

TEST_F(ErrorsIntegrationTest, StatementTimeoutIsDeadlineExceeded) {
  const absl::Status status = RunInTransaction(*pool_, "slow query", [](pqxx::work& txn) {
    txn.exec0("SET LOCAL statement_timeout = 50");
    txn.exec("SELECT pg_sleep(5)");
    return absl::OkStatus();
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
  EXPECT_THAT(status.message(), HasSubstr("slow query: canceling statement"));
}

TEST_F(ErrorsIntegrationTest, OtherErrorsAreInternalWithoutTheSql) {
  const absl::Status status = Exec("SELECT secret_column FROM users");
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << status;
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("SELECT")));
}

TEST_F(ErrorsIntegrationTest, CommitsWhenTheCallbackReturnsOk) {
  ASSERT_TRUE(Exec("INSERT INTO users VALUES (1, 'ada@example.com')").ok());
  const absl::StatusOr<int> count = CountUsers();
  ASSERT_TRUE(count.ok()) << count.status();
  EXPECT_EQ(*count, 1);
}

TEST_F(ErrorsIntegrationTest, RollsBackWhenTheCallbackReturnsAnError) {
  const absl::Status status = RunInTransaction(*pool_, [](pqxx::work& txn) {
    txn.exec0("INSERT INTO users VALUES (1, 'ada@example.com')");
    return absl::NotFoundError("room 7");
  });
  EXPECT_EQ(status, absl::NotFoundError("room 7"));
  EXPECT_EQ(*CountUsers(), 0);
}

TEST_F(ErrorsIntegrationTest, RollsBackWhenAStatementFails) {
  const absl::Status status = RunInTransaction(*pool_, [](pqxx::work& txn) {
    txn.exec0("INSERT INTO users VALUES (1, 'ada@example.com')");
    txn.exec0("INSERT INTO users VALUES (2, 'ada@example.com')");
    return absl::OkStatus();
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(*CountUsers(), 0);
  // The connection stays usable after a failed statement.
  EXPECT_EQ(pool_->Stats().open, 1);
  EXPECT_TRUE(Exec("INSERT INTO users VALUES (1, 'ada@example.com')").ok());
}

TEST_F(ErrorsIntegrationTest, ReturnsUnavailableWhenThePoolIsExhausted) {
  Pool small(PoolOptions{.url = db_->url(), .size = 1, .acquire_timeout = absl::Milliseconds(50)});
  absl::StatusOr<Lease> held = small.Acquire();
  ASSERT_TRUE(held.ok()) << held.status();
  const absl::StatusOr<int> result =
      RunInTransaction(small, [](pqxx::work&) -> absl::StatusOr<int> { return 1; });
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace chatter::pg
