// Server interceptor that counts every RPC by method and code, times it, and logs one line per
// call with the caller's x-request-id (health checks are counted but not logged).
#pragma once

#include <grpcpp/support/server_interceptor.h>

#include "libs/metrics/registry.h"

namespace chatter::grpc_server {

class RpcObserverFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit RpcObserverFactory(metrics::Registry& registry) : registry_(registry) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  metrics::Registry& registry_;
};

}  // namespace chatter::grpc_server
