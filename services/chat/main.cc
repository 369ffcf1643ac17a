// chat-svc: rooms, membership, contacts and ordered message history. Composition root only:
// settings -> dependencies -> server -> wait.
#include "libs/service/service_runtime.h"

int main(int argc, char** argv) {
  chatter::service::ServiceRuntime runtime(
      {
          .name = "chat-svc",
          .default_grpc_listen = "127.0.0.1:50052",
          .default_admin_listen = "127.0.0.1:9102",
          .uses_postgres = true,
          .uses_redis = false,
          .migrations = &chatter::pg::EmbeddedMigrations(),
          .prepared_statements = {},
          .verifies_tokens_with_public_keys = true,
      },
      argc, argv);
  if (auto exit_code = runtime.Initialize()) return *exit_code;
  return runtime.Serve();
}
