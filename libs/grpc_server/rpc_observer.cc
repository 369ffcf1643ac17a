// Per-RPC metrics and access logs.
#include "libs/grpc_server/rpc_observer.h"

#include <google/protobuf/descriptor.h>

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/log/log.h"
#include "libs/status/http_error.h"

namespace chatter::grpc_server {
namespace {

using grpc::experimental::InterceptionHookPoints;

// The method path as a metric label: any caller can name any path, and every new label value
// would be a new series for good, so a path that names no method compiled into this binary (nor
// a health check) becomes "other".
std::string MethodLabel(absl::string_view path) {
  if (path == "/grpc.health.v1.Health/Check" || path == "/grpc.health.v1.Health/Watch") {
    return std::string(path);
  }
  if (!absl::StartsWith(path, "/")) return "other";
  size_t slash = path.find('/', 1);
  if (slash == absl::string_view::npos) return "other";
  std::string full_name = absl::StrCat(path.substr(1, slash - 1), ".", path.substr(slash + 1));
  const google::protobuf::MethodDescriptor* method =
      google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(full_name);
  return method != nullptr ? std::string(path) : "other";
}

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
  return new RpcObserver(registry_, MethodLabel(info->method()));
}

}  // namespace chatter::grpc_server
