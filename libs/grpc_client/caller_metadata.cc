// Metadata for calls made on a client's behalf.
#include "libs/grpc_client/caller_metadata.h"

#include "absl/strings/str_cat.h"

namespace chatter::grpc_client {

// Longer values are never legitimate: an address list or a browser's user agent fits.
constexpr size_t kMaxForwardedForBytes = 128;
constexpr size_t kMaxUserAgentBytes = 256;

std::string PrintableAscii(absl::string_view text, size_t max_bytes) {
  std::string out;
  for (char c : text.substr(0, max_bytes)) {
    if (c >= 0x20 && c <= 0x7e) out.push_back(c);
  }
  return out;
}

void AddCallerMetadata(grpc::ClientContext& context, const CallerMetadata& caller) {
  if (!caller.access_token.empty()) {
    context.AddMetadata("authorization", absl::StrCat("Bearer ", caller.access_token));
  }
  if (!caller.request_id.empty()) context.AddMetadata("x-request-id", caller.request_id);
  std::string client_ip = PrintableAscii(caller.client_ip, kMaxForwardedForBytes);
  if (!client_ip.empty()) context.AddMetadata("x-forwarded-for", client_ip);
  std::string user_agent = PrintableAscii(caller.user_agent, kMaxUserAgentBytes);
  if (!user_agent.empty()) context.AddMetadata("x-client-user-agent", user_agent);
}

}  // namespace chatter::grpc_client
