// gateway: REST and WebSocket edge for web clients. Composition root only:
// settings -> dependencies -> HTTP server -> wait for SIGTERM/SIGINT -> drain.
#include <grpcpp/create_channel.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <iostream>
#include <thread>
#include <vector>

#include "chatter/auth/v1/auth.grpc.pb.h"
#include "chatter/chat/v1/chat.grpc.pb.h"
#include "chatter/realtime/v1/realtime.grpc.pb.h"
#include "gateway/backends/backend_readiness.h"
#include "gateway/backends/service_token_keeper.h"
#include "gateway/edge/client_address.h"
#include "gateway/edge/cors.h"
#include "gateway/edge/rate_limiter.h"
#include "gateway/edge/redis_token_buckets.h"
#include "gateway/edge/request_id.h"
#include "gateway/edge/request_user.h"
#include "gateway/edge/token_buckets.h"
#include "gateway/gateway_routes.h"
#include "gateway/gateway_settings.h"
#include "gateway/http/dispatcher.h"
#include "gateway/http/http_server.h"
#include "gateway/http/router.h"
#include "gateway/static/static_site.h"
#include "gateway/transcoding/grpc_forwarder.h"
#include "gateway/transcoding/route_table.h"
#include "gateway/ws/bus_event_source.h"
#include "gateway/ws/chat_backend.h"
#include "gateway/ws/event_fanout.h"
#include "gateway/ws/gated_chat_backend.h"
#include "gateway/ws/realtime_bridge.h"
#include "gateway/ws/room_index.h"
#include "gateway/ws/room_sequencer.h"
#include "gateway/ws/ws_endpoint.h"
#include "gateway/ws/ws_metrics.h"
#include "libs/authn/service_token_source.h"
#include "libs/authn/token_verification.h"
#include "libs/ids/uuid_generator.h"
#include "libs/log/log.h"
#include "libs/metrics/admin_server.h"
#include "libs/metrics/registry.h"
#include "libs/process/mutex_tuning.h"
#include "libs/process/shutdown_signal.h"
#include "libs/redis/events_channel.h"
#include "libs/redis/redis_client.h"
#include "libs/redis/redis_url.h"

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

// Lets requests in flight finish and WebSocket sessions close (bounded by `grace`) once no
// new connection is accepted.
void Drain(const gateway::HttpServer& server, const gateway::WsEndpoint& websockets,
           absl::Duration grace) {
  absl::Time deadline = absl::Now() + grace;
  while ((server.requests_in_flight() > 0 || websockets.open_connections() > 0) &&
         absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
}

}  // namespace

