// Forwards the request being handled on this thread (log::CurrentRequestId) to the service
// called next, so its log lines carry the same id as the caller's.
#pragma once

#include <grpcpp/client_context.h>

namespace chatter::grpc_client {

// Adds x-request-id metadata with the thread's current request id; nothing when there is none.
void ForwardRequestId(grpc::ClientContext& context);

}  // namespace chatter::grpc_client
