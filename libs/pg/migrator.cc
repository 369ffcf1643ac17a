// Migrator: serialises replicas on a per-service advisory lock, verifies checksums of applied
// migrations, then applies the rest one transaction each.
#include "libs/pg/migrator.h"

#include <cstdint>
#include <map>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/pg/errors.h"

namespace chatter::pg {
namespace {

// First half of the two-int advisory lock key; the second is hashtext(service name). A fixed
// class keeps these locks apart from any other advisory lock user of the database.
constexpr int kMigrationLockClass = 0x43484154;  // "CHAT"

constexpr char kCreateTable[] = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version int PRIMARY KEY,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
))sql";

std::string Describe(const Migration& migration) {
  return absl::StrCat("migration ", migration.version, " (", migration.name, ")");
}

// Runs with the advisory lock held on `lease`'s session, so no other replica interleaves.
absl::StatusOr<int> ApplyLocked(Lease& lease, const std::vector<Migration>& migrations) {
  std::string step = "creating schema_migrations";
  try {
    pqxx::connection& conn = lease.conn();
    {
      pqxx::work txn(conn);
      txn.exec0(kCreateTable);
      txn.commit();
    }
    step = "reading schema_migrations";
    std::map<int, std::string> applied;  // version -> checksum
    {
      pqxx::nontransaction txn(conn);
      for (const pqxx::row& row : txn.exec("SELECT version, checksum FROM schema_migrations")) {
        applied.emplace(row[0].as<int>(), row[1].as<std::string>());
      }
    }
    // Check every applied migration before applying anything, so an edited file stops the
    // rollout without leaving the schema half-upgraded.
    for (const Migration& migration : migrations) {
      auto it = applied.find(migration.version);
      if (it != applied.end() && it->second != MigrationChecksum(migration.sql)) {
        return absl::FailedPreconditionError(
            absl::StrCat(Describe(migration), " was changed after it was applied"));
      }
    }
    int count = 0;
    for (const Migration& migration : migrations) {
      if (applied.contains(migration.version)) continue;
      step = Describe(migration);
      pqxx::work txn(conn);
      txn.exec(migration.sql);
      txn.exec_params0(
          "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
          migration.version, migration.name, MigrationChecksum(migration.sql));
      txn.commit();
      ++count;
    }
    return count;
  } catch (const std::exception& e) {
    if (IsBrokenConnection(e)) lease.MarkBroken();
    return StatusFromException(e, step);
  }
}

}  // namespace

absl::Status ValidateMigrations(const std::vector<Migration>& migrations) {
  int previous = 0;
  for (const Migration& migration : migrations) {
    if (migration.version <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(Describe(migration), ": versions must be positive"));
    }
    if (migration.version == previous) {
      return absl::InvalidArgumentError(
          absl::StrCat(Describe(migration), ": duplicate version ", migration.version));
    }
    if (migration.version < previous) {
      return absl::InvalidArgumentError(absl::StrCat(
          Describe(migration), ": versions must increase, but it follows version ", previous));
    }
    previous = migration.version;
  }
  return absl::OkStatus();
}

std::string MigrationChecksum(std::string_view sql) {
  uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a 64 offset basis
  for (unsigned char c : sql) {
    hash ^= c;
    hash *= 0x100000001b3ULL;  // FNV-1a 64 prime
  }
  return absl::StrFormat("%016x", hash);
}

Migrator::Migrator(Pool& pool, std::string service_name)
    : pool_(pool), service_name_(std::move(service_name)) {}

absl::StatusOr<int> Migrator::Apply(const std::vector<Migration>& migrations) {
  if (absl::Status valid = ValidateMigrations(migrations); !valid.ok()) return valid;
  absl::StatusOr<Lease> lease = pool_.Acquire();
  if (!lease.ok()) return lease.status();
  // A session-level lock (not a transaction one) because it must span many transactions. It
  // blocks while another replica migrates; that replica's work is what we would do anyway.
  try {
    pqxx::nontransaction txn(lease->conn());
    txn.exec_params("SELECT pg_advisory_lock($1, hashtext($2))", kMigrationLockClass,
                    service_name_);
  } catch (const std::exception& e) {
    if (IsBrokenConnection(e)) lease->MarkBroken();
    return StatusFromException(e, "taking the migration lock");
  }
  absl::StatusOr<int> applied = ApplyLocked(*lease, migrations);
  // Migration SQL may change session settings (SET search_path, SET ROLE); this session must not
  // be handed to request handlers afterwards. Migrating happens once per start, so reconnecting
  // costs nothing that matters.
  lease->MarkBroken();
  // A lost session has released the lock already; libpqxx would otherwise reconnect silently
  // just to unlock nothing.
  if (!lease->conn().is_open()) return applied;
  try {
    pqxx::nontransaction txn(lease->conn());
    txn.exec_params("SELECT pg_advisory_unlock($1, hashtext($2))", kMigrationLockClass,
                    service_name_);
  } catch (const std::exception&) {
    // Closing the session on release frees the lock too; the migrations are committed.
  }
  return applied;
}

}  // namespace chatter::pg
