// argon2id hashing through libsodium's crypto_pwhash_str_alg family.
#include "libs/password/password_hasher.h"

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace chatter::password {
namespace {

constexpr char kArgon2idPrefix[] = "$argon2id$";

void EnsureSodiumInitialized() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) {
      // No CSPRNG means predictable salts; refusing to run is the only safe answer.
      std::fputs("libsodium: sodium_init failed\n", stderr);
      std::abort();
    }
  });
}

// libsodium reads encoded hashes as C strings; one that is too long or holds a NUL is not ours.
std::optional<std::string> AsEncodedHash(std::string_view text) {
  if (text.size() >= crypto_pwhash_STRBYTES || text.find('\0') != std::string_view::npos) {
    return std::nullopt;
  }
  return std::string(text);
}

absl::Status CheckParams(const Argon2Params& params) {
  if (params.ops_limit < crypto_pwhash_OPSLIMIT_MIN ||
      params.ops_limit > crypto_pwhash_OPSLIMIT_MAX) {
    return absl::InvalidArgumentError(absl::StrCat("argon2id ops_limit ", params.ops_limit,
                                                   " is outside [", crypto_pwhash_OPSLIMIT_MIN,
                                                   ", ", crypto_pwhash_OPSLIMIT_MAX, "]"));
  }
  if (params.mem_limit_bytes < crypto_pwhash_MEMLIMIT_MIN ||
      params.mem_limit_bytes > crypto_pwhash_MEMLIMIT_MAX) {
    return absl::InvalidArgumentError(
        absl::StrCat("argon2id mem_limit_bytes ", params.mem_limit_bytes, " is outside [",
                     crypto_pwhash_MEMLIMIT_MIN, ", ", crypto_pwhash_MEMLIMIT_MAX, "]"));
  }
  return absl::OkStatus();
}

}  // namespace

PasswordHasher::PasswordHasher(Argon2Params params) : params_(params) {
  EnsureSodiumInitialized();
  // With invalid params Hash fails for everyone, so an empty dummy cannot reveal anything.
  absl::StatusOr<std::string> dummy = Hash("chatter dummy password for unknown users");
  if (dummy.ok()) dummy_hash_ = *std::move(dummy);
}

absl::StatusOr<std::string> PasswordHasher::Hash(std::string_view password) const {
  if (absl::Status status = CheckParams(params_); !status.ok()) return status;
  if (password.size() > crypto_pwhash_PASSWD_MAX) {
    return absl::InvalidArgumentError(
        absl::StrCat("password longer than ", crypto_pwhash_PASSWD_MAX, " bytes"));
  }
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), params_.ops_limit,
                            params_.mem_limit_bytes, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    // Params and length were checked above, so only the allocation can have failed.
    return absl::ResourceExhaustedError(absl::StrCat(
        "argon2id could not allocate ", params_.mem_limit_bytes, " bytes for hashing"));
  }
  return std::string(out);
}

bool PasswordHasher::Verify(std::string_view encoded_hash, std::string_view password) const {
  const std::optional<std::string> hash = AsEncodedHash(encoded_hash);
  return hash.has_value() &&
         crypto_pwhash_str_verify(hash->c_str(), password.data(), password.size()) == 0;
}

bool PasswordHasher::NeedsRehash(std::string_view encoded_hash) const {
  // libsodium also accepts argon2i hashes with matching params; we want every hash argon2id.
  const std::optional<std::string> hash = AsEncodedHash(encoded_hash);
  return !hash.has_value() || !absl::StartsWith(*hash, kArgon2idPrefix) ||
         crypto_pwhash_str_needs_rehash(hash->c_str(), params_.ops_limit,
                                        params_.mem_limit_bytes) != 0;
}

void PasswordHasher::SpendEquivalentTime(std::string_view password) const {
  if (dummy_hash_.empty()) return;
  (void)Verify(dummy_hash_, password);
}

}  // namespace chatter::password
