// Per-RPC metrics and access logs.
#include "libs/grpc_server/rpc_observer.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "libs/log/log.h"
#include "libs/status/http_error.h"

namespace chatter::grpc_server {
namespace {

using grpc::experimental::InterceptionHookPoints;

class RpcObserver final : public grpc::experimental::Interceptor {
 public:
  RpcObserver(metrics::Registry& registry, std::string method)
      : registry_(registry), method_(std::move(method)), start_(absl::Now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      auto* metadata = methods->GetRecvInitialMetadata();
      auto it = metadata->find("x-request-id");
      if (it != metadata->end()) request_id_.assign(it->second.data(), it->second.size());
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      Record(methods->GetSendStatus());
    }
    methods->Proceed();
  }

 private:
  void Record(const grpc::Status& status) {
    double seconds = absl::ToDoubleSeconds(absl::Now() - start_);
    std::string code(status::CodeName(static_cast<absl::StatusCode>(status.error_code())));
    registry_
        .GetCounter("grpc_server_handled_total", "RPCs completed, by method and status code.",
                    {{"grpc_method", method_}, {"grpc_code", code}})
        .Inc();
    registry_
        .GetHistogram("grpc_server_handling_seconds", "RPC latency in seconds, by method.",
                      {{"grpc_method", method_}}, metrics::DefaultLatencyBuckets())
        .Observe(seconds);
    if (absl::StartsWith(method_, "/grpc.health.")) return;  // Probes would drown the log.
    log::Fields fields = {{"method", method_}, {"code", code}, {"duration_ms", seconds * 1000}};
    // The full message stays in the service's own log; clients get a sanitised one at the edge.
    if (!status.ok()) fields["error"] = status.error_message();
    log::Write(status.ok() ? log::Level::kInfo : log::Level::kWarn, request_id_, "rpc", fields);
  }

  metrics::Registry& registry_;
  std::string method_;
  absl::Time start_;
  std::string request_id_;
};

}  // namespace

grpc::experimental::Interceptor* RpcObserverFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new RpcObserver(registry_, info->method());
}

}  // namespace chatter::grpc_server
