// gateway: REST and WebSocket edge for web clients. Composition root only:
// settings -> dependencies -> HTTP server -> wait for SIGTERM/SIGINT -> drain.
#include <grpcpp/create_channel.h>

#include <iostream>
#include <thread>
#include <vector>

#include "chatter/auth/v1/auth.grpc.pb.h"
#include "chatter/chat/v1/chat.grpc.pb.h"
#include "chatter/realtime/v1/realtime.grpc.pb.h"
#include "gateway/backends/backend_readiness.h"
#include "gateway/edge/cors.h"
#include "gateway/edge/request_id.h"
#include "gateway/gateway_settings.h"
#include "gateway/health_routes.h"
#include "gateway/http/dispatcher.h"
#include "gateway/http/http_server.h"
#include "gateway/http/router.h"
#include "gateway/transcoding/grpc_forwarder.h"
#include "gateway/transcoding/rest_routes.h"
#include "gateway/transcoding/route_table.h"
#include "libs/ids/uuid_generator.h"
#include "libs/log/log.h"
#include "libs/metrics/admin_server.h"
#include "libs/metrics/registry.h"
#include "libs/process/shutdown_signal.h"

#ifndef CHATTER_VERSION
#define CHATTER_VERSION "dev"
#endif

namespace {

using namespace chatter;

std::shared_ptr<grpc::Channel> BackendChannel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

// Lets requests in flight finish (bounded by `grace`) once no new connection is accepted.
void Drain(const gateway::HttpServer& server, absl::Duration grace) {
  absl::Time deadline = absl::Now() + grace;
  while (server.requests_in_flight() > 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
}

}  // namespace

int main(int argc, char** argv) {
  process::ShutdownSignal shutdown_signal;  // Before any thread starts.
  if (argc > 1 && std::string_view(argv[1]) == "--version") {
    std::cout << "gateway " << CHATTER_VERSION << "\n";
    return 0;
  }
  config::ProcessEnv env;
  config::ConfigReader reader(env);
  gateway::GatewaySettings settings = gateway::ReadGatewaySettings(reader);
  log::Init("gateway", log::ParseLevel(settings.log_level).value_or(log::Level::kInfo));
  if (!reader.status().ok()) {
    log::Write(log::Level::kCritical, "",
               std::string("invalid configuration: ") + std::string(reader.status().message()),
               log::Fields::object());
    return 2;
  }
  log::Info("starting", {{"version", CHATTER_VERSION}, {"config", reader.Effective()}});

  metrics::Registry registry;
  ids::SystemClock clock;
  ids::SodiumRandomSource random;
  ids::UuidGenerator uuids(clock, random);
  auto auth_channel = BackendChannel(settings.auth_address);
  auto chat_channel = BackendChannel(settings.chat_address);
  auto realtime_channel = BackendChannel(settings.realtime_address);
  gateway::BackendReadiness readiness(
      {{"auth-svc", auth_channel}, {"chat-svc", chat_channel}, {"realtime-svc", realtime_channel}},
      settings.backend_timeout);
  // REST routes come from the protos' chatter.api.http options; a bad option stops the start.
  absl::StatusOr<gateway::RouteTable> rest_routes =
      gateway::RouteTable::FromFiles(gateway::PublicApiFiles());
  if (!rest_routes.ok()) {
    log::Write(log::Level::kCritical, "", "invalid REST routes in the protos",
               {{"error", std::string(rest_routes.status().message())}});
    return 2;
  }
  gateway::GrpcForwarder forwarder(
      {{auth::v1::AuthService::service_full_name(), auth_channel},
       {chat::v1::ChatService::service_full_name(), chat_channel},
       {realtime::v1::RealtimeService::service_full_name(), realtime_channel}},
      {.deadline = settings.backend_call_timeout});
  gateway::Router router;
  gateway::AddHealthRoutes(router, readiness);
  if (absl::Status added = gateway::AddRestRoutes(router, *rest_routes, forwarder); !added.ok()) {
    log::Write(log::Level::kCritical, "", "cannot serve the REST routes",
               {{"error", std::string(added.message())}});
    return 2;
  }
  gateway::CorsPolicy cors(settings.cors_origins);
  gateway::RequestIdSource request_ids(uuids);
  gateway::Dispatcher dispatcher(router, cors, request_ids, registry);

  boost::asio::io_context io(settings.io_threads);
  gateway::HttpServer server(io, settings.http, dispatcher);
  if (absl::Status started = server.Start(); !started.ok()) {
    log::Write(log::Level::kCritical, "", "cannot start HTTP server",
               {{"error", std::string(started.message())}});
    return 1;
  }
  registry.AddCallbackGauge("http_open_connections", "Open client connections.", {},
                            [&server] { return server.open_connections(); });
  metrics::AdminServer admin(settings.admin_listen, registry, [] {
    return metrics::ReadinessReport{true, "ok"};
  });
  if (absl::Status started = admin.Start(); !started.ok()) {
    log::Write(log::Level::kCritical, "", "cannot start admin server",
               {{"error", std::string(started.message())}});
    return 1;
  }
  auto work = boost::asio::make_work_guard(io);
  std::vector<std::thread> io_threads;
  for (int i = 0; i < settings.io_threads; ++i) io_threads.emplace_back([&io] { io.run(); });
  log::Info("serving", {{"http_port", server.port()}, {"admin_port", admin.port()}});

  int signal_number = shutdown_signal.Wait();
  log::Info("shutting down", {{"signal", signal_number}});
  server.StopAccepting();
  Drain(server, settings.shutdown_grace);
  work.reset();
  io.stop();
  for (auto& thread : io_threads) thread.join();
  admin.Stop();
  log::Info("stopped");
  return 0;
}
