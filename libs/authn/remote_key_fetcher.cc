// RemoteKeyFetcher: one RPC per refresh; failures keep the last good keys and are logged.
#include "libs/authn/remote_key_fetcher.h"

#include <grpcpp/client_context.h>

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/authn/jwks_proto.h"
#include "libs/log/log.h"
#include "libs/status/grpc_status.h"

namespace chatter::authn {
namespace {

// After a failed refresh, try again this soon (or at the interval, if that is shorter).
constexpr absl::Duration kRetryAfterFailure = absl::Seconds(5);
// While no key is known every token is refused, so try harder.
constexpr absl::Duration kRetryWithoutKeys = absl::Seconds(1);

}  // namespace

RemoteKeyFetcher::RemoteKeyFetcher(std::shared_ptr<grpc::ChannelInterface> auth_channel,
                                   jwt::KeySet& keys)
    : stub_(auth::v1::AuthService::NewStub(std::move(auth_channel))), keys_(keys) {}

RemoteKeyFetcher::~RemoteKeyFetcher() { Stop(); }

absl::Status RemoteKeyFetcher::FetchOnce(absl::Duration timeout) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  auth::v1::GetSigningKeysResponse response;
  grpc::Status rpc = stub_->GetSigningKeys(&context, auth::v1::GetSigningKeysRequest(), &response);
  if (!rpc.ok()) {
    absl::Status status = status::FromGrpcStatus(rpc);
    return absl::Status(status.code(), absl::StrCat("auth-svc GetSigningKeys: ", status.message()));
  }
  // Keys of a kind we do not understand are skipped (RFC 7517 §5), not fatal: auth-svc may
  // publish a new key type before every verifier knows it.
  std::vector<jwt::PublicKey> keys;
  for (const auth::v1::SigningKey& proto : response.keys()) {
    absl::StatusOr<jwt::PublicKey> key = FromProto(proto);
    if (key.ok()) keys.push_back(*std::move(key));
  }
  if (keys.empty()) return absl::InternalError("auth-svc GetSigningKeys: no usable key");
  keys_.Replace(std::move(keys));
  return absl::OkStatus();
}

void RemoteKeyFetcher::Start(absl::Duration interval, absl::Duration rpc_timeout) {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this, interval, rpc_timeout] { Run(interval, rpc_timeout); });
}

void RemoteKeyFetcher::Stop() {
  std::thread thread;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    thread.swap(thread_);
  }
  wake_.notify_all();
  if (thread.joinable()) thread.join();
}

void RemoteKeyFetcher::Run(absl::Duration interval, absl::Duration rpc_timeout) {
  // Without any key yet (auth-svc was not up when we started), retry soon rather than after a
  // whole interval: until then every token is refused.
  absl::Duration wait = keys_.Keys().empty() ? std::min(interval, kRetryWithoutKeys) : interval;
  std::unique_lock lock(mu_);
  while (!wake_.wait_for(lock, absl::ToChronoNanoseconds(wait), [this] { return stopping_; })) {
    lock.unlock();
    absl::Status status = FetchOnce(rpc_timeout);
    if (status.ok()) {
      wait = interval;
    } else {
      // Nobody waits on this thread's result, so the failure is logged rather than returned.
      log::Warn("jwt key refresh failed", {{"error", status.ToString()}});
      wait = std::min(interval, keys_.Keys().empty() ? kRetryWithoutKeys : kRetryAfterFailure);
    }
    lock.lock();
  }
}

}  // namespace chatter::authn
