// Request id acceptance and generation.
#include "gateway/edge/request_id.h"

#include "absl/strings/ascii.h"

namespace chatter::gateway {

bool IsSaneRequestId(absl::string_view value) {
  if (value.empty() || value.size() > 128) return false;
  for (char c : value) {
    bool ok = absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
              c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string RequestIdSource::ForIncoming(absl::string_view incoming) {
  if (IsSaneRequestId(incoming)) return std::string(incoming);
  return generator_.NewV7();
}

}  // namespace chatter::gateway
