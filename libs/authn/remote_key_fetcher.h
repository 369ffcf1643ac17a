// Keeps a jwt::KeySet filled from auth-svc's GetSigningKeys, so services other than auth-svc
// verify tokens with public keys only and follow key rotation without a restart.
#pragma once

#include <grpcpp/channel.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "chatter/auth/v1/auth.grpc.pb.h"
#include "libs/jwt/key_set.h"

namespace chatter::authn {

class RemoteKeyFetcher {
 public:
  // `keys` must outlive the fetcher.
  RemoteKeyFetcher(std::shared_ptr<grpc::ChannelInterface> auth_channel, jwt::KeySet& keys);
  ~RemoteKeyFetcher();  // Stop()s.
  RemoteKeyFetcher(const RemoteKeyFetcher&) = delete;
  RemoteKeyFetcher& operator=(const RemoteKeyFetcher&) = delete;

  // One GetSigningKeys call; on success the key set is replaced by the usable keys answered.
  // On failure the key set is left as it was: the RPC's code (UNAVAILABLE, DEADLINE_EXCEEDED,
  // ...) or INTERNAL when auth-svc answered no usable key.
  absl::Status FetchOnce(absl::Duration timeout);

  // Refetches every `interval` (sooner after a failure) on a background thread until Stop().
  // Does not fetch at once: call FetchOnce first when start-up should wait for keys.
  void Start(absl::Duration interval, absl::Duration rpc_timeout = absl::Seconds(5));
  // Idempotent; waits for an RPC in flight (at most its timeout).
  void Stop();

 private:
  void Run(absl::Duration interval, absl::Duration rpc_timeout);

  std::unique_ptr<auth::v1::AuthService::Stub> stub_;
  jwt::KeySet& keys_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // Guarded by mu_.
  std::thread thread_;
};

}  // namespace chatter::authn
