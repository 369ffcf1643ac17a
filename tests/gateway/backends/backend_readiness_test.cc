// Tests /readyz aggregation against real in-process gRPC servers publishing health.
#include "gateway/backends/backend_readiness.h"

#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>

#include <future>
#include <nlohmann/json.hpp>

#include "libs/grpc_server/grpc_server.h"
#include "libs/grpc_server/readiness_monitor.h"

namespace chatter::gateway {
namespace {

std::shared_ptr<grpc::Channel> ChannelTo(int port) {
  return grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                             grpc::InsecureChannelCredentials());
}

ReadinessReport CheckNow(const BackendReadiness& readiness) {
  std::promise<ReadinessReport> done;
  readiness.Check([&done](ReadinessReport report) { done.set_value(std::move(report)); });
  return done.get_future().get();
}

TEST(BackendReadiness, NamesTheFailingDependencyAndRecovers) {
  metrics::Registry registry;
  grpc_server::GrpcServer auth({.listen_address = "127.0.0.1:0"}, registry);
  ASSERT_TRUE(auth.Start().ok());
  std::atomic<bool> postgres_up{true};
  grpc_server::ReadinessMonitor monitor(
      {{"postgres", [&] { return postgres_up ? absl::OkStatus() : absl::UnavailableError("x"); }}},
      absl::Hours(1));
  monitor.Start(auth.health());

  BackendReadiness readiness({{"auth-svc", ChannelTo(auth.port()), {}}}, absl::Seconds(2));
  ReadinessReport ready = CheckNow(readiness);
  EXPECT_TRUE(ready.ready);
  EXPECT_EQ(nlohmann::json::parse(ready.ToJson())["backends"]["auth-svc"]["status"], "serving");

  postgres_up = false;
  monitor.CheckNow();
  ReadinessReport down = CheckNow(readiness);
  EXPECT_FALSE(down.ready);
  auto body = nlohmann::json::parse(down.ToJson());
  EXPECT_EQ(body["status"], "unavailable");
  EXPECT_EQ(body["backends"]["auth-svc"]["status"], "not serving");
  EXPECT_EQ(body["backends"]["auth-svc"]["failing"], nlohmann::json::array({"postgres"}));
  EXPECT_EQ(body["failing"], nlohmann::json::array({"auth-svc: postgres unavailable"}));

  postgres_up = true;
  monitor.CheckNow();
  EXPECT_TRUE(CheckNow(readiness).ready);
  monitor.Stop();
}

TEST(BackendReadiness, ALocalProblemMakesAServingBackendUnready) {
  metrics::Registry registry;
  grpc_server::GrpcServer realtime({.listen_address = "127.0.0.1:0"}, registry);
  ASSERT_TRUE(realtime.Start().ok());
  std::atomic<bool> stream_up{false};
  BackendReadiness readiness(
      {{"realtime-svc", ChannelTo(realtime.port()),
        [&] { return stream_up ? std::string() : std::string("no stream"); }}},
      absl::Seconds(2));
  ReadinessReport down = CheckNow(readiness);
  EXPECT_FALSE(down.ready);
  auto body = nlohmann::json::parse(down.ToJson());
  EXPECT_EQ(body["backends"]["realtime-svc"]["status"], "no stream");
  EXPECT_EQ(body["failing"], nlohmann::json::array({"realtime-svc: no stream"}));

  stream_up = true;
  EXPECT_TRUE(CheckNow(readiness).ready);
}

TEST(BackendReadiness, UnreachableBackendIsNamed) {
  metrics::Registry registry;
  int dead_port;
  {
    grpc_server::GrpcServer gone({.listen_address = "127.0.0.1:0"}, registry);
    ASSERT_TRUE(gone.Start().ok());
    dead_port = gone.port();
  }
  BackendReadiness readiness({{"chat-svc", ChannelTo(dead_port), {}}}, absl::Milliseconds(500));
  ReadinessReport report = CheckNow(readiness);
  EXPECT_FALSE(report.ready);
  ASSERT_EQ(report.backends.size(), 1u);
  EXPECT_FALSE(report.backends[0].serving);
  EXPECT_TRUE(report.backends[0].problem == "unreachable" ||
              report.backends[0].problem == "timed out")
      << report.backends[0].problem;
}

}  // namespace
}  // namespace chatter::gateway
