// A Redis reply as a plain value, detached from hiredis' memory, so no caller ever handles a
// redisReply; and the one mapping of Redis error replies to absl::Status codes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace chatter::redis {

struct Reply {
  enum class Type { kNil, kInteger, kString, kStatus, kError, kArray };

  Type type = Type::kNil;
  int64_t integer = 0;          // kInteger
  std::string str;              // kString, kStatus ("OK"), kError ("ERR ...")
  std::vector<Reply> elements;  // kArray

  bool is_nil() const { return type == Type::kNil; }
  bool is_error() const { return type == Type::kError; }
  // INTERNAL naming the actual type when the reply is not what the caller expected: a reply of
  // the wrong type is a bug in a command or script, not a transient condition.
  absl::StatusOr<int64_t> Integer() const;
  // A bulk string or a status reply.
  absl::StatusOr<std::string> String() const;
  const std::vector<Reply>& Array() const { return elements; }
};

// The status of an error reply: NOT_FOUND for NOSCRIPT (the script cache was flushed),
// UNAVAILABLE for states a server leaves by itself or that mean "this Redis is unusable now"
// (LOADING, BUSY, MASTERDOWN, READONLY, TRYAGAIN, CLUSTERDOWN, NOAUTH, WRONGPASS, OOM),
// INTERNAL for anything else (a malformed command or a failing script).
absl::Status ErrorReplyStatus(absl::string_view context, absl::string_view error);

}  // namespace chatter::redis
