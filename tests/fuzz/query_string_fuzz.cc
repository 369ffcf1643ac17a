// Fuzz target: the gateway's query-string parser (percent-decoding, '+', repeated names).
#include <cstdint>

#include "absl/strings/string_view.h"
#include "gateway/transcoding/request_binding.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view query(reinterpret_cast<const char*>(data), size);
  auto params = chatter::gateway::ParseQueryString(query);
  if (params.ok()) {
    for (const auto& param : *params) {
      if (param.name.size() > size || param.value.size() > size) __builtin_trap();
    }
  }
  return 0;
}
