// Fuzz target: chat-svc's search text. SearchQueryText must produce only quoted words (ASCII
// letters and digits, non-ASCII UTF-8) joined by " & ", the last with ":*", at most
// kMaxSearchWords; SnippetHtml must produce balanced <mark></mark> and no other markup, and must
// decode back to its input without the marks and dropped control characters.
#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "libs/text/utf8.h"
#include "services/chat/domain/search_text.h"

namespace {

using chatter::chat::kMarkStart;
using chatter::chat::kMarkStop;
using chatter::chat::kMaxSearchWords;

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

bool IsWordByte(unsigned char c) { return absl::ascii_isalnum(c) || c >= 0x80; }

// "'w1' & 'w2' & ... & 'wn':*" with 1 <= n <= kMaxSearchWords and nonempty word bytes only.
void CheckQueryText(absl::string_view input, const std::optional<std::string>& query) {
  if (!query) return;
  Check(chatter::text::IsValidUtf8(*query));
  Check(chatter::text::IsValidUtf8(input));
  absl::string_view rest = *query;
  Check(absl::ConsumeSuffix(&rest, ":*"));
  int words = 0;
  while (true) {
    Check(absl::ConsumePrefix(&rest, "'"));
    size_t length = 0;
    while (length < rest.size() && IsWordByte(static_cast<unsigned char>(rest[length]))) ++length;
    Check(length > 0);
    Check(absl::StrContains(input, rest.substr(0, length)));
    rest.remove_prefix(length);
    Check(absl::ConsumePrefix(&rest, "'"));
    ++words;
    if (rest.empty()) break;
    Check(absl::ConsumePrefix(&rest, " & "));
  }
  Check(words <= kMaxSearchWords);
}

// Balanced, non-nested <mark></mark>, the only '<' and '>'; no raw quotes or control characters;
// decoding entities gives back the input without marks and dropped control characters.
void CheckSnippet(absl::string_view input, absl::string_view html) {
  std::string expected;
  for (char c : input) {
    if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n') expected += c;
  }
  std::string decoded;
  bool open = false;
  absl::string_view rest = html;
  while (!rest.empty()) {
    if (absl::ConsumePrefix(&rest, "<mark>")) {
      Check(!open);
      open = true;
    } else if (absl::ConsumePrefix(&rest, "</mark>")) {
      Check(open);
      open = false;
    } else if (absl::ConsumePrefix(&rest, "&amp;")) {
      decoded += '&';
    } else if (absl::ConsumePrefix(&rest, "&lt;")) {
      decoded += '<';
    } else if (absl::ConsumePrefix(&rest, "&gt;")) {
      decoded += '>';
    } else if (absl::ConsumePrefix(&rest, "&quot;")) {
      decoded += '"';
    } else if (absl::ConsumePrefix(&rest, "&#39;")) {
      decoded += '\'';
    } else {
      unsigned char c = static_cast<unsigned char>(rest[0]);
      Check(c != '<' && c != '>' && c != '&' && c != '"' && c != '\'');
      Check(c >= 0x20 || c == '\t' || c == '\n');
      Check(c != static_cast<unsigned char>(kMarkStart) &&
            c != static_cast<unsigned char>(kMarkStop));
      decoded += rest[0];
      rest.remove_prefix(1);
    }
  }
  Check(!open);
  Check(decoded == expected);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  CheckQueryText(input, chatter::chat::SearchQueryText(input));
  CheckSnippet(input, chatter::chat::SnippetHtml(input));
  return 0;
}
