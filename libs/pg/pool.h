// A bounded pool of PostgreSQL connections: callers borrow one through an RAII Lease, and a
// full pool or an unreachable database is reported as UNAVAILABLE instead of blocking forever.
#pragma once

#include <memory>
#include <pqxx/connection>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace chatter::pg {

// A statement registered on every connection the pool opens, so repositories can call
// `txn.exec_prepared(name, ...)` on whichever connection they get.
struct PreparedStatement {
  std::string name;
  std::string sql;
};

struct PoolOptions {
  // A postgresql:// URL or a libpq keyword string.
  std::string url = {};
  // Most connections open at once (at least 1); they are opened lazily, on demand.
  int size = 8;
  // How long Acquire() waits for a connection when all `size` are in use.
  absl::Duration acquire_timeout = absl::Seconds(2);
  // Added to the connection string as libpq's connect_timeout unless the URL already sets one.
  absl::Duration connect_timeout = absl::Seconds(3);
  std::vector<PreparedStatement> prepared = {};
};

// Numbers for metrics and readiness pages.
struct PoolStats {
  int open = 0;     // connections established or being opened
  int in_use = 0;   // connections lent out
  int waiting = 0;  // callers blocked in Acquire()
};

class Pool;

// A borrowed connection, returned to its pool when the Lease is destroyed. The pool must outlive
// every Lease it hands out.
class Lease {
 public:
  Lease(Lease&& other) noexcept;
  Lease& operator=(Lease&& other) noexcept;
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  ~Lease();

  pqxx::connection& conn() const { return *conn_; }

  // Closes the connection on release instead of reusing it, e.g. after a broken_connection or
  // when the session was left in a state the next borrower must not inherit.
  void MarkBroken() { broken_ = true; }

 private:
  friend class Pool;
  Lease(Pool* pool, std::unique_ptr<pqxx::connection> conn);
  void Release();

  Pool* pool_;
  std::unique_ptr<pqxx::connection> conn_;
  bool broken_ = false;
};

class Pool {
 public:
  // Connects to nothing yet: the first Acquire() opens the first connection.
  explicit Pool(PoolOptions options);
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;
  // Every Lease must have been returned.
  ~Pool();

  // An idle connection, a newly opened one while fewer than `size` are open, or, after waiting
  // up to acquire_timeout, UNAVAILABLE. A failed connection attempt is UNAVAILABLE too.
  absl::StatusOr<Lease> Acquire();

  // Runs SELECT 1 under a short statement_timeout on a pooled connection; for readiness probes.
  absl::Status Ping();

  PoolStats Stats() const;

 private:
  friend class Lease;

  absl::StatusOr<std::unique_ptr<pqxx::connection>> Open();
  void Release(std::unique_ptr<pqxx::connection> conn, bool broken);

  const PoolOptions options_;
  const std::string conninfo_;

  mutable absl::Mutex mu_;
  absl::CondVar available_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;
  int in_use_ ABSL_GUARDED_BY(mu_) = 0;
  int waiting_ ABSL_GUARDED_BY(mu_) = 0;
};

// `url` with libpq's connect_timeout (whole seconds, rounded up) added unless it already has one.
// Works for postgresql:// URLs and keyword strings alike.
std::string ConnectionString(const std::string& url, absl::Duration connect_timeout);

}  // namespace chatter::pg
