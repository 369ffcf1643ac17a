// Fuzz target: the Redis reply reader (hiredis' RESP parser and the conversion to Reply) on
// whatever bytes a server, or something posing as one, could send.
#include <cstdint>

#include "absl/strings/string_view.h"
#include "libs/redis/redis_context.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto replies = chatter::redis::internal::ParseReplies(
      absl::string_view(reinterpret_cast<const char*>(data), size));
  if (replies.ok()) {
    for (const chatter::redis::Reply& reply : *replies) {
      (void)reply.Integer();
      (void)reply.String();
    }
  }
  return 0;
}
