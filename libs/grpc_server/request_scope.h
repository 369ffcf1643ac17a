// Ties a gRPC handler's work to the caller's request id (x-request-id metadata, set by the
// gateway): log lines written while the handler runs carry it, and calls it makes to other
// services forward it (grpc_client::ForwardRequestId), so one request reads as one trace across
// every service's log.
#pragma once

#include <grpcpp/server_context.h>

#include <string>

#include "libs/log/log.h"

namespace chatter::grpc_server {

// The metadata key of the request id, on incoming and outgoing calls alike.
inline constexpr char kRequestIdMetadata[] = "x-request-id";

// The caller's request id; "" when it sent none.
std::string RequestIdOf(const grpc::ServerContextBase& context);

// Makes the call's request id the thread's current one (log::ScopedRequestId) for the scope's
// lifetime. Open it first thing in a synchronous handler. In a callback reactor it covers only
// the step it is opened in: every OnReadDone/OnWriteDone runs on some gRPC thread and needs its
// own scope (keep the id from RequestIdOf at the start).
class RequestScope {
 public:
  explicit RequestScope(const grpc::ServerContextBase& context) : scope_(RequestIdOf(context)) {}

 private:
  log::ScopedRequestId scope_;
};

}  // namespace chatter::grpc_server
