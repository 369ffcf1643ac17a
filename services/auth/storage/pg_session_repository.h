// Refresh sessions in PostgreSQL (table `refresh_sessions`): rotation chains, families, revocation.
#pragma once

#include <vector>

#include "libs/pg/pool.h"
#include "services/auth/domain/repositories.h"

namespace chatter::auth {

class PgSessionRepository final : public SessionRepository {
 public:
  explicit PgSessionRepository(pg::Pool& pool) : pool_(pool) {}
  static std::vector<pg::PreparedStatement> Statements();

  absl::Status Create(const NewSession& session) override;
  absl::StatusOr<RotationResult> Rotate(absl::string_view token_hash_hex, absl::Time now,
                                        NewSession next, absl::Time revoked_until) override;
  absl::Status RevokeFamily(absl::string_view token_hash_hex, absl::string_view user_id,
                            absl::Time revoked_until) override;
  absl::StatusOr<int> RevokeAllOfUser(absl::string_view user_id,
                                      const RevocationWindow& window) override;

 private:
  pg::Pool& pool_;
};

}  // namespace chatter::auth
