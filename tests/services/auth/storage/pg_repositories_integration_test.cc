// auth-svc storage against a real PostgreSQL: unique accounts under concurrency, the refresh
// rotation chain, reuse detection revoking a whole family, logout and logout-all.
#include <gtest/gtest.h>

#include <atomic>
#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "libs/pg/migrator.h"
#include "libs/pg/pool.h"
#include "services/auth/domain/auth_service.h"
#include "services/auth/storage/pg_login_failure_repository.h"
#include "services/auth/storage/pg_revocation_log.h"
#include "services/auth/storage/pg_session_repository.h"
#include "services/auth/storage/pg_user_repository.h"
#include "tests/libs/pg/test_database.h"

namespace chatter::auth {
namespace {

using Outcome = RotationResult::Outcome;

class PgRepositoriesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto database = pg::TestDatabase::Create();
    ASSERT_TRUE(database.ok()) << database.status();
    database_.emplace(*std::move(database));
    std::vector<pg::PreparedStatement> statements = PgUserRepository::Statements();
    for (auto& statement : PgSessionRepository::Statements()) statements.push_back(statement);
    for (auto& statement : PgLoginFailureRepository::Statements()) {
      statements.push_back(statement);
    }
    for (auto& statement : PgRevocationLog::Statements()) statements.push_back(statement);
    pool_ = std::make_unique<pg::Pool>(
        pg::PoolOptions{.url = database_->url(), .size = 16, .prepared = statements});
    ASSERT_TRUE(pg::Migrator(*pool_, "auth-svc").Apply(pg::EmbeddedMigrations()).ok());
    users_ = std::make_unique<PgUserRepository>(*pool_);
    sessions_ = std::make_unique<PgSessionRepository>(*pool_);
    login_failures_ = std::make_unique<PgLoginFailureRepository>(*pool_);
    log_ = std::make_unique<PgRevocationLog>(*pool_);
  }

  // Usernames of deleted accounts stay held (no release).
  static absl::Time NoRelease() { return absl::UnixEpoch(); }
  static absl::Time Until() { return absl::Now() + absl::Minutes(17); }
  static RevocationWindow Window() {
    return {.issued_since = absl::Now() - absl::Minutes(17), .until = Until()};
  }
  // Every revocation in force, from the start of the log.
  std::vector<authn::Revocation> Logged() {
    auto page = log_->After(0, 1000);
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? page->revocations : std::vector<authn::Revocation>{};
  }
  static std::vector<std::string> Logins(const std::vector<authn::Revocation>& revocations) {
    std::vector<std::string> ids;
    for (const auto& revocation : revocations) ids.push_back(revocation.session_id);
    return ids;
  }

  User MakeUser(std::string id, std::string username, std::string email) {
    absl::Time now = absl::FromUnixMillis(absl::ToUnixMillis(absl::Now()));
    return User{.id = std::move(id),
                .username = std::move(username),
                .email = std::move(email),
                .password_hash = "$argon2id$fake",
                .created_at = now,
                .updated_at = now,
                .deleted_at = std::nullopt};
  }

  NewSession Session(std::string id, std::string family, std::string user, std::string token) {
    return NewSession{.id = std::move(id),
                      .family_id = std::move(family),
                      .user_id = std::move(user),
                      .token_hash_hex = HashRefreshToken(token),
                      .parent_id = std::nullopt,
                      .expires_at = absl::Now() + absl::Hours(1),
                      .user_agent = "test-agent",
                      .ip = "127.0.0.1"};
  }

  NewSession Next(std::string id, std::string token) {
    return Session(std::move(id), "", "", std::move(token));
  }

  static constexpr char kAlice[] = "00000000-0000-7000-8000-00000000000a";
  std::optional<pg::TestDatabase> database_;
  std::unique_ptr<pg::Pool> pool_;
  std::unique_ptr<PgUserRepository> users_;
  std::unique_ptr<PgSessionRepository> sessions_;
  std::unique_ptr<PgLoginFailureRepository> login_failures_;
  std::unique_ptr<PgRevocationLog> log_;
};

