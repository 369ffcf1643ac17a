// The user a request acts for, for per-user rate limits and the access log: the subject of a
// valid user token in the identity headers, or "" (no token, a bad one, a service token). The
// check is local, with auth-svc's public keys. It never decides access: a request with a bad
// token is forwarded unchanged and the service answers 401 as usual.
//
// A signature check costs ~50 µs of CPU on an I/O thread, and clients send the same token for
// minutes, so results are remembered for a short while. That is safe because nothing here
// grants access: at worst an expired token still counts against its user's bucket for `ttl`.
#pragma once

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gateway/http/http_types.h"
#include "libs/authn/authenticator.h"
#include "libs/ids/clock.h"

namespace chatter::gateway {

struct RequestUserOptions {
  absl::Duration ttl = absl::Seconds(60);
  size_t max_entries = 10000;  // When full, the cache starts over.
};

class RequestUserIdentifier {
 public:
  // `authenticator` and `clock` must outlive this.
  RequestUserIdentifier(const authn::Authenticator& authenticator, ids::Clock& clock,
                        RequestUserOptions options = {});

  std::string UserIdOf(const HttpRequest& request);

 private:
  struct Known {
    std::string user_id;  // "" for a token that is not a valid user token.
    int64_t until_millis = 0;
  };
  const authn::Authenticator& authenticator_;
  ids::Clock& clock_;
  RequestUserOptions options_;
  absl::Mutex mu_;
  // BLAKE2b digest of the token -> its user.
  absl::flat_hash_map<std::string, Known> known_ ABSL_GUARDED_BY(mu_);
};

}  // namespace chatter::gateway
