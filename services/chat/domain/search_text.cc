// Search text: byte scans. A word of SearchQueryText holds no quote, backslash or operator, so
// quoting it needs no escaping; SnippetHtml escapes every byte it does not turn into a tag.
#include "services/chat/domain/search_text.h"

#include "absl/strings/ascii.h"
#include "libs/text/utf8.h"

namespace chatter::chat {
namespace {

// Letters and digits of any script: ASCII ones and every byte of a non-ASCII character.
bool IsWordByte(unsigned char c) { return absl::ascii_isalnum(c) || c >= 0x80; }

}  // namespace

std::optional<std::string> SearchQueryText(absl::string_view q) {
  if (!text::IsValidUtf8(q)) return std::nullopt;
  std::string query;
  int words = 0;
  size_t i = 0;
  while (words < kMaxSearchWords) {
    while (i < q.size() && !IsWordByte(static_cast<unsigned char>(q[i]))) ++i;
    if (i == q.size()) break;
    size_t start = i;
    while (i < q.size() && IsWordByte(static_cast<unsigned char>(q[i]))) ++i;
    if (words > 0) query += " & ";
    query += '\'';
    query.append(q.data() + start, i - start);
    query += '\'';
    ++words;
  }
  if (words == 0) return std::nullopt;
  query += ":*";
  return query;
}

std::string SnippetHtml(absl::string_view headline) {
  std::string html;
  html.reserve(headline.size() + headline.size() / 8);
  bool open = false;
  for (char c : headline) {
    switch (c) {
      case kMarkStart:
        if (!open) html += "<mark>";
        open = true;
        break;
      case kMarkStop:
        if (open) html += "</mark>";
        open = false;
        break;
      case '&':
        html += "&amp;";
        break;
      case '<':
        html += "&lt;";
        break;
      case '>':
        html += "&gt;";
        break;
      case '"':
        html += "&quot;";
        break;
      case '\'':
        html += "&#39;";
        break;
      default:
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n') html += c;
        break;
    }
  }
  if (open) html += "</mark>";
  return html;
}

}  // namespace chatter::chat
