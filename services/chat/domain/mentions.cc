// Mention extraction: a single left-to-right scan of the content's bytes. Only ASCII takes part
// in a name, so UTF-8 sequences (all bytes >= 0x80) never match and are never split.
#include "services/chat/domain/mentions.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"

namespace chatter::chat {
namespace {

constexpr size_t kMinMentionChars = 3;
constexpr size_t kMaxMentionChars = 32;

bool IsNameChar(unsigned char c) {
  return absl::ascii_isalnum(c) || c == '_' || c == '.' || c == '-';
}

// Whether a '@' after `c` may start a mention: not when `c` could belong to a word, an e-mail
// address or a non-ASCII character.
bool MayPrecedeMention(unsigned char c) { return !IsNameChar(c) && c != '@' && c < 0x80; }

}  // namespace

std::vector<std::string> MentionedUsernames(absl::string_view content, size_t limit) {
  std::vector<std::string> names;
  for (size_t at = 0; at < content.size() && names.size() < limit; ++at) {
    if (content[at] != '@') continue;
    if (at > 0 && !MayPrecedeMention(static_cast<unsigned char>(content[at - 1]))) continue;
    size_t end = at + 1;
    while (end < content.size() && IsNameChar(static_cast<unsigned char>(content[end]))) ++end;
    if (end < content.size() && content[end] == '@') continue;  // An e-mail address.
    absl::string_view name = content.substr(at + 1, end - at - 1);
    while (!name.empty() && (name.back() == '.' || name.back() == '-')) name.remove_suffix(1);
    if (name.size() < kMinMentionChars || name.size() > kMaxMentionChars) continue;
    std::string lower = absl::AsciiStrToLower(name);
    if (std::find(names.begin(), names.end(), lower) == names.end()) {
      names.push_back(std::move(lower));
    }
  }
  return names;
}

}  // namespace chatter::chat
