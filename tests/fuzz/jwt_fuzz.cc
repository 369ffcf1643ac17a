// Fuzz target: the JWT parser and verifier (segments, base64url, header and claims JSON, the
// signature check) against a fixed key set.
#include <cstdint>

#include "absl/strings/string_view.h"
#include "libs/ids/clock.h"
#include "libs/jwt/jwt.h"

namespace {

class FixedClock final : public chatter::ids::Clock {
 public:
  int64_t UnixMillis() override { return 1795342320000; }
};

const chatter::jwt::Verifier& TheVerifier() {
  static FixedClock clock;
  static chatter::jwt::KeySet* keys = [] {
    auto* set = new chatter::jwt::KeySet();
    chatter::jwt::Signer signer({chatter::jwt::GenerateSigningKey("k1")});
    set->Replace(signer.PublicKeys());
    return set;
  }();
  static chatter::jwt::Verifier verifier(*keys, {.issuer = "iss", .audience = "aud"}, clock);
  return verifier;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)TheVerifier().Verify(absl::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
