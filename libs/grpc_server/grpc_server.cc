// Standard gRPC server bootstrap.
#include "libs/grpc_server/grpc_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/resource_quota.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "libs/grpc_server/rpc_observer.h"

namespace chatter::grpc_server {
namespace {

constexpr int kMaxIdlePollers = 16;

}  // namespace

GrpcServer::GrpcServer(GrpcServerOptions options, metrics::Registry& registry)
    : options_(std::move(options)), registry_(registry) {}

GrpcServer::~GrpcServer() { Shutdown(); }

void GrpcServer::AddService(grpc::Service* service) { services_.push_back(service); }

absl::Status GrpcServer::Start() {
  // Both are process-wide switches that must be set before the builder runs.
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  grpc::ServerBuilder builder;
  builder.AddListeningPort(options_.listen_address, grpc::InsecureServerCredentials(), &port_);
  // gRPC enables SO_REUSEPORT by default: a second process on the same port would silently
  // share its traffic instead of failing to start.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(options_.max_message_bytes);
  builder.SetMaxSendMessageSize(options_.max_message_bytes);
  int keepalive_ms = static_cast<int>(absl::ToInt64Milliseconds(options_.keepalive_interval));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, keepalive_ms);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  // Clients (the gateway) ping at most this often; more frequent pings are abuse.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 5000);
  grpc::ResourceQuota quota("chatter-grpc-server");
  quota.SetMaxThreads(options_.max_threads);
  builder.SetResourceQuota(quota);
  // The synchronous pool keeps at most this many idle threads polling. gRPC's default of 2 makes
  // it end a thread whenever a third finishes a call and start one again at the next overlap: at
  // a few hundred calls a second (sends waiting on one group commit) that was several thread
  // creations and exits a second in chat-svc. Idle pollers cost a parked thread each.
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS,
                              std::min(options_.max_threads, kMaxIdlePollers));
  for (grpc::Service* service : services_) builder.RegisterService(service);

  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> observers;
  observers.push_back(std::make_unique<RpcObserverFactory>(registry_));
  builder.experimental().SetInterceptorCreators(std::move(observers));

  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) {
    server_.reset();
    return absl::UnavailableError(
        absl::StrCat("cannot listen for gRPC on ", options_.listen_address));
  }
  return absl::OkStatus();
}

grpc::HealthCheckServiceInterface* GrpcServer::health() const {
  return server_ ? server_->GetHealthCheckService() : nullptr;
}

void GrpcServer::Shutdown() {
  if (server_ == nullptr || shut_down_) return;
  shut_down_ = true;
  // Load balancers watching health stop sending new work before the listener closes.
  if (auto* health_service = health()) health_service->SetServingStatus(false);
  server_->Shutdown(absl::ToChronoTime(absl::Now() + options_.shutdown_grace));
  server_->Wait();
}

}  // namespace chatter::grpc_server
