// Reaction emoji: validated as UTF-8 first (libs/text), then decoded code point by code point.
#include "services/chat/domain/emoji.h"

#include "absl/strings/str_cat.h"
#include "libs/status/error_details.h"
#include "libs/text/utf8.h"

namespace chatter::chat {
namespace {

// Unicode's White_Space property.
bool IsWhiteSpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

// C0 and C1 control characters and DEL (General_Category Cc).
bool IsControl(char32_t c) { return c <= 0x1F || (c >= 0x7F && c <= 0x9F); }

// The code point at the front of `text`, which is valid UTF-8 and not empty; removes it.
char32_t PopCodePoint(absl::string_view& text) {
  unsigned char lead = static_cast<unsigned char>(text[0]);
  size_t length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
  char32_t c = length == 1 ? lead : lead & (0x7F >> length);
  for (size_t k = 1; k < length; ++k) c = (c << 6) | (static_cast<unsigned char>(text[k]) & 0x3F);
  text.remove_prefix(length);
  return c;
}

}  // namespace

absl::StatusOr<std::string> NormalizeEmoji(absl::string_view emoji) {
  int length = text::CountCodePoints(emoji);
  if (length < 0) return status::InvalidFieldError("emoji", "must be valid UTF-8");
  if (length < 1 || length > kMaxEmojiChars) {
    return status::InvalidFieldError("emoji",
                                     absl::StrCat("must be 1-", kMaxEmojiChars, " characters"));
  }
  for (absl::string_view rest = emoji; !rest.empty();) {
    char32_t c = PopCodePoint(rest);
    if (IsWhiteSpace(c)) return status::InvalidFieldError("emoji", "must not contain white space");
    if (IsControl(c)) {
      return status::InvalidFieldError("emoji", "must not contain control characters");
    }
  }
  return std::string(emoji);
}

}  // namespace chatter::chat
