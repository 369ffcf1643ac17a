// realtime-svc: live fan-out of room events, typing and presence. Composition root only: settings
// -> dependencies -> server -> wait.
#include <grpcpp/create_channel.h>

#include "absl/strings/str_cat.h"
#include "libs/authn/service_token_source.h"
#include "libs/ids/uuid_generator.h"
#include "libs/log/log.h"
#include "libs/process/periodic_task.h"
#include "libs/redis/redis_client.h"
#include "libs/service/service_runtime.h"
#include "services/realtime/api/realtime_grpc_service.h"
#include "services/realtime/bus/redis_event_bus.h"
#include "services/realtime/clients/chat_block_directory.h"
#include "services/realtime/domain/gateway_registry.h"
#include "services/realtime/domain/presence_service.h"
#include "services/realtime/domain/realtime_metrics.h"
#include "services/realtime/realtime_settings.h"
#include "services/realtime/storage/redis_presence_store.h"
#include "services/realtime/work/background_publisher.h"
#include "services/realtime/work/queued_presence_tasks.h"
#include "services/realtime/work/sharded_work_queue.h"

int main(int argc, char** argv) {
  using namespace chatter;
  service::ServiceRuntime runtime(
      {
          .name = "realtime-svc",
          .default_grpc_listen = "127.0.0.1:50053",
          .default_admin_listen = "127.0.0.1:9103",
          .uses_postgres = false,
          .uses_redis = true,
          .migrations = nullptr,
          .prepared_statements = {},
          .verifies_tokens_with_public_keys = true,
      },
      argc, argv);
  realtime::RealtimeSettings settings = realtime::ReadRealtimeSettings(runtime.config());
  if (auto exit_code = runtime.Initialize()) return *exit_code;
  if (absl::Status serving = realtime::CheckServingSettings(settings); !serving.ok()) {
    log::Write(log::Level::kCritical, "",
               absl::StrCat("invalid configuration: ", serving.message()), log::Fields::object());
    return 2;
  }

  ids::SystemClock clock;
  ids::SodiumRandomSource random;
  ids::UuidGenerator uuids(clock, random);
  realtime::RealtimeMetrics metrics(runtime.metrics());
  authn::ServiceTokenSource tokens(
      grpc::CreateChannel(settings.auth_address, grpc::InsecureChannelCredentials()),
      settings.credentials, clock, settings.auth_call_timeout);
  realtime::ChatBlockDirectory blocks(
      grpc::CreateChannel(settings.chat_address, grpc::InsecureChannelCredentials()), tokens,
      settings.chat_call_timeout);

  redis::Client redis(runtime.redis(), settings.redis, settings.redis_connections);
  realtime::RedisEventBus bus(redis, redis::EventsChannel(settings.redis_prefix), metrics);
  realtime::RedisPresenceStore store(redis, settings.redis_prefix);
  realtime::PresenceService presence(
      store, blocks, bus, clock, metrics,
      {.ttl = settings.presence_ttl, .snapshot_limit = settings.snapshot_limit});

  realtime::GatewayRegistry registry;
  realtime::ShardedWorkQueue presence_queue("presence", settings.presence_workers,
                                            settings.work_queue_capacity);
  realtime::ShardedWorkQueue typing_queue("typing", 1, settings.work_queue_capacity);
  realtime::QueuedPresenceTasks presence_tasks(presence, presence_queue, metrics);
  realtime::BackgroundPublisher typing(bus, typing_queue);
  realtime::BusSubscription subscription(
      runtime.redis(), redis::EventsChannel(settings.redis_prefix), {.connection = settings.redis},
      [&registry](const std::shared_ptr<const realtime::v1::RealtimeFrame>& frame) {
        return registry.Deliver(frame);
      },
      metrics);
  process::PeriodicTask sweeper(settings.sweep_interval, [&presence] { presence.SweepExpired(); });
  runtime.metrics().AddCallbackGauge("realtime_gateways_connected",
                                     "Gateway streams connected to this instance.", {},
                                     [&registry] { return registry.stream_count(); });
  runtime.metrics().AddCallbackGauge("realtime_sessions", "WebSocket sessions of those gateways.",
                                     {}, [&registry] { return registry.session_count(); });
  runtime.metrics().AddCallbackGauge("realtime_work_queued", "Blocking work waiting, by queue.",
                                     {{"queue", "presence"}},
                                     [&presence_queue] { return presence_queue.pending(); });
  runtime.metrics().AddCallbackGauge("realtime_work_queued", "Blocking work waiting, by queue.",
                                     {{"queue", "typing"}},
                                     [&typing_queue] { return typing_queue.pending(); });

  realtime::RealtimeGrpcService grpc_service(
      runtime.authenticator(),
      {.publishers = settings.publishers,
       .gateways = settings.gateways,
       .presence_readers = settings.presence_readers},
      {.link = {.instance_id = uuids.NewV7(),
                .heartbeat_interval = settings.heartbeat_interval,
                .presence_ttl = settings.presence_ttl},
       .queue_frames = settings.gateway_queue_frames},
      {.registry = registry,
       .presence = presence_tasks,
       .publisher = typing,
       .uuids = uuids,
       .clock = clock,
       .metrics = metrics},
      bus, presence);
  runtime.server().AddService(&grpc_service);
  runtime.AddReadinessCheck({"redis-bus", [&subscription] { return subscription.Status(); }});
  runtime.AddShutdownHook([&grpc_service] { grpc_service.StopStreams(); });

  presence_queue.Start();
  typing_queue.Start();
  subscription.Start();
  subscription.WaitUntilSubscribed(settings.redis.connect_timeout);
  sweeper.Start();
  int exit_code = runtime.Serve();
  sweeper.Stop();
  subscription.Stop();
  typing_queue.Stop();
  presence_queue.Stop();
  return exit_code;
}
