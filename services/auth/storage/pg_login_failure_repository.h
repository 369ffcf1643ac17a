// Failed logins per account identifier in PostgreSQL (table `login_failures`), so every auth-svc
// replica counts against the same window.
#pragma once

#include <vector>

#include "libs/pg/pool.h"
#include "services/auth/domain/repositories.h"

namespace chatter::auth {

class PgLoginFailureRepository final : public LoginFailureRepository {
 public:
  explicit PgLoginFailureRepository(pg::Pool& pool) : pool_(pool) {}
  static std::vector<pg::PreparedStatement> Statements();

  absl::StatusOr<Window> Current(absl::string_view key, absl::Time now) override;
  absl::Status Record(absl::string_view key, absl::Time now, absl::Duration length) override;
  absl::Status Clear(absl::string_view key) override;

 private:
  pg::Pool& pool_;
};

}  // namespace chatter::auth
