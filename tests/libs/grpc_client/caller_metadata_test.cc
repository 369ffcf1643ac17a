// AddCallerMetadata, read back on the server side of a real in-process call.
#include "libs/grpc_client/caller_metadata.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "grpc/health/v1/health.grpc.pb.h"

namespace chatter::grpc_client {
namespace {

// Records the metadata of the last Check call.
class RecordingHealth final : public grpc::health::v1::Health::Service {
 public:
  grpc::Status Check(grpc::ServerContext* context, const grpc::health::v1::HealthCheckRequest*,
                     grpc::health::v1::HealthCheckResponse*) override {
    seen.clear();
    for (const auto& [key, value] : context->client_metadata()) {
      std::string name(key.data(), key.size());
      if (name == "authorization" || name.rfind("x-", 0) == 0) {
        seen[name] = std::string(value.data(), value.size());
      }
    }
    return grpc::Status::OK;
  }
  std::map<std::string, std::string> seen;
};

class CallerMetadataTest : public ::testing::Test {
 protected:
  CallerMetadataTest() {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    stub_ = grpc::health::v1::Health::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  }
  ~CallerMetadataTest() override { server_->Shutdown(); }

  std::map<std::string, std::string> Sent(const CallerMetadata& caller) {
    grpc::ClientContext context;
    AddCallerMetadata(context, caller);
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status status = stub_->Check(&context, {}, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return service_.seen;
  }

  RecordingHealth service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<grpc::health::v1::Health::Stub> stub_;
};

TEST_F(CallerMetadataTest, EveryMemberBecomesItsHeader) {
  std::map<std::string, std::string> expected = {
      {"authorization", "Bearer t0ken"},
      {"x-request-id", "req-1"},
      {"x-forwarded-for", "203.0.113.7"},
      {"x-client-user-agent", "Mozilla/5.0 (X11)"},
  };
  EXPECT_EQ(Sent({.access_token = "t0ken",
                  .request_id = "req-1",
                  .client_ip = "203.0.113.7",
                  .user_agent = "Mozilla/5.0 (X11)"}),
            expected);
}

TEST_F(CallerMetadataTest, EmptyMembersAreNotSent) {
  EXPECT_EQ(Sent({}), (std::map<std::string, std::string>{}));
  EXPECT_EQ(Sent({.request_id = "req-2"}),
            (std::map<std::string, std::string>{{"x-request-id", "req-2"}}));
}

TEST_F(CallerMetadataTest, ClientChosenTextIsCutToPrintableAscii) {
  std::map<std::string, std::string> seen =
      Sent({.user_agent = "caf\xc3\xa9\r\nX-Evil: 1\t" + std::string(400, 'a')});
  EXPECT_EQ(seen["x-client-user-agent"], "cafX-Evil: 1" + std::string(256 - 17, 'a'));
  // Nothing but control bytes: not sent at all.
  EXPECT_FALSE(Sent({.client_ip = "\x01\x02"}).contains("x-forwarded-for"));
}

TEST(PrintableAsciiTest, KeepsPrintableBytesOfTheFirstMaxBytes) {
  EXPECT_EQ(PrintableAscii("a\x7f"
                           "b\x1f"
                           "c~ ",
                           100),
            "abc~ ");
  EXPECT_EQ(PrintableAscii("abcdef", 3), "abc");
  EXPECT_EQ(PrintableAscii("", 10), "");
}

}  // namespace
}  // namespace chatter::grpc_client
