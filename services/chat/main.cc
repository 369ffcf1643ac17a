// chat-svc: rooms, membership, contacts and ordered message history. Composition root only:
// settings -> dependencies -> server -> wait.
#include <grpcpp/create_channel.h>

#include <atomic>
#include <csignal>
#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "libs/authn/service_token_source.h"
#include "libs/ids/uuid_generator.h"
#include "libs/log/log.h"
#include "libs/redis/events_channel.h"
#include "libs/redis/redis_client.h"
#include "libs/redis/redis_url.h"
#include "libs/service/service_runtime.h"
#include "services/chat/api/admin_grpc_service.h"
#include "services/chat/api/chat_grpc_service.h"
#include "services/chat/chat_settings.h"
#include "services/chat/clients/admin_clients.h"
#include "services/chat/clients/auth_user_directory.h"
#include "services/chat/clients/caching_user_directory.h"
#include "services/chat/clients/realtime_event_sink.h"
#include "services/chat/clients/redis_event_sink.h"
#include "services/chat/events/queued_event_publisher.h"
#include "services/chat/storage/group_commit_messages.h"
#include "services/chat/storage/pg_admin_request_log.h"
#include "services/chat/storage/pg_contact_repository.h"
#include "services/chat/storage/pg_conversation_repository.h"
#include "services/chat/storage/pg_message_repository.h"
#include "services/chat/storage/pg_room_repository.h"

namespace {

// How long queued room events may still be sent after the server stopped serving.
constexpr absl::Duration kEventDrainGrace = absl::Seconds(2);
// Rooms written this recently get their head published at start (see RecentRoomHeads).
constexpr absl::Duration kRecentHeadsWindow = absl::Seconds(60);

// A chat-svc that died between a commit and its publish left a message no gateway saw; if the
// room stays quiet no later seq reveals the gap, so every start announces recent rooms' heads
// (queued like events: retried until realtime-svc takes them).
void AnnounceRecentHeads(chatter::chat::PgMessageRepository& messages,
                         chatter::chat::EventPublisher& events, chatter::ids::Clock& clock) {
  using chatter::chat::RoomEvent;
  absl::Time since = absl::FromUnixMillis(clock.UnixMillis()) - kRecentHeadsWindow;
  auto heads = messages.RecentRoomHeads(since);
  if (!heads.ok()) {
    chatter::log::Warn("could not read recent room heads; gateways find gaps at the next message",
                       {{"error", std::string(heads.status().message())}});
    return;
  }
  for (auto& [room_id, last_seq] : *heads) {
    events.Publish(
        RoomEvent{.kind = RoomEvent::Kind::kRoomHead, .room_id = room_id, .seq = last_seq});
  }
  if (!heads->empty())
    chatter::log::Info("announced recent room heads", {{"rooms", heads->size()}});
}

}  // namespace

