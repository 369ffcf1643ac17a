// Failed-login windows in PostgreSQL. Record is one upsert: a concurrent failure for the same
// key adds to the row instead of racing it, and a closed window starts over at 1.
#include "services/auth/storage/pg_login_failure_repository.h"

#include <pqxx/pqxx>

#include "libs/pg/errors.h"

namespace chatter::auth {

std::vector<pg::PreparedStatement> PgLoginFailureRepository::Statements() {
  return {
      {"login_failures_current",
       "SELECT failures, (extract(epoch FROM window_ends) * 1000)::bigint FROM login_failures "
       "WHERE key_hash = decode($1, 'hex') AND window_ends > to_timestamp($2::bigint::double "
       "precision "
       "/ 1000)"},
      // Also purges up to 20 closed windows, so the table stays the size of the open ones.
      {"login_failures_record",
       "WITH purged AS ("
       "  DELETE FROM login_failures WHERE key_hash IN ("
       "    SELECT key_hash FROM login_failures"
       "    WHERE window_ends <= to_timestamp($2::bigint::double precision / 1000)"
       "      AND key_hash <> decode($1, 'hex') LIMIT 20))"
       "INSERT INTO login_failures (key_hash, window_ends, failures) "
       "VALUES (decode($1, 'hex'), to_timestamp(($2::bigint + $3::bigint)::double precision / "
       "1000), 1) "
       "ON CONFLICT (key_hash) DO UPDATE SET "
       "  failures = CASE WHEN login_failures.window_ends > to_timestamp($2::bigint::double "
       "precision / "
       "1000) THEN login_failures.failures + 1 ELSE 1 END,"
       "  window_ends = CASE WHEN login_failures.window_ends > to_timestamp($2::bigint::double "
       "precision "
       "/ 1000) THEN login_failures.window_ends ELSE EXCLUDED.window_ends END"},
      {"login_failures_clear", "DELETE FROM login_failures WHERE key_hash = decode($1, 'hex')"},
  };
}

absl::StatusOr<LoginFailureRepository::Window> PgLoginFailureRepository::Current(
    absl::string_view key, absl::Time now) {
  return pg::RunInTransaction(
      pool_, "read login failures", [&](pqxx::work& txn) -> absl::StatusOr<Window> {
        pqxx::result rows =
            txn.exec_prepared("login_failures_current", std::string(key), absl::ToUnixMillis(now));
        if (rows.empty()) return Window{};
        return Window{.failures = rows[0][0].as<int>(),
                      .ends = absl::FromUnixMillis(rows[0][1].as<int64_t>())};
      });
}

absl::Status PgLoginFailureRepository::Record(absl::string_view key, absl::Time now,
                                              absl::Duration length) {
  return pg::RunInTransaction(pool_, "record login failure", [&](pqxx::work& txn) {
    txn.exec_prepared0("login_failures_record", std::string(key), absl::ToUnixMillis(now),
                       absl::ToInt64Milliseconds(length));
    return absl::OkStatus();
  });
}

absl::Status PgLoginFailureRepository::Clear(absl::string_view key) {
  return pg::RunInTransaction(pool_, "clear login failures", [&](pqxx::work& txn) {
    txn.exec_prepared0("login_failures_clear", std::string(key));
    return absl::OkStatus();
  });
}

}  // namespace chatter::auth
