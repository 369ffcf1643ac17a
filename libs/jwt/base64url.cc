// libsodium's constant-time base64 codec in its URL-safe, unpadded variant.
#include "libs/jwt/base64url.h"

#include <sodium.h>

namespace chatter::jwt {
namespace {

constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;

// Passing no end pointer makes libsodium reject anything after the last valid character.
bool Decode(absl::string_view text, uint8_t* out, size_t capacity, size_t* length) {
  return sodium_base642bin(out, capacity, text.data(), text.size(), /*ignore=*/nullptr, length,
                           /*b64_end=*/nullptr, kVariant) == 0;
}

}  // namespace

std::string Base64UrlEncode(std::span<const uint8_t> bytes) {
  // The encoded length includes the terminating NUL that sodium_bin2base64 writes.
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), kVariant);
  out.resize(out.size() - 1);
  return out;
}

std::string Base64UrlEncode(absl::string_view bytes) {
  return Base64UrlEncode(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

std::optional<std::string> Base64UrlDecode(absl::string_view text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  size_t length = 0;
  if (!Decode(text, reinterpret_cast<uint8_t*>(out.data()), out.size(), &length)) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

bool Base64UrlDecodeExact(absl::string_view text, std::span<uint8_t> out) {
  size_t length = 0;
  // A longer input overflows `out` and fails inside libsodium; a shorter one fails the size check.
  return Decode(text, out.data(), out.size(), &length) && length == out.size();
}

}  // namespace chatter::jwt
