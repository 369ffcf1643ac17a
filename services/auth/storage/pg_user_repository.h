// Accounts in PostgreSQL (table `users`, migrations in storage/migrations).
#pragma once

#include <vector>

#include "libs/pg/pool.h"
#include "services/auth/domain/repositories.h"

namespace chatter::auth {

class PgUserRepository final : public UserRepository {
 public:
  explicit PgUserRepository(pg::Pool& pool) : pool_(pool) {}
  // Prepared on every pooled connection (see ServiceSpec::prepared_statements).
  static std::vector<pg::PreparedStatement> Statements();

  absl::Status Create(const User& user, absl::Time release_deleted_before) override;
  absl::StatusOr<User> FindById(absl::string_view id) override;
  absl::StatusOr<User> FindByUsername(absl::string_view username) override;
  absl::StatusOr<User> FindByEmail(absl::string_view email) override;
  absl::StatusOr<std::vector<User>> FindByIds(const std::vector<std::string>& ids) override;
  absl::Status ChangePassword(absl::string_view user_id, absl::string_view password_hash,
                              absl::Time now, absl::string_view keep_session_id,
                              const RevocationWindow& window) override;
  absl::Status Erase(absl::string_view user_id, absl::Time now,
                     const RevocationWindow& window) override;

 private:
  absl::StatusOr<User> FindOne(const char* statement, absl::string_view key);
  pg::Pool& pool_;
};

}  // namespace chatter::auth