TEST_F(PgRepositoriesTest, LoginFailuresCountInAWindowThatStartsOverOnceClosed) {
  const std::string key = HashRefreshToken("alice");
  const std::string other = HashRefreshToken("bob");
  absl::Time now = absl::FromUnixMillis(1795342320000);
  EXPECT_EQ(login_failures_->Current(key, now)->failures, 0);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(login_failures_->Record(key, now + absl::Seconds(i), absl::Minutes(15)).ok());
  }
  ASSERT_TRUE(login_failures_->Record(other, now, absl::Minutes(15)).ok());
  absl::StatusOr<LoginFailureRepository::Window> window = login_failures_->Current(key, now);
  ASSERT_TRUE(window.ok()) << window.status();
  EXPECT_EQ(window->failures, 3);
  EXPECT_EQ(window->ends, now + absl::Minutes(15));  // The first failure opened it.
  EXPECT_EQ(login_failures_->Current(other, now)->failures, 1);

  absl::Time later = now + absl::Minutes(16);
  EXPECT_EQ(login_failures_->Current(key, later)->failures, 0);  // Closed.
  ASSERT_TRUE(login_failures_->Record(key, later, absl::Minutes(15)).ok());
  EXPECT_EQ(login_failures_->Current(key, later)->failures, 1);
  EXPECT_EQ(login_failures_->Current(key, later)->ends, later + absl::Minutes(15));
  // That record purged bob's closed window.
  {
    absl::StatusOr<pg::Lease> lease = pool_->Acquire();
    ASSERT_TRUE(lease.ok()) << lease.status();
    pqxx::nontransaction txn(lease->conn());
    EXPECT_EQ(txn.exec1("SELECT count(*) FROM login_failures")[0].as<int>(), 1);
  }

  ASSERT_TRUE(login_failures_->Clear(key).ok());
  EXPECT_EQ(login_failures_->Current(key, later)->failures, 0);
}

TEST_F(PgRepositoriesTest, ConcurrentLoginFailuresAreAllCounted) {
  const std::string key = HashRefreshToken("alice");
  absl::Time now = absl::FromUnixMillis(1795342320000);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        EXPECT_TRUE(login_failures_->Record(key, now, absl::Minutes(15)).ok());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(login_failures_->Current(key, now)->failures, 80);
}

TEST_F(PgRepositoriesTest, CreatesAndFindsUsers) {
  User alice = MakeUser(kAlice, "alice", "alice@example.com");
  ASSERT_TRUE(users_->Create(alice, NoRelease()).ok());
  auto by_id = users_->FindById(kAlice);
  ASSERT_TRUE(by_id.ok()) << by_id.status();
  EXPECT_EQ(by_id->username, "alice");
  EXPECT_EQ(by_id->created_at, alice.created_at);
  EXPECT_EQ(users_->FindByEmail("alice@example.com")->id, kAlice);
  EXPECT_EQ(users_->FindByUsername("alice")->id, kAlice);
  EXPECT_EQ(users_->FindByUsername("bob").status().code(), absl::StatusCode::kNotFound);
  auto many = users_->FindByIds({kAlice, "00000000-0000-7000-8000-0000000000ff"});
  ASSERT_TRUE(many.ok());
  ASSERT_EQ(many->size(), 1u);
}

