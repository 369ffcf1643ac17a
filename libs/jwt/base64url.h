// base64url without padding (RFC 4648 §5), the encoding of every JWS segment and JWK field.
// Decoding is strict: padding, whitespace, stray characters and non-zero trailing bits fail, so
// each byte string has exactly one accepted text form.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "absl/strings/string_view.h"

namespace chatter::jwt {

std::string Base64UrlEncode(std::span<const uint8_t> bytes);
std::string Base64UrlEncode(absl::string_view bytes);

// The decoded bytes, or nullopt when `text` is not canonical base64url.
std::optional<std::string> Base64UrlDecode(absl::string_view text);

// Decodes into `out`; true only when `text` is canonical and decodes to exactly out.size() bytes.
bool Base64UrlDecodeExact(absl::string_view text, std::span<uint8_t> out);

}  // namespace chatter::jwt
