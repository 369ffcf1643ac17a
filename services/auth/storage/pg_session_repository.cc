// Refresh sessions in PostgreSQL. Rotation locks the presented row (FOR UPDATE), so two
// concurrent refreshes of one token serialise: the second sees it spent and revokes the family.
#include "services/auth/storage/pg_session_repository.h"

#include <pqxx/pqxx>

#include "libs/pg/errors.h"
#include "services/auth/storage/pg_revocation_log.h"

namespace chatter::auth {
namespace {

void Insert(pqxx::work& txn, const NewSession& session) {
  txn.exec_prepared0("sessions_insert", session.id, session.family_id, session.user_id,
                     session.token_hash_hex, session.parent_id,
                     absl::ToUnixMillis(session.expires_at), session.user_agent,
                     session.ip.empty() ? std::optional<std::string>() : session.ip);
}

}  // namespace

std::vector<pg::PreparedStatement> PgSessionRepository::Statements() {
  return {
      {"sessions_insert",
       "INSERT INTO refresh_sessions (id, family_id, user_id, token_hash, parent_id, expires_at, "
       "user_agent, ip) VALUES ($1, $2, $3, decode($4, 'hex'), $5, "
       "to_timestamp($6::double precision / 1000), $7, $8::inet)"},
      {"sessions_lock_by_hash",
       "SELECT id::text, family_id::text, user_id::text, replaced_by IS NOT NULL, "
       "revoked_at IS NOT NULL, expires_at <= to_timestamp($2::double precision / 1000) "
       "FROM refresh_sessions WHERE token_hash = decode($1, 'hex') FOR UPDATE"},
      {"sessions_mark_replaced", "UPDATE refresh_sessions SET replaced_by = $2 WHERE id = $1"},
      {"sessions_revoke_family",
       "UPDATE refresh_sessions SET revoked_at = now(), revoked_reason = $2 "
       "WHERE family_id = $1 AND revoked_at IS NULL"},
  };
}

absl::Status PgSessionRepository::Create(const NewSession& session) {
  return pg::RunInTransaction(pool_, "create session", [&](pqxx::work& txn) {
    Insert(txn, session);
    return absl::OkStatus();
  });
}

absl::StatusOr<RotationResult> PgSessionRepository::Rotate(absl::string_view token_hash_hex,
                                                           absl::Time now, NewSession next,
                                                           absl::Time revoked_until) {
  return pg::RunInTransaction(
      pool_, "rotate session", [&](pqxx::work& txn) -> absl::StatusOr<RotationResult> {
        pqxx::result rows = txn.exec_prepared("sessions_lock_by_hash", std::string(token_hash_hex),
                                              absl::ToUnixMillis(now));
        RotationResult result;
        if (rows.empty()) return result;  // kUnknown
        const pqxx::row& row = rows[0];
        std::string id = row[0].as<std::string>();
        result.family_id = row[1].as<std::string>();
        result.user_id = row[2].as<std::string>();
        bool spent = row[3].as<bool>();
        bool revoked = row[4].as<bool>();
        bool expired = row[5].as<bool>();
        if (revoked) {
          result.outcome = RotationResult::Outcome::kRevoked;
        } else if (spent) {
          // Someone presented a token that was already exchanged: a copy leaked. Revoke the
          // whole family; the transaction commits because this result is OK.
          txn.exec_prepared0("sessions_revoke_family", result.family_id, "reuse_detected");
          PgRevocationLog::LogLogin(txn, result.family_id, result.user_id, revoked_until,
                                    "reuse_detected");
          result.outcome = RotationResult::Outcome::kReused;
        } else if (expired) {
          result.outcome = RotationResult::Outcome::kExpired;
        } else {
          next.family_id = result.family_id;
          next.user_id = result.user_id;
          next.parent_id = id;
          Insert(txn, next);
          txn.exec_prepared0("sessions_mark_replaced", id, next.id);
          result.outcome = RotationResult::Outcome::kRotated;
        }
        return result;
      });
}

absl::Status PgSessionRepository::RevokeFamily(absl::string_view token_hash_hex,
                                               absl::string_view user_id,
                                               absl::Time revoked_until) {
  return pg::RunInTransaction(pool_, "revoke session", [&](pqxx::work& txn) -> absl::Status {
    pqxx::result rows =
        txn.exec_prepared("sessions_lock_by_hash", std::string(token_hash_hex), int64_t{0});
    if (rows.empty()) return absl::NotFoundError("no such session");
    if (rows[0][2].as<std::string>() != user_id) {
      return absl::PermissionDeniedError("the refresh token belongs to another user");
    }
    std::string family_id = rows[0][1].as<std::string>();
    txn.exec_prepared0("sessions_revoke_family", family_id, "logout");
    PgRevocationLog::LogLogin(txn, family_id, std::string(user_id), revoked_until, "logout");
    return absl::OkStatus();
  });
}

absl::StatusOr<int> PgSessionRepository::RevokeAllOfUser(absl::string_view user_id,
                                                         const RevocationWindow& window) {
  return pg::RunInTransaction(pool_, "revoke sessions",
                              [&](pqxx::work& txn) -> absl::StatusOr<int> {
                                return PgRevocationLog::EndLoginsOfUser(
                                    txn, std::string(user_id), std::nullopt, window, "logout_all");
                              });
}

}  // namespace chatter::auth
