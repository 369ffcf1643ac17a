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

  absl::Status Create(const User& user) override;
  absl::StatusOr<User> FindById(absl::string_view id) override;
  absl::StatusOr<User> FindByUsername(absl::string_view username) override;
  absl::StatusOr<User> FindByEmail(absl::string_view email) override;
  absl::StatusOr<std::vector<User>> FindByIds(const std::vector<std::string>& ids) override;

 private:
  absl::StatusOr<User> FindOne(const char* statement, absl::string_view key);
  pg::Pool& pool_;
};

}  // namespace chatter::auth
