// Tests for the gRPC server bootstrap: health, readiness publication, metrics, graceful drain.
#include "libs/grpc_server/grpc_server.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "absl/synchronization/notification.h"
#include "chatter/auth/v1/auth.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "libs/grpc_client/request_id.h"
#include "libs/grpc_server/readiness_monitor.h"
#include "libs/grpc_server/request_scope.h"
#include "libs/log/log.h"

namespace chatter::grpc_server {
namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

// A service whose one implemented RPC blocks until released, so the test can observe draining.
class SlowSigningKeys final : public auth::v1::AuthService::Service {
 public:
  grpc::Status GetSigningKeys(grpc::ServerContext*, const auth::v1::GetSigningKeysRequest*,
                              auth::v1::GetSigningKeysResponse*) override {
    started.Notify();
    release.WaitForNotification();
    return grpc::Status::OK;
  }
  absl::Notification started;
  absl::Notification release;
};

// Records the thread's current request id inside and right after a RequestScope.
class RecordingSigningKeys final : public auth::v1::AuthService::Service {
 public:
  grpc::Status GetSigningKeys(grpc::ServerContext* context, const auth::v1::GetSigningKeysRequest*,
                              auth::v1::GetSigningKeysResponse*) override {
    {
      RequestScope scope(*context);
      inside = log::CurrentRequestId();
    }
    after = log::CurrentRequestId();
    return grpc::Status::OK;
  }
  std::string inside = "unset";
  std::string after = "unset";
};

HealthCheckResponse::ServingStatus Check(const std::string& address, const std::string& service,
                                         grpc::StatusCode* code = nullptr) {
  auto stub = Health::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  HealthCheckRequest request;
  request.set_service(service);
  HealthCheckResponse response;
  grpc::Status status = stub->Check(&context, request, &response);
  if (code) *code = status.error_code();
  return response.status();
}

TEST(GrpcServer, ServesHealthAndCountsRpcs) {
  metrics::Registry registry;
  GrpcServer server({.listen_address = "127.0.0.1:0"}, registry);
  ASSERT_TRUE(server.Start().ok());
  ASSERT_GT(server.port(), 0);
  std::string address = "127.0.0.1:" + std::to_string(server.port());
  EXPECT_EQ(Check(address, ""), HealthCheckResponse::SERVING);
  std::string text = registry.RenderText();
  EXPECT_NE(text.find("grpc_server_handled_total{grpc_code=\"ok\","
                      "grpc_method=\"/grpc.health.v1.Health/Check\"} 1"),
            std::string::npos)
      << text;
  server.Shutdown();
}

// Calls `method` with an empty message through a generic stub; answers the status code.
grpc::StatusCode CallByPath(const std::string& address, const std::string& method) {
  grpc::GenericStub stub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  grpc::CompletionQueue cq;
  grpc::ByteBuffer request;
  grpc::ByteBuffer response;
  grpc::Status status;
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> call =
      stub.PrepareUnaryCall(&context, method, request, &cq);
  call->StartCall();
  call->Finish(&response, &status, reinterpret_cast<void*>(1));
  void* tag = nullptr;
  bool ok = false;
  EXPECT_TRUE(cq.Next(&tag, &ok));
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return status.error_code();
}

TEST(GrpcServer, AMethodPathTheBinaryDoesNotKnowIsCountedAsOther) {
  metrics::Registry registry;
  GrpcServer server({.listen_address = "127.0.0.1:0"}, registry);
  ASSERT_TRUE(server.Start().ok());
  std::string address = "127.0.0.1:" + std::to_string(server.port());
  for (const std::string& path : std::vector<std::string>{
           "/no.such.Service/Method", "/" + std::string(2000, 'z') + "/x", "/junk"}) {
    EXPECT_EQ(CallByPath(address, path), grpc::StatusCode::UNIMPLEMENTED) << path;
  }
  // Compiled into this binary (not served here): still a closed set, so it keeps its name.
  EXPECT_EQ(CallByPath(address, "/chatter.auth.v1.AuthService/Login"),
            grpc::StatusCode::UNIMPLEMENTED);
  std::string text = registry.RenderText();
  EXPECT_NE(text.find("grpc_server_handled_total{grpc_code=\"unimplemented\","
                      "grpc_method=\"other\"} 3"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("grpc_method=\"/chatter.auth.v1.AuthService/Login\""), std::string::npos);
  EXPECT_EQ(text.find("no.such"), std::string::npos) << text;
  EXPECT_EQ(text.find("zzzz"), std::string::npos);
  server.Shutdown();
}

TEST(GrpcServer, StartFailsOnAnAddressInUse) {
  metrics::Registry registry;
  GrpcServer first({.listen_address = "127.0.0.1:0"}, registry);
  ASSERT_TRUE(first.Start().ok());
  GrpcServer second({.listen_address = "127.0.0.1:" + std::to_string(first.port())}, registry);
  EXPECT_EQ(second.Start().code(), absl::StatusCode::kUnavailable);
}

TEST(GrpcServer, ShutdownLetsInFlightCallsFinish) {
  metrics::Registry registry;
  SlowSigningKeys slow;
  GrpcServer server({.listen_address = "127.0.0.1:0", .shutdown_grace = absl::Seconds(10)},
                    registry);
  server.AddService(&slow);
  ASSERT_TRUE(server.Start().ok());
  std::string address = "127.0.0.1:" + std::to_string(server.port());

  std::atomic<int> result{-1};
  std::thread caller([&] {
    auto stub = auth::v1::AuthService::NewStub(
        grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    auth::v1::GetSigningKeysResponse response;
    result = static_cast<int>(
        stub->GetSigningKeys(&context, auth::v1::GetSigningKeysRequest(), &response).error_code());
  });
  slow.started.WaitForNotification();
  std::thread stopper([&] { server.Shutdown(); });
  // The call is still running; releasing it must let it complete successfully.
  slow.release.Notify();
  stopper.join();
  caller.join();
  EXPECT_EQ(result.load(), static_cast<int>(grpc::StatusCode::OK));
}

TEST(RequestScope, TheCallersForwardedIdIsCurrentInTheHandlerOnly) {
  metrics::Registry registry;
  RecordingSigningKeys service;
  GrpcServer server({.listen_address = "127.0.0.1:0"}, registry);
  server.AddService(&service);
  ASSERT_TRUE(server.Start().ok());
  auto stub = auth::v1::AuthService::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(server.port()), grpc::InsecureChannelCredentials()));
  auto call = [&] {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    grpc_client::ForwardRequestId(context);
    auth::v1::GetSigningKeysResponse response;
    return stub->GetSigningKeys(&context, auth::v1::GetSigningKeysRequest(), &response);
  };

  {
    log::ScopedRequestId caller("req-forwarded-1");
    ASSERT_TRUE(call().ok());
  }
  EXPECT_EQ(service.inside, "req-forwarded-1");
  EXPECT_EQ(service.after, "");

  // Without a current request nothing is forwarded.
  ASSERT_TRUE(call().ok());
  EXPECT_EQ(service.inside, "");
  server.Shutdown();
}

TEST(ReadinessMonitor, PublishesOverallAndPerDependencyHealth) {
  metrics::Registry registry;
  GrpcServer server({.listen_address = "127.0.0.1:0"}, registry);
  ASSERT_TRUE(server.Start().ok());
  std::string address = "127.0.0.1:" + std::to_string(server.port());

  std::atomic<bool> postgres_up{true};
  ReadinessMonitor monitor({{"postgres",
                             [&] {
                               return postgres_up ? absl::OkStatus()
                                                  : absl::UnavailableError("connection refused");
                             }},
                            {"redis", [] { return absl::OkStatus(); }}},
                           absl::Hours(1));  // Only explicit CheckNow() calls in this test.
  monitor.Start(server.health());
  EXPECT_TRUE(monitor.Current().ready);
  EXPECT_EQ(Check(address, ""), HealthCheckResponse::SERVING);
  EXPECT_EQ(Check(address, "postgres"), HealthCheckResponse::SERVING);

  postgres_up = false;
  Readiness down = monitor.CheckNow();
  EXPECT_FALSE(down.ready);
  EXPECT_EQ(down.detail, "postgres: connection refused");
  EXPECT_EQ(Check(address, ""), HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(Check(address, "postgres"), HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(Check(address, "redis"), HealthCheckResponse::SERVING);

  grpc::StatusCode code;
  Check(address, "no-such-dependency", &code);
  EXPECT_EQ(code, grpc::StatusCode::NOT_FOUND);

  postgres_up = true;
  EXPECT_TRUE(monitor.CheckNow().ready);
  EXPECT_EQ(Check(address, ""), HealthCheckResponse::SERVING);
  monitor.Stop();
  server.Shutdown();
}

}  // namespace
}  // namespace chatter::grpc_server