int main(int argc, char** argv) {
  process::ShutdownSignal shutdown_signal;  // Before any thread starts.
  process::UseReleaseMutexSettings();
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
  auto realtime_channel = BackendChannel(settings.realtime_target);

  // WebSocket: local token verification, the gateway's service token (kept warm off the event
  // loop), chat-svc calls, and the one stream to realtime-svc feeding the local fan-out.
  absl::StatusOr<std::unique_ptr<authn::TokenVerification>> verification =
      authn::TokenVerification::Create(settings.token_verification, clock);
  if (!verification.ok()) {
    log::Write(log::Level::kCritical, "", "invalid token verification settings",
               {{"error", std::string(verification.status().message())}});
    return 2;
  }
  authn::ServiceTokenSource service_tokens(auth_channel, settings.credentials, clock,
                                           settings.backend_call_timeout);
  gateway::ServiceTokenKeeper token_keeper(service_tokens);
  gateway::ServiceTokenProvider cached_token = [&service_tokens] {
    return service_tokens.CachedToken();
  };
  boost::asio::io_context io(settings.io_threads);
  gateway::RoomIndex room_index;
  // One fan-out lane per I/O thread (see EventFanout).
  std::vector<boost::asio::any_io_executor> fanout_lanes;
  for (int i = 0; i < settings.io_threads; ++i)
    fanout_lanes.push_back(boost::asio::make_strand(io));
  gateway::EventFanout fanout(room_index, registry, std::move(fanout_lanes));
  gateway::GrpcChatBackend chat_backend(chat_channel, cached_token, settings.backend_call_timeout);
  // The sessions' calls queue at the gate (a reconnect storm must not exhaust chat-svc's
  // threads); the sequencer's few gap fills go straight through.
  gateway::GatedChatBackend session_chat(chat_backend,
                                         {.max_in_flight = settings.ws.chat_calls_in_flight,
                                          .max_waiting = settings.ws.chat_calls_waiting});
  registry.AddCallbackGauge(
      "ws_chat_calls_in_flight", "Sessions' calls to chat-svc running now.", {},
      [&session_chat] { return static_cast<double>(session_chat.gate().in_flight()); });
  registry.AddCallbackGauge(
      "ws_chat_calls_waiting", "Sessions' calls to chat-svc waiting for a free slot.", {},
      [&session_chat] { return static_cast<double>(session_chat.gate().waiting()); });
  std::string gateway_id = uuids.NewV7();
  gateway::RoomSequencer sequencer(fanout, room_index, chat_backend, registry,
                                   {.request_id = gateway_id});
  // Room events, presence and user events straight from the bus when configured (one process
  // and two thread hand-offs fewer per message), while realtime-svc confirms it withholds them
  // from the stream; through the stream otherwise.
  std::unique_ptr<gateway::BusEventSource> bus_events;
  if (settings.events_from_bus) {
    bus_events = std::make_unique<gateway::BusEventSource>(
        *settings.redis_endpoint, redis::EventsChannel(settings.redis_prefix),
        redis::SubscriberOptions{.connection = {.connect_timeout = settings.backend_timeout,
                                                .command_timeout = settings.backend_timeout,
                                                .client_name = "gateway-bus"}},
        gateway::LocalInterest{
            .room =
                [&room_index, &sequencer](const std::string& room_id) {
                  return room_index.HasRoom(room_id) || sequencer.Follows(room_id);
                },
            .user =
                [&room_index](const std::string& user_id) { return room_index.HasUser(user_id); }},
        sequencer, registry);
  }
  gateway::RealtimeBridge bridge(realtime_channel, cached_token, sequencer, registry,
                                 {.gateway_id = gateway_id,
                                  .version = CHATTER_VERSION,
                                  .events_from_bus = bus_events != nullptr,
                                  .on_welcome = [&bus_events](bool bus_frames_withheld) {
                                    return bus_events == nullptr ||
                                           bus_events->OnStreamWelcome(bus_frames_withheld);
                                  }});
  gateway::WsMetrics ws_metrics(registry);

  gateway::BackendReadiness readiness(
      {{"auth-svc", auth_channel, {}},
       {"chat-svc", chat_channel, {}},
       {"realtime-svc", realtime_channel,
        [&bridge, &bus_events] {
          if (!bridge.live()) return std::string("no stream");
          if (bus_events && bus_events->active() && !bus_events->Status().ok()) {
            return std::string("no bus subscription");
          }
          return std::string();
        }}},
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
  if (absl::Status added = gateway::AddGatewayRoutes(router, readiness, *rest_routes, forwarder);
      !added.ok()) {
    log::Write(log::Level::kCritical, "", "cannot serve the REST routes",
               {{"error", std::string(added.message())}});
    return 2;
  }

  // Edge protection: client addresses behind trusted proxies, user ids, rate limits (shared
  // through Redis when it is configured, per process otherwise and whenever Redis fails).
  absl::StatusOr<gateway::ClientAddressResolver> client_addresses =
      gateway::ClientAddressResolver::Create(settings.trusted_proxies);
  if (!client_addresses.ok()) {
    log::Write(log::Level::kCritical, "", "invalid CHATTER_TRUSTED_PROXIES",
               {{"error", std::string(client_addresses.status().message())}});
    return 2;
  }
  gateway::LocalTokenBuckets local_buckets(
      clock, settings.rate_limits.max_local_buckets,
      &registry.GetCounter("rate_limit_local_evictions_total",
                           "Per-process buckets dropped before they refilled: "
                           "CHATTER_RATE_LIMIT_MAX_LOCAL_BUCKETS is too small for the traffic."));
  registry.AddCallbackGauge("rate_limit_local_buckets", "Token buckets held in this process.", {},
                            [&local_buckets] { return local_buckets.size(); });
  std::unique_ptr<redis::Client> redis_client;
  std::unique_ptr<gateway::RedisTokenBuckets> shared_buckets;
  gateway::TokenBucketStore* bucket_store = &local_buckets;
  if (settings.redis_endpoint) {
    redis_client = std::make_unique<redis::Client>(
        *settings.redis_endpoint,
        redis::ConnectionOptions{.connect_timeout = settings.redis_timeout,
                                 .command_timeout = settings.redis_timeout,
                                 .client_name = "gateway-rate-limits"},
        1);
    shared_buckets = std::make_unique<gateway::RedisTokenBuckets>(
        *redis_client, local_buckets, registry,
        [&io](std::function<void()> continuation) {
          boost::asio::post(io, std::move(continuation));
        },
        gateway::RedisTokenBucketsOptions{.key_prefix = settings.redis_prefix});
    bucket_store = shared_buckets.get();
  } else if (settings.rate_limits.enabled) {
    log::Info("rate limits are per process (CHATTER_REDIS_URL is not set)");
  }
  gateway::RateLimiter rate_limiter(settings.rate_limits, *bucket_store, registry);
  gateway::RequestUserIdentifier request_users((*verification)->authenticator(), clock);

  // The landing page and the web app, only when configured (tools/dev up; never in production).
  std::unique_ptr<gateway::StaticSite> static_site;
  std::optional<gateway::FallbackRoute> static_route;
  if (settings.static_files.enabled()) {
    absl::StatusOr<std::unique_ptr<gateway::StaticSite>> loaded =
        gateway::StaticSite::Load(settings.static_files);
    if (!loaded.ok()) {
      log::Write(log::Level::kCritical, "", "cannot serve the static files",
                 {{"error", std::string(loaded.status().message())}});
      return 2;
    }
    static_site = *std::move(loaded);
    static_route = static_site->AsFallbackRoute();
  }

  gateway::CorsPolicy cors(settings.cors_origins);
  gateway::RequestIdSource request_ids(uuids);
  gateway::Dispatcher dispatcher(router, cors, request_ids, registry,
                                 {.client_addresses = &*client_addresses,
                                  .identify_user =
                                      [&request_users](const gateway::HttpRequest& request) {
                                        return request_users.UserIdOf(request);
                                      },
                                  .rate_limiter = &rate_limiter,
                                  .fallback = static_route ? &*static_route : nullptr});
  gateway::WsEndpoint websockets(
      settings.ws, (*verification)->authenticator(), cors, request_ids, uuids, session_chat, bridge,
      room_index, sequencer, ws_metrics,
      {.client_addresses = &*client_addresses, .rate_limiter = &rate_limiter});
  // Logins that end (logout, password change, account deletion): their tokens are refused here
  // and their WebSocket sessions closed with 4401, within one poll of auth-svc's log.
  authn::RemoteRevocationFeed revocations(
      **verification, service_tokens, [&websockets](const std::vector<authn::Revocation>& ended) {
        websockets.CloseEndedLogins(ended);
      });

  gateway::HttpServer server(io, settings.http, dispatcher, &websockets);
  if (absl::Status started = server.Start(); !started.ok()) {
    log::Write(log::Level::kCritical, "", "cannot start HTTP server",
               {{"error", std::string(started.message())}});
    return 1;
  }
  registry.AddCallbackGauge("http_open_connections", "Open client connections.", {},
                            [&server] { return server.open_connections(); });
  registry.AddCallbackGauge("ws_sessions", "Open WebSocket sessions.", {},
                            [&websockets] { return websockets.open_connections(); });
  metrics::AdminServer admin(settings.admin_listen, registry, [] {
    return metrics::ReadinessReport{true, "ok"};
  });
  if (absl::Status started = admin.Start(); !started.ok()) {
    log::Write(log::Level::kCritical, "", "cannot start admin server",
               {{"error", std::string(started.message())}});
    return 1;
  }
  token_keeper.Start();
  sequencer.Start();
  if (bus_events) bus_events->Start();
  bridge.Start();
  if (shared_buckets) shared_buckets->Start();
  auto work = boost::asio::make_work_guard(io);
  std::vector<std::thread> io_threads;
  for (int i = 0; i < settings.io_threads; ++i) io_threads.emplace_back([&io] { io.run(); });
  log::Info("serving", {{"http_port", server.port()}, {"admin_port", admin.port()}});

  int signal_number = shutdown_signal.Wait();
  log::Info("shutting down", {{"signal", signal_number}});
  server.StopAccepting();
  websockets.CloseAll(1012, "server restarting");
  Drain(server, websockets, settings.shutdown_grace);
  bridge.Stop();
  if (bus_events) bus_events->Stop();
  sequencer.Stop();
  token_keeper.Stop();
  // Requests waiting for a rate-limit decision counted as in flight, so Drain waited for them;
  // whatever is still queued now is decided locally and dropped with the I/O context.
  if (shared_buckets) shared_buckets->Stop();
  work.reset();
  io.stop();
  for (auto& thread : io_threads) thread.join();
  room_index.Clear();  // Sessions that outlived the grace go before the I/O context.
  admin.Stop();
  log::Info("stopped");
  return 0;
}
