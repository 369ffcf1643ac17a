// chat-svc: rooms, membership, contacts and ordered message history. Composition root only:
// settings -> dependencies -> server -> wait.
#include <grpcpp/create_channel.h>

#include "absl/strings/str_cat.h"
#include "libs/authn/service_token_source.h"
#include "libs/ids/uuid_generator.h"
#include "libs/log/log.h"
#include "libs/service/service_runtime.h"
#include "services/chat/api/chat_grpc_service.h"
#include "services/chat/chat_settings.h"
#include "services/chat/clients/auth_user_directory.h"
#include "services/chat/clients/caching_user_directory.h"
#include "services/chat/clients/realtime_event_sink.h"
#include "services/chat/events/queued_event_publisher.h"
#include "services/chat/storage/pg_contact_repository.h"
#include "services/chat/storage/pg_message_repository.h"
#include "services/chat/storage/pg_room_repository.h"

namespace {

// How long queued room events may still be sent after the server stopped serving.
constexpr absl::Duration kEventDrainGrace = absl::Seconds(2);

}  // namespace

int main(int argc, char** argv) {
  using namespace chatter;
  std::vector<pg::PreparedStatement> statements = chat::PgRoomRepository::Statements();
  for (auto& statement : chat::PgMessageRepository::Statements()) statements.push_back(statement);
  for (auto& statement : chat::PgContactRepository::Statements()) statements.push_back(statement);
  service::ServiceRuntime runtime({.name = "chat-svc",
                                   .default_grpc_listen = "127.0.0.1:50052",
                                   .default_admin_listen = "127.0.0.1:9102",
                                   .uses_postgres = true,
                                   .uses_redis = false,
                                   .migrations = &pg::EmbeddedMigrations(),
                                   .prepared_statements = std::move(statements),
                                   .verifies_tokens_with_public_keys = true},
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
  chat::RealtimeEventSink realtime(
      grpc::CreateChannel(settings.realtime_address, grpc::InsecureChannelCredentials()), tokens,
      settings.publish_timeout);
  chat::QueuedEventPublisher events(realtime, runtime.metrics(), settings.event_queue_capacity);
  chat::PgRoomRepository rooms(runtime.pool());
  chat::PgMessageRepository messages(runtime.pool());
  chat::PgContactRepository contacts(runtime.pool());
  chat::ChatService chat_service(settings.policy, rooms, messages, contacts, users, events, uuids,
                                 clock);
  chat::ChatGrpcService grpc_service(chat_service, runtime.authenticator(),
                                     settings.internal_callers);
  runtime.server().AddService(&grpc_service);
  events.Start();
  int exit_code = runtime.Serve();
  events.Stop(kEventDrainGrace);
  return exit_code;
}
