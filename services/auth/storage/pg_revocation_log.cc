// The revocation log: appends under a transaction-scoped advisory lock, reads by seq.
#include "services/auth/storage/pg_revocation_log.h"

#include "libs/pg/errors.h"

namespace chatter::auth {
namespace {

// pg_advisory_xact_lock key of the log's writers ("revoked" in ASCII, as a number).
constexpr int64_t kAppendLockKey = 0x7265766f6b6564;

}  // namespace

std::vector<pg::PreparedStatement> PgRevocationLog::Statements() {
  return {
      {"revocations_lock", "SELECT pg_advisory_xact_lock($1)"},
      {"revocations_purge",
       "DELETE FROM revoked_sessions WHERE seq IN (SELECT seq FROM revoked_sessions "
       "WHERE until < now() - interval '1 day' ORDER BY seq LIMIT 100)"},
      {"revocations_log_login",
       "INSERT INTO revoked_sessions (session_id, user_id, until, reason) "
       "VALUES ($1::uuid, $2::uuid, to_timestamp($3::double precision / 1000), $4)"},
      {"revocations_log_user",
       "INSERT INTO revoked_sessions (session_id, user_id, until, reason) "
       "SELECT family_id, user_id, to_timestamp($3::double precision / 1000), $4 "
       "FROM refresh_sessions WHERE user_id = $1::uuid "
       "AND created_at >= to_timestamp($2::double precision / 1000) "
       "AND family_id IS DISTINCT FROM $5::uuid GROUP BY family_id, user_id ORDER BY family_id"},
      {"revocations_revoke_user_tokens",
       "UPDATE refresh_sessions SET revoked_at = now(), revoked_reason = $2 "
       "WHERE user_id = $1::uuid AND revoked_at IS NULL AND family_id IS DISTINCT FROM $3::uuid"},
      // The first page of a new reader: only what is still in force (by the `until` index).
      {"revocations_in_force",
       "SELECT seq, session_id::text, user_id::text, "
       "(extract(epoch from until) * 1000)::bigint, true "
       "FROM revoked_sessions WHERE until > now() ORDER BY seq LIMIT $1"},
      {"revocations_after",
       "SELECT seq, session_id::text, user_id::text, "
       "(extract(epoch from until) * 1000)::bigint, until > now() "
       "FROM revoked_sessions WHERE seq > $1 ORDER BY seq LIMIT $2"},
  };
}

void PgRevocationLog::BeginAppend(pqxx::work& txn) {
  txn.exec_prepared1("revocations_lock", kAppendLockKey);  // One (void) row.
  txn.exec_prepared0("revocations_purge");
}

void PgRevocationLog::LogLogin(pqxx::work& txn, const std::string& session_id,
                               const std::string& user_id, absl::Time until, const char* reason) {
  BeginAppend(txn);
  txn.exec_prepared0("revocations_log_login", session_id, user_id, absl::ToUnixMillis(until),
                     std::string(reason));
}

int PgRevocationLog::EndLoginsOfUser(pqxx::work& txn, const std::string& user_id,
                                     const std::optional<std::string>& keep_session_id,
                                     const RevocationWindow& window, const char* reason) {
  BeginAppend(txn);
  txn.exec_prepared0("revocations_log_user", user_id, absl::ToUnixMillis(window.issued_since),
                     absl::ToUnixMillis(window.until), std::string(reason), keep_session_id);
  pqxx::result revoked = txn.exec_prepared("revocations_revoke_user_tokens", user_id,
                                           std::string(reason), keep_session_id);
  return static_cast<int>(revoked.affected_rows());
}

absl::StatusOr<authn::RevocationPage> PgRevocationLog::After(int64_t after_seq, int limit) {
  return pg::RunInTransaction(
      pool_, "list revocations", [&](pqxx::work& txn) -> absl::StatusOr<authn::RevocationPage> {
        pqxx::result rows = after_seq <= 0
                                ? txn.exec_prepared("revocations_in_force", limit)
                                : txn.exec_prepared("revocations_after", after_seq, limit);
        authn::RevocationPage page;
        page.last_seq = after_seq;
        for (const pqxx::row& row : rows) {
          page.last_seq = row[0].as<int64_t>();
          if (!row[4].as<bool>()) continue;  // Ran out: every token of that login expired.
          page.revocations.push_back({.seq = page.last_seq,
                                      .session_id = row[1].as<std::string>(),
                                      .user_id = row[2].as<std::string>(),
                                      .until = absl::FromUnixMillis(row[3].as<int64_t>())});
        }
        return page;
      });
}

}  // namespace chatter::auth
