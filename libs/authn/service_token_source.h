// The service token of an internal caller: obtained from auth-svc's IssueServiceToken with the
// service's client id and secret, cached, and renewed before it runs out.
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "chatter/auth/v1/auth.grpc.pb.h"
#include "libs/ids/clock.h"

namespace chatter::authn {

struct ServiceCredentials {
  std::string client_id;
  std::string client_secret;  // Never logged or put into a status.
};

// Thread-safe. At most one IssueServiceToken call is in flight; while it runs, other callers
// keep using the cached token if it has not expired yet.
class ServiceTokenSource {
 public:
  // `clock` must outlive the source.
  ServiceTokenSource(std::shared_ptr<grpc::ChannelInterface> auth_channel,
                     ServiceCredentials credentials, ids::Clock& clock,
                     absl::Duration rpc_timeout = absl::Seconds(5));

  // The cached token until 80% of its lifetime has passed, then a new one. If renewal fails
  // while the old token is still valid, the old token is answered. Errors: UNAVAILABLE,
  // DEADLINE_EXCEEDED, ... when auth-svc cannot be reached; INTERNAL when it refuses the
  // credentials (a deployment error, so it must not reach end users as a 401).
  absl::StatusOr<std::string> Token();

  // The cached token while it has not expired, never calling auth-svc: for event loops and
  // gRPC reactions, which must not block. Something else (a background thread calling Token())
  // keeps the cache fresh; nullopt before the first successful fetch or after expiry.
  std::optional<std::string> CachedToken() const;

  // Adds `authorization: Bearer <token>` to `context`; the error of Token() otherwise.
  absl::Status Attach(grpc::ClientContext& context);

 private:
  struct Cached {
    std::string token;
    absl::Time refresh_at;
    absl::Time expires_at;
  };

  absl::Time Now() const;
  // The cached token while now is before its `deadline` (&Cached::refresh_at or expires_at).
  std::optional<std::string> CachedBefore(absl::Time Cached::*deadline) const;
  absl::StatusOr<Cached> Fetch();

  std::unique_ptr<auth::v1::AuthService::Stub> stub_;
  ServiceCredentials credentials_;
  ids::Clock& clock_;
  absl::Duration rpc_timeout_;
  std::mutex fetch_mu_;    // Held for the whole RPC: one fetch at a time.
  mutable std::mutex mu_;  // Guards cached_ only; never held during an RPC.
  std::optional<Cached> cached_;
};

}  // namespace chatter::authn