TEST_F(PgRepositoriesTest, DuplicateNamesTheField) {
  ASSERT_TRUE(users_->Create(MakeUser(kAlice, "alice", "alice@example.com"), NoRelease()).ok());
  absl::Status same_name = users_->Create(
      MakeUser("00000000-0000-7000-8000-00000000000b", "alice", "x@example.com"), NoRelease());
  EXPECT_EQ(same_name.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(same_name.message(), "username is already taken");
  absl::Status same_email = users_->Create(
      MakeUser("00000000-0000-7000-8000-00000000000c", "alice2", "alice@example.com"), NoRelease());
  EXPECT_EQ(same_email.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(same_email.message(), "email is already registered");
}

TEST_F(PgRepositoriesTest, SixteenConcurrentSignUpsOfOneNameExactlyOneWins) {
  std::atomic<int> created{0};
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] {
      char id[37];
      std::snprintf(id, sizeof(id), "00000000-0000-7000-8000-0000000001%02d", i);
      absl::Status status = users_->Create(
          MakeUser(id, "racer", "racer" + std::to_string(i) + "@example.com"), NoRelease());
      if (status.ok()) ++created;
      if (status.code() == absl::StatusCode::kAlreadyExists) ++conflicts;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(conflicts.load(), 15);
}

TEST_F(PgRepositoriesTest, RotationChainSpendsEachTokenOnce) {
  ASSERT_TRUE(users_->Create(MakeUser(kAlice, "alice", "alice@example.com"), NoRelease()).ok());
  const std::string family = "00000000-0000-7000-8000-000000000101";
  ASSERT_TRUE(sessions_->Create(Session(family, family, kAlice, "t1")).ok());

  auto second = sessions_->Rotate(HashRefreshToken("t1"), absl::Now(),
                                  Next("00000000-0000-7000-8000-000000000102", "t2"), Until());
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->outcome, Outcome::kRotated);
  EXPECT_EQ(second->user_id, kAlice);
  EXPECT_EQ(second->family_id, family);

  auto third = sessions_->Rotate(HashRefreshToken("t2"), absl::Now(),
                                 Next("00000000-0000-7000-8000-000000000103", "t3"), Until());
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->outcome, Outcome::kRotated);
  EXPECT_EQ(third->family_id, family);

  auto unknown = sessions_->Rotate(HashRefreshToken("nope"), absl::Now(),
                                   Next("00000000-0000-7000-8000-000000000104", "t4"), Until());
  EXPECT_EQ(unknown->outcome, Outcome::kUnknown);
}

TEST_F(PgRepositoriesTest, ReuseRevokesTheWholeFamilyButNotOtherFamilies) {
  ASSERT_TRUE(users_->Create(MakeUser(kAlice, "alice", "alice@example.com"), NoRelease()).ok());
  const std::string family = "00000000-0000-7000-8000-000000000201";
  const std::string other = "00000000-0000-7000-8000-000000000301";
  ASSERT_TRUE(sessions_->Create(Session(family, family, kAlice, "a1")).ok());
  ASSERT_TRUE(sessions_->Create(Session(other, other, kAlice, "b1")).ok());
  ASSERT_EQ(sessions_
                ->Rotate(HashRefreshToken("a1"), absl::Now(),
                         Next("00000000-0000-7000-8000-000000000202", "a2"), Until())
                ->outcome,
            Outcome::kRotated);

  // The spent a1 comes back: a copy leaked. The family goes, a2 with it.
  auto reused = sessions_->Rotate(HashRefreshToken("a1"), absl::Now(),
                                  Next("00000000-0000-7000-8000-000000000203", "a3"), Until());
  ASSERT_TRUE(reused.ok()) << reused.status();
  EXPECT_EQ(reused->outcome, Outcome::kReused);
  EXPECT_EQ(sessions_
                ->Rotate(HashRefreshToken("a2"), absl::Now(),
                         Next("00000000-0000-7000-8000-000000000204", "a4"), Until())
                ->outcome,
            Outcome::kRevoked);
  // The user's other login is untouched.
  EXPECT_EQ(sessions_
                ->Rotate(HashRefreshToken("b1"), absl::Now(),
                         Next("00000000-0000-7000-8000-000000000302", "b2"), Until())
                ->outcome,
            Outcome::kRotated);
}

