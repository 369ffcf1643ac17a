// Reply accessors and the mapping of Redis error replies to status codes.
#include "libs/redis/redis_reply.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace chatter::redis {
namespace {

absl::string_view TypeName(Reply::Type type) {
  switch (type) {
    case Reply::Type::kNil:
      return "nil";
    case Reply::Type::kInteger:
      return "integer";
    case Reply::Type::kString:
      return "string";
    case Reply::Type::kStatus:
      return "status";
    case Reply::Type::kError:
      return "error";
    case Reply::Type::kArray:
      return "array";
  }
  return "unknown";
}

}  // namespace

absl::StatusOr<int64_t> Reply::Integer() const {
  if (type == Type::kInteger) return integer;
  return absl::InternalError(
      absl::StrCat("redis: expected an integer reply, got ", TypeName(type)));
}

absl::StatusOr<std::string> Reply::String() const {
  if (type == Type::kString || type == Type::kStatus) return str;
  return absl::InternalError(absl::StrCat("redis: expected a string reply, got ", TypeName(type)));
}

absl::Status ErrorReplyStatus(absl::string_view context, absl::string_view error) {
  std::string message = absl::StrCat("redis ", context, ": ", error);
  if (absl::StartsWith(error, "NOSCRIPT")) return absl::NotFoundError(message);
  for (absl::string_view transient : {"LOADING", "BUSY", "MASTERDOWN", "READONLY", "TRYAGAIN",
                                      "CLUSTERDOWN", "NOAUTH", "WRONGPASS", "OOM"}) {
    if (absl::StartsWith(error, transient)) return absl::UnavailableError(message);
  }
  return absl::InternalError(message);
}

}  // namespace chatter::redis
