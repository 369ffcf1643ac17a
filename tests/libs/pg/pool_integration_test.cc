// Integration tests for Pool against a real PostgreSQL (CHATTER_TEST_PG_URL): bounds, timed
// waits, hand-over to waiters, prepared statements and discarding broken connections.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <pqxx/nontransaction>
#include <pqxx/transaction>
#include <thread>

#include "absl/time/clock.h"
#include "libs/pg/errors.h"
#include "libs/pg/pool.h"
#include "tests/libs/pg/test_database.h"

namespace chatter::pg {
namespace {

using ::testing::HasSubstr;

class PoolIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<TestDatabase> db = TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    db_.emplace(*std::move(db));
  }

  PoolOptions Options(int size) const {
    return PoolOptions{.url = db_->url(), .size = size, .acquire_timeout = absl::Milliseconds(200)};
  }

  // Ends a server session the way a failover or an idle-connection reaper would.
  void TerminateBackend(int pid) {
    pqxx::connection admin(db_->url());
    pqxx::nontransaction txn(admin);
    txn.exec_params("SELECT pg_terminate_backend($1)", pid);
    // Wait until the server has really ended the session.
    const absl::Time deadline = absl::Now() + absl::Seconds(5);
    while (txn.exec_params1("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pid)[0]
               .as<int>() != 0) {
      ASSERT_LT(absl::Now(), deadline) << "backend " << pid << " did not exit";
      absl::SleepFor(absl::Milliseconds(1));
    }
  }

  std::optional<TestDatabase> db_;
};

int BackendPid(const Lease& lease) { return lease.conn().backendpid(); }

// Polls instead of sleeping a fixed time: returns as soon as `done` holds, false after 5s.
template <typename Predicate>
bool Eventually(Predicate done) {
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (!done()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(1));
  }
  return true;
}

TEST_F(PoolIntegrationTest, AcquiresUpToSizeThenTimesOutWithUnavailable) {
  Pool pool(Options(2));
  absl::StatusOr<Lease> first = pool.Acquire();
  absl::StatusOr<Lease> second = pool.Acquire();
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_NE(BackendPid(*first), BackendPid(*second));
  EXPECT_EQ(pool.Stats().open, 2);
  EXPECT_EQ(pool.Stats().in_use, 2);

  const absl::Time start = absl::Now();
  const absl::StatusOr<Lease> third = pool.Acquire();
  const absl::Duration waited = absl::Now() - start;
  EXPECT_EQ(third.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(third.status().message(), HasSubstr("database pool exhausted"));
  EXPECT_GE(waited, absl::Milliseconds(190));
  EXPECT_LT(waited, absl::Seconds(2));
  EXPECT_EQ(pool.Stats().waiting, 0);
}

TEST_F(PoolIntegrationTest, ReleasingALeaseUnblocksAWaiter) {
  PoolOptions options = Options(1);
  options.acquire_timeout = absl::Seconds(30);
  Pool pool(options);
  std::optional<absl::StatusOr<Lease>> held = pool.Acquire();
  ASSERT_TRUE(held->ok()) << held->status();
  const int pid = BackendPid(**held);

  absl::StatusOr<Lease> handed_over = absl::UnknownError("not run");
  std::thread waiter([&] { handed_over = pool.Acquire(); });
  ASSERT_TRUE(Eventually([&] { return pool.Stats().waiting == 1; }));
  const absl::Time released = absl::Now();
  held.reset();
  waiter.join();

  ASSERT_TRUE(handed_over.ok()) << handed_over.status();
  EXPECT_LT(absl::Now() - released, absl::Seconds(5));
  EXPECT_EQ(BackendPid(*handed_over), pid);  // the same connection, not a new one
  EXPECT_EQ(pool.Stats().open, 1);
}

TEST_F(PoolIntegrationTest, ReusesIdleConnections) {
  Pool pool(Options(4));
  int pid = 0;
  {
    absl::StatusOr<Lease> lease = pool.Acquire();
    ASSERT_TRUE(lease.ok()) << lease.status();
    pid = BackendPid(*lease);
  }
  EXPECT_EQ(pool.Stats().in_use, 0);
  absl::StatusOr<Lease> again = pool.Acquire();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(BackendPid(*again), pid);
  EXPECT_EQ(pool.Stats().open, 1);
}

TEST_F(PoolIntegrationTest, PreparedStatementsAreUsableOnEveryConnection) {
  PoolOptions options = Options(2);
  options.prepared = {{"add", "SELECT $1::int + $2::int"}, {"echo", "SELECT $1::text"}};
  Pool pool(options);
  absl::StatusOr<Lease> first = pool.Acquire();
  absl::StatusOr<Lease> second = pool.Acquire();
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok()) << second.status();
  for (Lease* lease : {&*first, &*second}) {
    pqxx::work txn(lease->conn());
    EXPECT_EQ(txn.exec_prepared1("add", 2, 3)[0].as<int>(), 5);
    EXPECT_EQ(txn.exec_prepared1("echo", "hi")[0].as<std::string>(), "hi");
  }
}

