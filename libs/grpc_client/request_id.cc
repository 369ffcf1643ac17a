// x-request-id on outgoing calls.
#include "libs/grpc_client/request_id.h"

#include "libs/log/log.h"

namespace chatter::grpc_client {

void ForwardRequestId(grpc::ClientContext& context) {
  const std::string& request_id = log::CurrentRequestId();
  if (!request_id.empty()) context.AddMetadata("x-request-id", request_id);
}

}  // namespace chatter::grpc_client
