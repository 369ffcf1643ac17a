// Maps libpqxx exceptions to absl::Status codes, by SQLSTATE where libpqxx kept it and by
// exception type otherwise (libpqxx 6 drops the SQLSTATE of its transaction_rollback family).
#include "libs/pg/errors.h"

#include <pqxx/except>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace chatter::pg {
namespace {

// Abseil 2022 as packaged keeps its own string_view type, distinct from std::string_view.
absl::string_view View(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// The server's one-line summary: what() also holds a DETAIL line with row values and, for
// syntax errors, a LINE excerpt of the SQL; neither belongs in an error that travels upwards.
absl::string_view Summary(absl::string_view what) {
  what = what.substr(0, what.find('\n'));
  for (absl::string_view severity : {"ERROR:", "FATAL:", "PANIC:"}) {
    if (absl::ConsumePrefix(&what, severity)) break;
  }
  return absl::StripAsciiWhitespace(what);
}

absl::StatusCode CodeForSqlState(absl::string_view state) {
  if (state == "23505") return absl::StatusCode::kAlreadyExists;
  if (state == "23502" || state == "23514") return absl::StatusCode::kInvalidArgument;
  // Other integrity violations (foreign key, restrict, exclusion) depend on other rows.
  if (absl::StartsWith(state, "23")) return absl::StatusCode::kFailedPrecondition;
  if (absl::StartsWith(state, "22")) return absl::StatusCode::kInvalidArgument;
  if (state == "57014") return absl::StatusCode::kDeadlineExceeded;  // statement_timeout
  // Serialization failures, deadlocks and lock_timeout: retrying the transaction may succeed.
  if (absl::StartsWith(state, "40") || state == "55P03") return absl::StatusCode::kAborted;
  // Connection exceptions, server shutting down, out of resources (e.g. too many connections).
  if (absl::StartsWith(state, "08") || absl::StartsWith(state, "57P") ||
      absl::StartsWith(state, "53")) {
    return absl::StatusCode::kUnavailable;
  }
  return absl::StatusCode::kInternal;
}

// For sql_errors built without a SQLSTATE (as tests and some libpqxx paths do).
absl::StatusCode CodeForSqlErrorType(const pqxx::sql_error& e) {
  if (dynamic_cast<const pqxx::unique_violation*>(&e)) return absl::StatusCode::kAlreadyExists;
  if (dynamic_cast<const pqxx::check_violation*>(&e) ||
      dynamic_cast<const pqxx::not_null_violation*>(&e) ||
      dynamic_cast<const pqxx::data_exception*>(&e)) {
    return absl::StatusCode::kInvalidArgument;
  }
  if (dynamic_cast<const pqxx::integrity_constraint_violation*>(&e)) {
    return absl::StatusCode::kFailedPrecondition;
  }
  if (dynamic_cast<const pqxx::insufficient_resources*>(&e)) {
    return absl::StatusCode::kUnavailable;
  }
  return absl::StatusCode::kInternal;
}

absl::StatusCode CodeFor(const std::exception& e) {
  if (IsBrokenConnection(e)) return absl::StatusCode::kUnavailable;
  // Whether the transaction committed is not known, so blind retries are unsafe.
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e) ||
      dynamic_cast<const pqxx::statement_completion_unknown*>(&e)) {
    return absl::StatusCode::kUnknown;
  }
  if (dynamic_cast<const pqxx::transaction_rollback*>(&e)) return absl::StatusCode::kAborted;
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    return sql->sqlstate().empty() ? CodeForSqlErrorType(*sql) : CodeForSqlState(sql->sqlstate());
  }
  return absl::StatusCode::kInternal;
}

}  // namespace

bool IsBrokenConnection(const std::exception& e) {
  return dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr;
}

absl::Status StatusFromException(const std::exception& e, std::string_view context) {
  return absl::Status(CodeFor(e), absl::StrCat(View(context), ": ", Summary(e.what())));
}

bool ViolatesConstraint(const absl::Status& status, std::string_view constraint) {
  return !status.ok() &&
         absl::StrContains(status.message(), absl::StrCat("constraint \"", View(constraint), "\""));
}

}  // namespace chatter::pg