int main(int argc, char** argv) {
  using namespace chatter;
  std::vector<pg::PreparedStatement> statements = chat::PgRoomRepository::Statements();
  for (auto& statement : chat::PgMessageRepository::Statements()) statements.push_back(statement);
  for (auto& statement : chat::PgContactRepository::Statements()) statements.push_back(statement);
  for (auto& statement : chat::PgConversationRepository::Statements()) {
    statements.push_back(statement);
  }
  for (auto& statement : chat::PgAdminRequestLog::Statements()) statements.push_back(statement);
  service::ServiceRuntime runtime({.name = "chat-svc",
                                   .default_grpc_listen = "127.0.0.1:50052",
                                   .default_admin_listen = "127.0.0.1:9102",
                                   .uses_postgres = true,
                                   .uses_redis = false,
                                   .migrations = &pg::EmbeddedMigrations(),
                                   .prepared_statements = std::move(statements),
                                   .verifies_tokens_with_public_keys = true,
                                   // A send waiting for its group commit holds its thread
                                   // (parked, cheap): the send queue, not this, should bound
                                   // sends in flight at the rates the machine can carry.
                                   .default_grpc_max_threads = 128},
                                  argc, argv);
  chat::ChatSettings settings = chat::ReadChatSettings(runtime.config());
  if (auto exit_code = runtime.Initialize()) return *exit_code;
  if (absl::Status serving = chat::CheckServingSettings(settings); !serving.ok()) {
    log::Write(log::Level::kCritical, "",
               absl::StrCat("invalid configuration: ", serving.message()), log::Fields::object());
    return 2;
  }

  ids::SystemClock clock;
  ids::SodiumRandomSource random;
  ids::UuidGenerator uuids(clock, random);
  auto auth_channel =
      grpc::CreateChannel(settings.auth_address, grpc::InsecureChannelCredentials());
  authn::ServiceTokenSource tokens(auth_channel, settings.credentials, clock,
                                   settings.auth_call_timeout);
  chat::AuthUserDirectory auth_users(auth_channel, tokens, settings.auth_call_timeout);
  chat::CachingUserDirectory users(auth_users, clock, settings.user_cache_ttl,
                                   settings.user_cache_max_entries);
  // Tokens of ended logins are refused within one poll of auth-svc's revocation log; their
  // users are looked up afresh (an account deletion ends every login).
  authn::RemoteRevocationFeed revocations(runtime.token_verification(), tokens,
                                          [&users](const std::vector<authn::Revocation>& ended) {
                                            for (const authn::Revocation& revocation : ended)
                                              users.Forget(revocation.user_id);
                                          });
  // Room events go onto realtime-svc's Redis bus directly when chat-svc has the bus' Redis,
  // else through realtime-svc's PublishStream (see RedisEventSink for why).
  std::unique_ptr<redis::Client> bus_redis;
  std::unique_ptr<chat::EventSink> event_sink;
  if (settings.redis_endpoint) {
    // One connection: the publisher's one worker sends one batch at a time.
    bus_redis = std::make_unique<redis::Client>(*settings.redis_endpoint, settings.redis, 1);
    event_sink = std::make_unique<chat::RedisEventSink>(
        *bus_redis, redis::EventsChannel(settings.redis_prefix), uuids, clock);
  } else {
    event_sink = std::make_unique<chat::RealtimeEventSink>(
        grpc::CreateChannel(settings.realtime_address, grpc::InsecureChannelCredentials()), tokens,
        settings.publish_timeout);
  }
  chat::QueuedEventPublisher events(*event_sink, runtime.metrics(), settings.event_queue_capacity);
  chat::PgRoomRepository rooms(runtime.pool());
  chat::PgMessageRepository messages(runtime.pool());
  chat::PgContactRepository contacts(runtime.pool());
  std::atomic<int64_t> commits_before_kill{settings.fault_kill_after_commits};
  if (settings.fault_kill_after_commits > 0) {
    log::Warn("fault injection on: SIGKILL after a commit",
              {{"CHATTER_FAULT_KILL_AFTER_COMMITS", settings.fault_kill_after_commits}});
    settings.policy.after_message_commit = [&commits_before_kill] {
      if (commits_before_kill.fetch_sub(1) == 1) ::raise(SIGKILL);
    };
  }
  // Concurrent sends share one statement and one commit (see GroupCommitMessages).
  chat::GroupCommitMessages sends(
      messages, messages, runtime.metrics(),
      {.max_batch = settings.send_batch_max, .max_waiting = settings.send_queue_max});
  chat::ChatService chat_service(settings.policy, rooms, sends, contacts, users, events, uuids,
                                 clock);
  chat::PgConversationRepository conversations(runtime.pool());
  chat::DeliveryMarkers delivered(conversations, events, uuids, clock);
  chat::ConversationService conversation_service(rooms, sends, contacts, conversations, delivered,
                                                 events, uuids, clock);
  chat::RoomDirectory directory(rooms);
  chat::ChatGrpcService grpc_service(chat_service, conversation_service, directory,
                                     runtime.authenticator(), settings.internal_callers);
  runtime.server().AddService(&grpc_service);
  // The server API for the platform's own services (docs/SERVER_API.md).
  chat::RealtimeLiveSessions live_sessions(
      grpc::CreateChannel(settings.realtime_address, grpc::InsecureChannelCredentials()), tokens,
      settings.publish_timeout);
  chat::AuthLoginRevoker logins(auth_channel, tokens, settings.auth_call_timeout);
  chat::AdminService admin_service(rooms, messages, messages, rooms, users, live_sessions, logins,
                                   events, uuids, clock);
  chat::PgAdminRequestLog admin_requests(runtime.pool());
  chat::IdempotentWrites idempotent_writes(admin_requests);
  chat::PrincipalRateLimiter admin_limiter(settings.admin_rate_per_second, settings.admin_burst,
                                           clock);
  chat::AdminGrpcService admin_grpc_service(admin_service, idempotent_writes,
                                            runtime.authenticator(), settings.admin_acl,
                                            admin_limiter, uuids);
  runtime.server().AddService(&admin_grpc_service);
  events.Start();
  AnnounceRecentHeads(messages, events, clock);
  // Delivered markers are written at most once per member, room and second (DeliveryMarkers).
  auto flusher = std::make_unique<chat::DeliveryFlusher>(delivered, absl::Seconds(1));
  int exit_code = runtime.Serve();
  flusher.reset();  // The last markers are written, and their events queued, before the drain.
  events.Stop(kEventDrainGrace);
  return exit_code;
}
