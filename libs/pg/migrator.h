// Applies a service's embedded SQL migrations exactly once per database, safely from several
// replicas at once, and refuses to run when an applied migration was edited afterwards.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/pg/migration.h"
#include "libs/pg/pool.h"

namespace chatter::pg {

class Migrator {
 public:
  // `service_name` keys the advisory lock, so replicas of one service wait for each other while
  // other services migrating their own databases do not.
  Migrator(Pool& pool, std::string service_name);

  // Applies, in version order and each in its own transaction, every migration not yet recorded
  // in schema_migrations; returns how many it applied (0 when the schema is current).
  // INVALID_ARGUMENT for duplicate or unordered versions, FAILED_PRECONDITION when an applied
  // migration's SQL changed. Migrations run inside a transaction, so statements that cannot
  // (CREATE INDEX CONCURRENTLY) are not supported.
  absl::StatusOr<int> Apply(const std::vector<Migration>& migrations);

 private:
  Pool& pool_;
  const std::string service_name_;
};

// Versions must be positive and strictly increasing (the order files are embedded in).
absl::Status ValidateMigrations(const std::vector<Migration>& migrations);

// FNV-1a 64 of the SQL as 16 lower-case hex digits: stable across builds and platforms, unlike
// std::hash, because it is stored in the database and compared by later releases.
std::string MigrationChecksum(std::string_view sql);

}  // namespace chatter::pg
