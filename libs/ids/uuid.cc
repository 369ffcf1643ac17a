// Canonical-text UUID validation and normalisation.
#include "libs/ids/uuid.h"

#include "absl/strings/ascii.h"

namespace chatter::ids {
namespace {

constexpr size_t kUuidLength = 36;

bool IsDashPosition(size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = absl::ascii_tolower(static_cast<unsigned char>(c));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

bool IsValidUuid(std::string_view text) {
  if (text.size() != kUuidLength) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool ok = IsDashPosition(i) ? text[i] == '-' : HexValue(text[i]) >= 0;
    if (!ok) return false;
  }
  return true;
}

std::optional<std::string> NormalizeUuid(std::string_view text) {
  if (!IsValidUuid(text)) return std::nullopt;
  std::string lower(text);
  for (char& c : lower) c = absl::ascii_tolower(static_cast<unsigned char>(c));
  return lower;
}

std::optional<int64_t> UuidV7UnixMillis(std::string_view text) {
  // Version nibble is the first digit of the third group; variant is the top bits of the fourth.
  if (!IsValidUuid(text) || text[14] != '7' || (HexValue(text[19]) & 0xC) != 0x8) {
    return std::nullopt;
  }
  int64_t millis = 0;
  for (char c : text.substr(0, 13)) {  // 48 bits: "xxxxxxxx-xxxx".
    if (c != '-') millis = (millis << 4) | HexValue(c);
  }
  return millis;
}

}  // namespace chatter::ids
