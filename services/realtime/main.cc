// realtime-svc: live fan-out of room events, typing and presence. Composition root only: settings
// -> dependencies -> server -> wait.
#include "libs/service/service_runtime.h"

int main(int argc, char** argv) {
  chatter::service::ServiceRuntime runtime(
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
  if (auto exit_code = runtime.Initialize()) return *exit_code;
  return runtime.Serve();
}
