// The server API's idempotency keys in PostgreSQL (table admin_requests, one row per principal
// and key), shared by every chat-svc replica. Rows live 24 hours.
#pragma once

#include <atomic>
#include <vector>

#include "absl/time/time.h"
#include "libs/pg/pool.h"
#include "services/chat/domain/admin_ports.h"

namespace chatter::chat {

class PgAdminRequestLog final : public AdminRequestLog {
 public:
  // A claim unfinished for `stale_after` belongs to a call whose process died: a retry takes
  // it over.
  explicit PgAdminRequestLog(pg::Pool& pool, absl::Duration stale_after = absl::Seconds(30))
      : pool_(pool), stale_after_(stale_after) {}
  static std::vector<pg::PreparedStatement> Statements();

  absl::StatusOr<IdempotencyClaim> Claim(absl::string_view principal, absl::string_view key,
                                         absl::string_view operation,
                                         absl::string_view request_digest) override;
  absl::Status Complete(absl::string_view principal, absl::string_view key,
                        absl::string_view response) override;
  absl::Status Release(absl::string_view principal, absl::string_view key) override;

 private:
  pg::Pool& pool_;
  absl::Duration stale_after_;
  std::atomic<uint64_t> claims_{0};  // Every 1000th claim prunes rows older than 24 hours.
};

}  // namespace chatter::chat
