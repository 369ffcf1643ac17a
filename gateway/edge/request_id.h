// Request ids: a sane incoming X-Request-Id is kept (so a trace spans client and services),
// anything else is replaced by a fresh UUIDv7.
#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "libs/ids/uuid_generator.h"

namespace chatter::gateway {

// 1-128 characters of [A-Za-z0-9._:-].
bool IsSaneRequestId(absl::string_view value);

class RequestIdSource {
 public:
  explicit RequestIdSource(ids::UuidGenerator& generator) : generator_(generator) {}
  std::string ForIncoming(absl::string_view incoming);

 private:
  ids::UuidGenerator& generator_;
};

}  // namespace chatter::gateway