TEST_F(PgRepositoriesTest, ExpiredTokensDoNotRotate) {
  ASSERT_TRUE(users_->Create(MakeUser(kAlice, "alice", "alice@example.com"), NoRelease()).ok());
  const std::string family = "00000000-0000-7000-8000-000000000401";
  ASSERT_TRUE(sessions_->Create(Session(family, family, kAlice, "e1")).ok());
  auto later = sessions_->Rotate(HashRefreshToken("e1"), absl::Now() + absl::Hours(2),
                                 Next("00000000-0000-7000-8000-000000000402", "e2"), Until());
  EXPECT_EQ(later->outcome, Outcome::kExpired);
}

TEST_F(PgRepositoriesTest, LogoutRevokesOneFamilyLogoutAllEveryFamily) {
  ASSERT_TRUE(users_->Create(MakeUser(kAlice, "alice", "alice@example.com"), NoRelease()).ok());
  const std::string bob = "00000000-0000-7000-8000-00000000000b";
  ASSERT_TRUE(users_->Create(MakeUser(bob, "bob", "bob@example.com"), NoRelease()).ok());
  const std::string f1 = "00000000-0000-7000-8000-000000000501";
  const std::string f2 = "00000000-0000-7000-8000-000000000502";
  const std::string f3 = "00000000-0000-7000-8000-000000000503";
  const std::string fb = "00000000-0000-7000-8000-000000000504";
  ASSERT_TRUE(sessions_->Create(Session(f1, f1, kAlice, "l1")).ok());
  ASSERT_TRUE(sessions_->Create(Session(f2, f2, kAlice, "l2")).ok());
  ASSERT_TRUE(sessions_->Create(Session(f3, f3, kAlice, "l3")).ok());
  ASSERT_TRUE(sessions_->Create(Session(fb, fb, bob, "lb")).ok());

  EXPECT_EQ(sessions_->RevokeFamily(HashRefreshToken("l1"), bob, Until()).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(sessions_->RevokeFamily(HashRefreshToken("l1"), kAlice, Until()).ok());
  EXPECT_EQ(sessions_->RevokeFamily(HashRefreshToken("zz"), kAlice, Until()).code(),
            absl::StatusCode::kNotFound);
  auto n = [&](const char* id) { return NewSession(Next(id, std::string("n") + id)); };
  EXPECT_EQ(sessions_
                ->Rotate(HashRefreshToken("l1"), absl::Now(),
                         n("00000000-0000-7000-8000-000000000601"), Until())
                ->outcome,
            Outcome::kRevoked);

  auto revoked = sessions_->RevokeAllOfUser(kAlice, Window());
  ASSERT_TRUE(revoked.ok());
  EXPECT_EQ(*revoked, 2);  // l2 and l3; l1 was already revoked.
  EXPECT_EQ(sessions_
                ->Rotate(HashRefreshToken("l3"), absl::Now(),
                         n("00000000-0000-7000-8000-000000000602"), Until())
                ->outcome,
            Outcome::kRevoked);
  EXPECT_EQ(sessions_
                ->Rotate(HashRefreshToken("lb"), absl::Now(),
                         n("00000000-0000-7000-8000-000000000603"), Until())
                ->outcome,
            Outcome::kRotated);
  // The log: l1 by logout, then every login of Alice by logout_all (l1 again is harmless);
  // Bob's login is not in it.
  std::vector<std::string> logged = Logins(Logged());
  ASSERT_EQ(logged.size(), 4u);
  EXPECT_EQ(logged[0], f1);
  EXPECT_EQ(std::set<std::string>(logged.begin() + 1, logged.end()),
            (std::set<std::string>{f1, f2, f3}));
}

TEST_F(PgRepositoriesTest, ReuseDetectionLogsTheLoginAsEnded) {
  ASSERT_TRUE(users_->Create(MakeUser(kAlice, "alice", "alice@example.com"), NoRelease()).ok());
  const std::string family = "00000000-0000-7000-8000-000000000701";
  ASSERT_TRUE(sessions_->Create(Session(family, family, kAlice, "r1")).ok());
  ASSERT_TRUE(sessions_
                  ->Rotate(HashRefreshToken("r1"), absl::Now(),
                           Next("00000000-0000-7000-8000-000000000702", "r2"), Until())
                  .ok());
  EXPECT_TRUE(Logged().empty());
  ASSERT_EQ(sessions_
                ->Rotate(HashRefreshToken("r1"), absl::Now(),
                         Next("00000000-0000-7000-8000-000000000703", "r3"), Until())
                ->outcome,
            Outcome::kReused);
  std::vector<authn::Revocation> logged = Logged();
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0].session_id, family);
  EXPECT_EQ(logged[0].user_id, kAlice);
}

