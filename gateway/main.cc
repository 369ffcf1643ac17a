// gateway: REST and WebSocket edge for web clients. Composition root only:
// settings -> dependencies -> HTTP server -> wait for SIGTERM/SIGINT -> drain.
#include <grpcpp/create_channel.h>

#include <iostream>
#include <thread>
#include <vector>

#include "gateway/backends/backend_readiness.h"
#include "gateway/edge/cors.h"
#include "gateway/edge/request_id.h"
#include "gateway/gateway_settings.h"
#include "gateway/health_routes.h"
#include "gateway/http/dispatcher.h"
#include "gateway/http/http_server.h"
#include "gateway/http/router.h"
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
  gateway::BackendReadiness readiness({{"auth-svc", BackendChannel(settings.auth_address)},
                                       {"chat-svc", BackendChannel(settings.chat_address)},
                                       {"realtime-svc", BackendChannel(settings.realtime_address)}},
                                      settings.backend_timeout);
  gateway::Router router;
  gateway::AddHealthRoutes(router, readiness);
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
