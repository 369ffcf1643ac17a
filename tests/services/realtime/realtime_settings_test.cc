// realtime-svc settings: the documented defaults, the TTL/heartbeat rule, and the secret
// required only to serve.
#include "services/realtime/realtime_settings.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"

namespace chatter::realtime {
namespace {

TEST(RealtimeSettings, Defaults) {
  config::MapEnv env({});
  config::ConfigReader reader(env);
  RealtimeSettings settings = ReadRealtimeSettings(reader);
  ASSERT_TRUE(reader.status().ok()) << reader.status();
  EXPECT_EQ(settings.redis_prefix, "chatter:");
  EXPECT_EQ(settings.heartbeat_interval, absl::Seconds(10));
  EXPECT_EQ(settings.presence_ttl, absl::Seconds(45));
  EXPECT_EQ(settings.sweep_interval, absl::Seconds(5));
  EXPECT_EQ(settings.gateway_queue_frames, 10000u);
  EXPECT_EQ(settings.publishers, std::vector<std::string>{"chat-svc"});
  EXPECT_EQ(settings.gateways, std::vector<std::string>{"gateway"});
  EXPECT_EQ(settings.presence_readers, std::vector<std::string>{"chat-svc"});
  EXPECT_EQ(settings.credentials.client_id, "realtime-svc");
  EXPECT_EQ(settings.chat_address, "127.0.0.1:50052");
  EXPECT_EQ(CheckServingSettings(settings).code(), absl::StatusCode::kInvalidArgument);
}

TEST(RealtimeSettings, ReadsListsAndRejectsATtlNotAboveTheHeartbeat) {
  config::MapEnv env({{"CHATTER_REALTIME_GATEWAYS", "gateway, edge-2"},
                      {"CHATTER_REALTIME_PRESENCE_READERS", "chat-svc,admin-svc"},
                      {"CHATTER_SERVICE_CLIENT_SECRET", "0123456789abcdef"},
                      {"CHATTER_PRESENCE_HEARTBEAT_MS", "5000"},
                      {"CHATTER_PRESENCE_TTL_MS", "5000"}});
  config::ConfigReader reader(env);
  RealtimeSettings settings = ReadRealtimeSettings(reader);
  EXPECT_EQ(settings.gateways, (std::vector<std::string>{"gateway", "edge-2"}));
  EXPECT_EQ(settings.presence_readers, (std::vector<std::string>{"chat-svc", "admin-svc"}));
  EXPECT_TRUE(CheckServingSettings(settings).ok());
  EXPECT_EQ(reader.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(reader.status().message(), "CHATTER_PRESENCE_TTL_MS"));
}

}  // namespace
}  // namespace chatter::realtime
