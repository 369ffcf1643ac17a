// Reading the caller's request id from the call's metadata.
#include "libs/grpc_server/request_scope.h"

namespace chatter::grpc_server {

std::string RequestIdOf(const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(kRequestIdMetadata);
  if (it == metadata.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

}  // namespace chatter::grpc_server
