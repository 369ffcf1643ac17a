// Pool: lazy connection opening up to a bound, timed waits for a free connection, and the
// discarding of connections that broke while lent out.
#include "libs/pg/pool.h"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/pg/errors.h"

namespace chatter::pg {

std::string ConnectionString(const std::string& url, absl::Duration connect_timeout) {
  if (absl::StrContains(url, "connect_timeout=")) return url;
  // libpq takes whole seconds; rounding down could turn a short timeout into 0, which means
  // "wait forever".
  const int64_t seconds =
      std::max<int64_t>(1, absl::ToInt64Seconds(absl::Ceil(connect_timeout, absl::Seconds(1))));
  const std::string param = absl::StrCat("connect_timeout=", seconds);
  if (absl::StartsWith(url, "postgresql://") || absl::StartsWith(url, "postgres://")) {
    if (absl::EndsWith(url, "?") || absl::EndsWith(url, "&")) return absl::StrCat(url, param);
    return absl::StrCat(url, url.find('?') == std::string::npos ? "?" : "&", param);
  }
  if (url.empty()) return param;
  return absl::StrCat(url, " ", param);
}

Lease::Lease(Pool* pool, std::unique_ptr<pqxx::connection> conn)
    : pool_(pool), conn_(std::move(conn)) {}

Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), conn_(std::move(other.conn_)), broken_(other.broken_) {}

Lease& Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    Release();
    pool_ = other.pool_;
    conn_ = std::move(other.conn_);
    broken_ = other.broken_;
  }
  return *this;
}

Lease::~Lease() { Release(); }

void Lease::Release() {
  if (conn_ != nullptr) pool_->Release(std::move(conn_), broken_);
}

Pool::Pool(PoolOptions options)
    : options_(std::move(options)),
      conninfo_(ConnectionString(options_.url, options_.connect_timeout)) {}

Pool::~Pool() {
  absl::MutexLock lock(&mu_);
  assert(in_use_ == 0 && "a Lease outlived its Pool");
  idle_.clear();
}

absl::StatusOr<Lease> Pool::Acquire() {
  const absl::Time deadline = absl::Now() + options_.acquire_timeout;
  // Declared before the lock so that dead connections are closed (network I/O) after unlocking.
  std::vector<std::unique_ptr<pqxx::connection>> dead;
  std::unique_ptr<pqxx::connection> conn;
  {
    absl::MutexLock lock(&mu_);
    while (true) {
      while (conn == nullptr && !idle_.empty()) {
        std::unique_ptr<pqxx::connection> candidate = std::move(idle_.back());
        idle_.pop_back();
        if (candidate->is_open()) {
          conn = std::move(candidate);
        } else {
          dead.push_back(std::move(candidate));
          --open_;
        }
      }
      if (conn != nullptr) {
        ++in_use_;
        break;
      }
      if (open_ < std::max(1, options_.size)) {
        // Reserve the slot now and connect outside the lock, so a slow connect does not stall
        // every other caller.
        ++open_;
        ++in_use_;
        break;
      }
      if (absl::Now() >= deadline) {
        return absl::UnavailableError(absl::StrCat("database pool exhausted: all ", open_,
                                                   " connections in use after ",
                                                   absl::FormatDuration(options_.acquire_timeout)));
      }
      ++waiting_;
      available_.WaitWithDeadline(&mu_, deadline);
      --waiting_;
    }
  }
  if (conn == nullptr) {
    absl::StatusOr<std::unique_ptr<pqxx::connection>> opened = Open();
    if (!opened.ok()) {
      Release(nullptr, /*broken=*/true);
      return opened.status();
    }
    conn = *std::move(opened);
  }
  return Lease(this, std::move(conn));
}

absl::StatusOr<std::unique_ptr<pqxx::connection>> Pool::Open() {
  try {
    auto conn = std::make_unique<pqxx::connection>(conninfo_);
    // libpqxx only records the definition here and sends PREPARE on first use, which keeps a
    // pool usable by the migrator before the tables these statements name exist.
    for (const PreparedStatement& statement : options_.prepared) {
      conn->prepare(statement.name, statement.sql);
    }
    return conn;
  } catch (const std::exception& e) {
    return StatusFromException(e, "connecting to database");
  }
}

void Pool::Release(std::unique_ptr<pqxx::connection> conn, bool broken) {
  const bool reuse = conn != nullptr && !broken && conn->is_open();
  {
    absl::MutexLock lock(&mu_);
    --in_use_;
    if (reuse) {
      idle_.push_back(std::move(conn));
    } else {
      --open_;
    }
  }
  available_.Signal();
  // A connection not reused is closed here, outside the lock.
}

absl::Status Pool::Ping() {
  return RunInTransaction(*this, "database ping", [](pqxx::work& txn) {
    // A readiness probe must answer quickly even when the server is overloaded.
    txn.exec("SET LOCAL statement_timeout = 1000");
    txn.exec("SELECT 1");
    return absl::OkStatus();
  });
}

PoolStats Pool::Stats() const {
  absl::MutexLock lock(&mu_);
  return PoolStats{.open = open_, .in_use = in_use_, .waiting = waiting_};
}

}  // namespace chatter::pg