TEST_F(PoolIntegrationTest, MarkBrokenClosesTheConnectionOnRelease) {
  Pool pool(Options(2));
  int pid = 0;
  {
    absl::StatusOr<Lease> lease = pool.Acquire();
    ASSERT_TRUE(lease.ok()) << lease.status();
    pid = BackendPid(*lease);
    lease->MarkBroken();
  }
  EXPECT_EQ(pool.Stats().open, 0);
  absl::StatusOr<Lease> fresh = pool.Acquire();
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  EXPECT_NE(BackendPid(*fresh), pid);
}

TEST_F(PoolIntegrationTest, KilledConnectionIsUnavailableThenReplaced) {
  Pool pool(Options(2));
  absl::StatusOr<Lease> victim = pool.Acquire();
  ASSERT_TRUE(victim.ok()) << victim.status();
  const int pid = BackendPid(*victim);
  TerminateBackend(pid);
  absl::Status status = absl::OkStatus();
  try {
    pqxx::nontransaction txn(victim->conn());
    txn.exec("SELECT 1");
  } catch (const std::exception& e) {
    status = StatusFromException(e, "using killed connection");
  }
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  victim = absl::UnknownError("released");  // hands the dead connection back
  EXPECT_EQ(pool.Stats().open, 0);

  const absl::Status ping = pool.Ping();
  EXPECT_TRUE(ping.ok()) << ping;
  EXPECT_EQ(pool.Stats().open, 1);
}

TEST_F(PoolIntegrationTest, KilledIdleConnectionFailsOnceThenIsReplaced) {
  Pool pool(Options(2));
  int pid = 0;
  {
    absl::StatusOr<Lease> lease = pool.Acquire();
    ASSERT_TRUE(lease.ok()) << lease.status();
    pid = BackendPid(*lease);
  }
  TerminateBackend(pid);
  // The idle connection still looks open to libpq until it is used.
  const absl::Status first = RunInTransaction(pool, "after kill", [](pqxx::work& txn) {
    txn.exec("SELECT 1");
    return absl::OkStatus();
  });
  EXPECT_EQ(first.code(), absl::StatusCode::kUnavailable) << first;
  EXPECT_EQ(pool.Stats().open, 0);
  const absl::StatusOr<int> second =
      RunInTransaction(pool, [](pqxx::work& txn) -> absl::StatusOr<int> {
        return txn.exec1("SELECT pg_backend_pid()")[0].as<int>();
      });
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_NE(*second, pid);
}

TEST_F(PoolIntegrationTest, PingSucceeds) {
  Pool pool(Options(1));
  EXPECT_TRUE(pool.Ping().ok());
  const PoolStats stats = pool.Stats();
  EXPECT_EQ(stats.open, 1);
  EXPECT_EQ(stats.in_use, 0);
}

}  // namespace
}  // namespace chatter::pg