TEST_F(PgRepositoriesTest, TheLogIsReadByCursorAndSkipsEntriesThatRanOut) {
  ASSERT_TRUE(users_->Create(MakeUser(kAlice, "alice", "alice@example.com"), NoRelease()).ok());
  std::vector<std::string> families;
  for (int i = 0; i < 5; ++i) {
    std::string id = "00000000-0000-7000-8000-00000000080" + std::to_string(i);
    families.push_back(id);
    ASSERT_TRUE(sessions_->Create(Session(id, id, kAlice, "c" + std::to_string(i))).ok());
  }
  // c1 ends with an `until` already past: every token of it has expired, nobody needs it.
  for (int i = 0; i < 5; ++i) {
    absl::Time until = i == 1 ? absl::Now() - absl::Seconds(1) : Until();
    ASSERT_TRUE(
        sessions_->RevokeFamily(HashRefreshToken("c" + std::to_string(i)), kAlice, until).ok());
  }
  auto first = log_->After(0, 2);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(Logins(first->revocations), (std::vector<std::string>{families[0], families[2]}));
  auto second = log_->After(first->last_seq, 2);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(Logins(second->revocations), (std::vector<std::string>{families[3], families[4]}));
  auto third = log_->After(second->last_seq, 2);
  ASSERT_TRUE(third.ok());
  EXPECT_TRUE(third->revocations.empty());
  EXPECT_EQ(third->last_seq, second->last_seq);
  // Past a run-out entry the cursor still moves: it is not read again and again.
  auto from_first = log_->After(first->revocations[0].seq, 1);
  ASSERT_TRUE(from_first.ok());
  EXPECT_TRUE(from_first->revocations.empty());  // c1 only, which ran out.
  EXPECT_GT(from_first->last_seq, first->revocations[0].seq);
}

TEST_F(PgRepositoriesTest, ChangePasswordEndsEveryOtherLoginInOneTransaction) {
  ASSERT_TRUE(users_->Create(MakeUser(kAlice, "alice", "alice@example.com"), NoRelease()).ok());
  const std::string keep = "00000000-0000-7000-8000-000000000901";
  const std::string other = "00000000-0000-7000-8000-000000000902";
  ASSERT_TRUE(sessions_->Create(Session(keep, keep, kAlice, "k1")).ok());
  ASSERT_TRUE(sessions_->Create(Session(other, other, kAlice, "o1")).ok());
  ASSERT_TRUE(users_->ChangePassword(kAlice, "$argon2id$new", absl::Now(), keep, Window()).ok());
  EXPECT_EQ(users_->FindById(kAlice)->password_hash, "$argon2id$new");
  EXPECT_EQ(Logins(Logged()), std::vector<std::string>{other});
  EXPECT_EQ(sessions_
                ->Rotate(HashRefreshToken("o1"), absl::Now(),
                         Next("00000000-0000-7000-8000-000000000903", "o2"), Until())
                ->outcome,
            Outcome::kRevoked);
  EXPECT_EQ(sessions_
                ->Rotate(HashRefreshToken("k1"), absl::Now(),
                         Next("00000000-0000-7000-8000-000000000904", "k2"), Until())
                ->outcome,
            Outcome::kRotated);
  EXPECT_EQ(users_
                ->ChangePassword("00000000-0000-7000-8000-0000000000ff", "$x", absl::Now(), keep,
                                 Window())
                .code(),
            absl::StatusCode::kNotFound);
}

