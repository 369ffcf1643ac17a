// Keeps the gateway's service token warm from a background thread, so the event loop only ever
// reads the cache (ServiceTokenSource::CachedToken) and never waits for auth-svc.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

#include "absl/time/time.h"
#include "libs/authn/service_token_source.h"

namespace chatter::gateway {

class ServiceTokenKeeper {
 public:
  // `source` must outlive the keeper.
  explicit ServiceTokenKeeper(authn::ServiceTokenSource& source,
                              absl::Duration check_interval = absl::Seconds(5),
                              absl::Duration retry_interval = absl::Milliseconds(500));
  ~ServiceTokenKeeper();  // Stop()s.
  ServiceTokenKeeper(const ServiceTokenKeeper&) = delete;
  ServiceTokenKeeper& operator=(const ServiceTokenKeeper&) = delete;

  // Fetches at once, then renews whenever the source says so (it answers the cache until 80%
  // of the token's lifetime). Failures are logged once per outage and retried.
  void Start();
  void Stop();

 private:
  void Run();

  authn::ServiceTokenSource& source_;
  absl::Duration check_interval_;
  absl::Duration retry_interval_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // Guarded by mu_.
  std::thread thread_;
};

}  // namespace chatter::gateway
