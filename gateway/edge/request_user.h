// The user a request acts for, for per-user rate limits and the access log: the subject of a
// valid user token in the identity headers, or "" (no token, a bad one, a service token). The
// check is local, with auth-svc's public keys. It never decides access: a request with a bad
// token is forwarded unchanged and the service answers 401 as usual.
#pragma once

#include <string>

#include "gateway/http/http_types.h"
#include "libs/authn/authenticator.h"

namespace chatter::gateway {

class RequestUserIdentifier {
 public:
  // `authenticator` must outlive this.
  explicit RequestUserIdentifier(const authn::Authenticator& authenticator)
      : authenticator_(authenticator) {}

  std::string UserIdOf(const HttpRequest& request) const;

 private:
  const authn::Authenticator& authenticator_;
};

}  // namespace chatter::gateway
