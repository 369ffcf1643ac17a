// The gateway's settings, read from CHATTER_* environment variables (docs/CONFIGURATION.md).
#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gateway/http/http_server.h"
#include "libs/config/config_reader.h"

namespace chatter::gateway {

struct GatewaySettings {
  std::string log_level;
  HttpServerOptions http;
  std::string admin_listen;
  int io_threads = 2;
  std::string auth_address;
  std::string chat_address;
  std::string realtime_address;
  absl::Duration backend_timeout;       // readiness checks
  absl::Duration backend_call_timeout;  // deadline of each forwarded REST call
  std::vector<std::string> cors_origins;
  absl::Duration shutdown_grace;
};

// Reads every setting; problems are collected in reader.status().
GatewaySettings ReadGatewaySettings(config::ConfigReader& reader);

}  // namespace chatter::gateway
