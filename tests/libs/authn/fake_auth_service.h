// An in-process auth-svc stand-in for the authn tests: GetSigningKeys answers settable keys,
// IssueServiceToken checks one client's credentials and mints real tokens, and GetMe runs a
// probe on the server-side context so tests can inspect what a server sees.
#pragma once

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "chatter/auth/v1/auth.grpc.pb.h"
#include "libs/authn/jwks_proto.h"
#include "libs/jwt/signer.h"
#include "tests/libs/jwt/jwt_test_support.h"

namespace chatter::authn::testing {

class FakeAuthService final : public auth::v1::AuthService::Service {
 public:
  static constexpr char kClientId[] = "chat-svc";
  static constexpr char kClientSecret[] = "chat-svc-secret";

  // Signs service tokens and serves its public keys; also what GetSigningKeys answers.
  void SetSigner(std::vector<jwt::SigningKey> keys) {
    std::lock_guard lock(mu_);
    signer_ = std::make_unique<jwt::Signer>(std::move(keys));
    raw_keys_.clear();
    for (const jwt::PublicKey& key : signer_->PublicKeys()) raw_keys_.push_back(ToProto(key));
  }
  // Overrides what GetSigningKeys answers (e.g. unusable keys).
  void SetRawKeys(std::vector<auth::v1::SigningKey> keys) {
    std::lock_guard lock(mu_);
    raw_keys_ = std::move(keys);
  }
  void SetServiceTokenLifetime(absl::Duration lifetime) {
    lifetime_seconds_.store(absl::ToInt64Seconds(lifetime));
  }
  void SetIssueFailure(grpc::Status status) {
    std::lock_guard lock(mu_);
    issue_failure_ = std::move(status);
  }
  void SetProbe(std::function<void(const grpc::ServerContextBase&)> probe) {
    std::lock_guard lock(mu_);
    probe_ = std::move(probe);
  }
  // Lets IssueServiceToken stamp tokens with the test's notion of now.
  void SetClock(ids::Clock* clock) {
    std::lock_guard lock(mu_);
    clock_ = clock;
  }

  int signing_key_calls() const { return signing_key_calls_.load(); }
  int issue_calls() const { return issue_calls_.load(); }

  grpc::Status GetSigningKeys(grpc::ServerContext*, const auth::v1::GetSigningKeysRequest*,
                              auth::v1::GetSigningKeysResponse* response) override {
    signing_key_calls_.fetch_add(1);
    std::lock_guard lock(mu_);
    for (const auth::v1::SigningKey& key : raw_keys_) *response->add_keys() = key;
    return grpc::Status::OK;
  }

  grpc::Status IssueServiceToken(grpc::ServerContext*,
                                 const auth::v1::IssueServiceTokenRequest* request,
                                 auth::v1::IssueServiceTokenResponse* response) override {
    int call = issue_calls_.fetch_add(1) + 1;
    std::lock_guard lock(mu_);
    if (!issue_failure_.ok()) return issue_failure_;
    if (request->client_id() != kClientId || request->client_secret() != kClientSecret) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "invalid client credentials");
    }
    absl::Time now = clock_ ? absl::FromUnixMillis(clock_->UnixMillis()) : jwt::testing::kNow;
    jwt::Claims claims = jwt::testing::ServiceClaims(now);
    claims.subject = request->client_id();
    claims.token_id = absl::StrCat("service-token-", call);
    int64_t lifetime_seconds = lifetime_seconds_.load();
    claims.expires_at = now + absl::Seconds(lifetime_seconds);
    response->set_access_token(signer_->Sign(claims));
    response->set_token_type("Bearer");
    response->set_expires_in(static_cast<int32_t>(lifetime_seconds));
    return grpc::Status::OK;
  }

  grpc::Status GetMe(grpc::ServerContext* context, const auth::v1::GetMeRequest*,
                     auth::v1::GetMeResponse*) override {
    std::lock_guard lock(mu_);
    if (probe_) probe_(*context);
    return grpc::Status::OK;
  }

 private:
  std::mutex mu_;
  std::unique_ptr<jwt::Signer> signer_;
  std::vector<auth::v1::SigningKey> raw_keys_;
  grpc::Status issue_failure_ = grpc::Status::OK;
  std::function<void(const grpc::ServerContextBase&)> probe_;
  ids::Clock* clock_ = nullptr;
  std::atomic<int64_t> lifetime_seconds_{300};
  std::atomic<int> signing_key_calls_{0};
  std::atomic<int> issue_calls_{0};
};

// The fake served on 127.0.0.1 at a free port for the lifetime of the object.
class FakeAuthServer {
 public:
  FakeAuthServer() {
    service_.SetSigner({jwt::testing::TestKey("k1", 1)});
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
  }
  ~FakeAuthServer() { server_->Shutdown(); }

  FakeAuthService& service() { return service_; }
  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }
  std::shared_ptr<grpc::Channel> Channel() const {
    return grpc::CreateChannel(address(), grpc::InsecureChannelCredentials());
  }

 private:
  FakeAuthService service_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace chatter::authn::testing
