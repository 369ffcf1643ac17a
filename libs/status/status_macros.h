// Early-return helpers for absl::Status / absl::StatusOr (Abseil 2022 ships none).
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define CHATTER_STATUS_CONCAT_INNER(a, b) a##b
#define CHATTER_STATUS_CONCAT(a, b) CHATTER_STATUS_CONCAT_INNER(a, b)

// Returns the status from the enclosing function when `expr` is not OK.
#define CHATTER_RETURN_IF_ERROR(expr)                                     \
  do {                                                                    \
    if (::absl::Status chatter_status_ = (expr); !chatter_status_.ok()) { \
      return chatter_status_;                                             \
    }                                                                     \
  } while (false)

// `CHATTER_ASSIGN_OR_RETURN(auto user, repo.Find(id));` declares `user` or returns the error.
#define CHATTER_ASSIGN_OR_RETURN(lhs, expr) \
  CHATTER_ASSIGN_OR_RETURN_IMPL(CHATTER_STATUS_CONCAT(chatter_statusor_, __LINE__), lhs, expr)

#define CHATTER_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return std::move(tmp).status();      \
  lhs = *std::move(tmp)
