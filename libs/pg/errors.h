// Turns libpqxx exceptions into absl::Status at the storage edge, and runs a callback in a
// transaction on a pooled connection with that mapping applied.
#pragma once

#include <exception>
#include <pqxx/transaction>
#include <string_view>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/pg/pool.h"

namespace chatter::pg {

// unique_violation -> ALREADY_EXISTS (the message names the constraint), foreign key / restrict
// -> FAILED_PRECONDITION, check / not null / data exception -> INVALID_ARGUMENT, lost connection
// -> UNAVAILABLE, serialization failure / deadlock -> ABORTED (retry the transaction), statement
// timeout -> DEADLINE_EXCEEDED, anything else -> INTERNAL. Messages start with `context` and
// carry only the server's one-line summary: never the SQL text, nor the DETAIL line (which
// echoes row values).
absl::Status StatusFromException(const std::exception& e, std::string_view context);

// True when `status` came from violating the constraint named `constraint`, e.g.
// ViolatesConstraint(status, "users_email_key"), so callers can say which field clashed.
bool ViolatesConstraint(const absl::Status& status, std::string_view constraint);

// True for exceptions after which the connection must not be reused.
bool IsBrokenConnection(const std::exception& e);

namespace internal {
template <typename T>
struct IsStatusOr : std::false_type {};
template <typename T>
struct IsStatusOr<absl::StatusOr<T>> : std::true_type {};
}  // namespace internal

// Borrows a connection from `pool`, runs `f(pqxx::work&)` and commits when it returns OK;
// a non-OK result or an exception rolls back. `f` returns absl::Status or absl::StatusOr<T>, and
// so does RunInTransaction. Exceptions are mapped with StatusFromException(e, context).
template <typename F>
auto RunInTransaction(Pool& pool, std::string_view context, F&& f)
    -> std::invoke_result_t<F&, pqxx::work&> {
  using Result = std::invoke_result_t<F&, pqxx::work&>;
  static_assert(std::is_same_v<Result, absl::Status> || internal::IsStatusOr<Result>::value,
                "the transaction callback must return absl::Status or absl::StatusOr<T>");
  absl::StatusOr<Lease> lease = pool.Acquire();
  if (!lease.ok()) return Result(lease.status());
  try {
    pqxx::work txn(lease->conn());
    Result result = f(txn);
    if (result.ok()) txn.commit();
    return result;
  } catch (const std::exception& e) {
    if (IsBrokenConnection(e)) lease->MarkBroken();
    return Result(StatusFromException(e, context));
  }
}

template <typename F>
auto RunInTransaction(Pool& pool, F&& f) {
  return RunInTransaction(pool, "transaction", std::forward<F>(f));
}

}  // namespace chatter::pg