TEST_F(PgRepositoriesTest, LoginsOlderThanTheWindowLoseTheirRefreshTokensButAreNotLogged) {
  ASSERT_TRUE(users_->Create(MakeUser(kAlice, "alice", "alice@example.com"), NoRelease()).ok());
  const std::string family = "00000000-0000-7000-8000-000000000a01";
  ASSERT_TRUE(sessions_->Create(Session(family, family, kAlice, "w1")).ok());
  // Its last token was issued before the window: no access token of it can still be live.
  RevocationWindow later{.issued_since = absl::Now() + absl::Minutes(1), .until = Until()};
  EXPECT_EQ(*sessions_->RevokeAllOfUser(kAlice, later), 1);
  EXPECT_TRUE(Logged().empty());
}

TEST_F(PgRepositoriesTest, EraseLeavesATombstoneAndHoldsTheUsername) {
  ASSERT_TRUE(users_->Create(MakeUser(kAlice, "alice", "alice@example.com"), NoRelease()).ok());
  const std::string family = "00000000-0000-7000-8000-000000000b01";
  ASSERT_TRUE(sessions_->Create(Session(family, family, kAlice, "d1")).ok());
  absl::Time deleted_at = absl::FromUnixMillis(absl::ToUnixMillis(absl::Now()));
  ASSERT_TRUE(users_->Erase(kAlice, deleted_at, Window()).ok());
  EXPECT_EQ(users_->Erase(kAlice, deleted_at, Window()).code(), absl::StatusCode::kNotFound);

  auto tombstone = users_->FindById(kAlice);
  ASSERT_TRUE(tombstone.ok()) << tombstone.status();
  EXPECT_TRUE(tombstone->deleted());
  EXPECT_EQ(*tombstone->deleted_at, deleted_at);
  EXPECT_EQ(tombstone->username, "");
  EXPECT_EQ(tombstone->email, "");
  EXPECT_EQ(tombstone->password_hash, "");
  EXPECT_EQ(users_->FindByIds({kAlice})->size(), 1u);
  EXPECT_EQ(users_->FindByUsername("alice").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(users_->FindByEmail("alice@example.com").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Logins(Logged()), std::vector<std::string>{family});
  // The session records (address, user agent) are gone, not just revoked.
  pqxx::connection connection(database_->url());
  pqxx::work txn(connection);
  EXPECT_EQ(txn.exec1("SELECT count(*) FROM refresh_sessions").front().as<int>(), 0);
  EXPECT_EQ(txn.exec1("SELECT count(*) FROM users WHERE email IS NOT NULL OR password_hash IS "
                      "NOT NULL")
                .front()
                .as<int>(),
            0);
  txn.commit();

  // The email is free at once; the username only once the hold has passed.
  const std::string bob = "00000000-0000-7000-8000-00000000000b";
  absl::Status during_hold =
      users_->Create(MakeUser(bob, "alice", "alice@example.com"), deleted_at - absl::Hours(1));
  EXPECT_EQ(during_hold.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(
      users_->Create(MakeUser(bob, "bob", "alice@example.com"), deleted_at - absl::Hours(1)).ok());
  const std::string carol = "00000000-0000-7000-8000-00000000000c";
  EXPECT_TRUE(
      users_->Create(MakeUser(carol, "alice", "carol@example.com"), deleted_at + absl::Seconds(1))
          .ok());
  EXPECT_EQ(users_->FindByUsername("alice")->id, carol);
  EXPECT_TRUE(users_->FindById(kAlice)->deleted());
}

}  // namespace
}  // namespace chatter::auth
