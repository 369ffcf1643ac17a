// Idempotency keys in PostgreSQL. A claim is an INSERT ... ON CONFLICT DO NOTHING: of two
// concurrent calls with one key exactly one inserts the row, the other reads it. Responses are
// stored base64-encoded in a text column (libpqxx 6 has no convenient bytea parameters).
#include "services/chat/storage/pg_admin_request_log.h"

#include <pqxx/pqxx>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/status/status_macros.h"
#include "services/chat/storage/pg_autocommit.h"

namespace chatter::chat {
namespace {

constexpr uint64_t kPruneEvery = 1000;

}  // namespace

std::vector<pg::PreparedStatement> PgAdminRequestLog::Statements() {
  return {
      {"admin_requests_claim",
       "INSERT INTO admin_requests (principal, idempotency_key, operation, request_digest) "
       "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING 1"},
      // $3: the stale time in milliseconds.
      {"admin_requests_find",
       "SELECT operation, request_digest, response, "
       "  created_at < now() - make_interval(secs => $3::double precision / 1000) "
       "FROM admin_requests WHERE principal = $1 AND idempotency_key = $2"},
      {"admin_requests_take_over",
       "UPDATE admin_requests SET created_at = now() WHERE principal = $1 AND "
       "idempotency_key = $2 AND response IS NULL AND "
       "created_at < now() - make_interval(secs => $3::double precision / 1000) RETURNING 1"},
      {"admin_requests_complete",
       "UPDATE admin_requests SET response = $3 WHERE principal = $1 AND idempotency_key = $2"},
      {"admin_requests_release",
       "DELETE FROM admin_requests WHERE principal = $1 AND idempotency_key = $2 "
       "AND response IS NULL"},
      {"admin_requests_prune",
       "DELETE FROM admin_requests WHERE created_at < now() - interval '24 hours'"},
  };
}

absl::StatusOr<IdempotencyClaim> PgAdminRequestLog::Claim(absl::string_view principal,
                                                          absl::string_view key,
                                                          absl::string_view operation,
                                                          absl::string_view request_digest) {
  using Result = absl::StatusOr<IdempotencyClaim>;
  const bool prune = claims_.fetch_add(1, std::memory_order_relaxed) % kPruneEvery == 0;
  const int64_t stale_ms = absl::ToInt64Milliseconds(stale_after_);
  // libpqxx 6 takes std::string parameters.
  const std::string principal_text(principal), key_text(key), operation_text(operation),
      digest_text(request_digest);
  return RunAutocommit(pool_, "claim idempotency key", [&](pqxx::nontransaction& txn) -> Result {
    if (prune) txn.exec_prepared("admin_requests_prune");
    // Twice at most: a row released between our insert and our read is claimable again.
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (!txn.exec_prepared("admin_requests_claim", principal_text, key_text, operation_text,
                             digest_text)
               .empty()) {
        return IdempotencyClaim{.outcome = IdempotencyClaim::Outcome::kRun};
      }
      pqxx::result rows =
          txn.exec_prepared("admin_requests_find", principal_text, key_text, stale_ms);
      if (rows.empty()) continue;
      const pqxx::row& row = rows[0];
      if (row[0].as<std::string>() != operation_text || row[1].as<std::string>() != digest_text) {
        return IdempotencyClaim{.outcome = IdempotencyClaim::Outcome::kMismatch};
      }
      if (!row[2].is_null()) {
        std::string response;
        if (!absl::Base64Unescape(row[2].as<std::string>(), &response)) {
          return absl::InternalError("stored idempotent response is not base64");
        }
        return IdempotencyClaim{.outcome = IdempotencyClaim::Outcome::kReplay,
                                .response = std::move(response)};
      }
      if (row[3].as<bool>() &&
          !txn.exec_prepared("admin_requests_take_over", principal_text, key_text, stale_ms)
               .empty()) {
        return IdempotencyClaim{.outcome = IdempotencyClaim::Outcome::kRun};
      }
      return IdempotencyClaim{.outcome = IdempotencyClaim::Outcome::kInProgress};
    }
    return IdempotencyClaim{.outcome = IdempotencyClaim::Outcome::kInProgress};
  });
}

absl::Status PgAdminRequestLog::Complete(absl::string_view principal, absl::string_view key,
                                         absl::string_view response) {
  return RunAutocommit(pool_, "complete idempotency key",
                       [&](pqxx::nontransaction& txn) -> absl::Status {
                         txn.exec_prepared("admin_requests_complete", std::string(principal),
                                           std::string(key), absl::Base64Escape(response));
                         return absl::OkStatus();
                       });
}

absl::Status PgAdminRequestLog::Release(absl::string_view principal, absl::string_view key) {
  return RunAutocommit(
      pool_, "release idempotency key", [&](pqxx::nontransaction& txn) -> absl::Status {
        txn.exec_prepared("admin_requests_release", std::string(principal), std::string(key));
        return absl::OkStatus();
      });
}

}  // namespace chatter::chat
