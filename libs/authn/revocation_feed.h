// Follows auth-svc's log of ended logins (ListRevokedSessions) into a RevokedSessions list, so
// every verifier refuses the tokens of a logged-out login within one poll interval. The log is
// durable (PostgreSQL) and read by cursor, so a verifier that was down or cut off catches up on
// everything still in force when it comes back: nothing depends on a message bus staying up.
#pragma once

#include <grpcpp/channel.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "chatter/auth/v1/auth.grpc.pb.h"
#include "libs/authn/revoked_sessions.h"
#include "libs/authn/service_token_source.h"
#include "libs/process/periodic_task.h"

namespace chatter::authn {

struct Revocation {
  int64_t seq = 0;
  std::string session_id;
  std::string user_id;
  absl::Time until;
};

struct RevocationPage {
  std::vector<Revocation> revocations;  // Oldest first.
  int64_t last_seq = 0;                 // The cursor for the next page.
};

// Where revocations are read from: auth-svc over gRPC for other processes, its own storage
// inside auth-svc.
class RevocationSource {
 public:
  static constexpr int kMaxPage = 1000;
  virtual ~RevocationSource() = default;
  // Revocations still in force recorded after `after_seq`, at most `limit`.
  virtual absl::StatusOr<RevocationPage> After(int64_t after_seq, int limit) = 0;
};

// auth-svc's ListRevokedSessions with this service's token.
class GrpcRevocationSource final : public RevocationSource {
 public:
  // `tokens` must outlive the source.
  GrpcRevocationSource(std::shared_ptr<grpc::ChannelInterface> auth_channel,
                       ServiceTokenSource& tokens, absl::Duration rpc_timeout);
  absl::StatusOr<RevocationPage> After(int64_t after_seq, int limit) override;

 private:
  std::unique_ptr<auth::v1::AuthService::Stub> stub_;
  ServiceTokenSource& tokens_;
  absl::Duration rpc_timeout_;
};

class RevocationFeed {
 public:
  // Told of revocations new to this process, on the feed's thread (the gateway closes the
  // WebSocket sessions of those logins).
  using Listener = std::function<void(const std::vector<Revocation>&)>;

  // `source` and `revoked` must outlive the feed.
  RevocationFeed(RevocationSource& source, RevokedSessions& revoked, Listener listener = {});
  ~RevocationFeed();  // Stop()s.
  RevocationFeed(const RevocationFeed&) = delete;
  RevocationFeed& operator=(const RevocationFeed&) = delete;

  // Reads every page after the cursor into the list. On failure the cursor stays, so the next
  // poll reads the same revocations again (adding them twice is harmless).
  absl::Status PollOnce();
  // Polls at once, then every `interval`, on a background thread until Stop(). Call once.
  void Start(absl::Duration interval);
  // Idempotent; waits for a poll in flight.
  void Stop();

  int64_t cursor() const;

 private:
  RevocationSource& source_;
  RevokedSessions& revoked_;
  Listener listener_;
  mutable std::mutex mu_;
  int64_t cursor_ = 0;    // Guarded by mu_.
  bool failing_ = false;  // Only the polling thread (or PollOnce's caller) touches it.
  std::unique_ptr<process::PeriodicTask> poller_;
};

}  // namespace chatter::authn
