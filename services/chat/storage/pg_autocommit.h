// Runs single, self-contained statements on a pooled connection without BEGIN/COMMIT: each
// statement is its own transaction (autocommit), which saves two round trips on the hot paths
// (history pages, the access check before a send, the one-statement message insert).
#pragma once

#include <exception>
#include <pqxx/nontransaction>
#include <string_view>
#include <type_traits>

#include "libs/pg/errors.h"
#include "libs/pg/pool.h"

namespace chatter::chat {

// Like pg::RunInTransaction, but `f(pqxx::nontransaction&)` runs every statement in autocommit;
// use it only where each statement is atomic on its own. Exceptions are mapped with
// pg::StatusFromException(e, context).
template <typename F>
auto RunAutocommit(pg::Pool& pool, std::string_view context, F&& f)
    -> std::invoke_result_t<F&, pqxx::nontransaction&> {
  using Result = std::invoke_result_t<F&, pqxx::nontransaction&>;
  absl::StatusOr<pg::Lease> lease = pool.Acquire();
  if (!lease.ok()) return Result(lease.status());
  try {
    pqxx::nontransaction txn(lease->conn());
    return f(txn);
  } catch (const std::exception& e) {
    if (pg::IsBrokenConnection(e)) lease->MarkBroken();
    return Result(pg::StatusFromException(e, context));
  }
}

}  // namespace chatter::chat
