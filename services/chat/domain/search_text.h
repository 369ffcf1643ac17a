// Message search on PostgreSQL full-text search. The user's query reaches to_tsquery() only as
// quoted words, so none of its operators (& | ! <-> : * parentheses) can change the query or make
// it fail to parse; matches come back from ts_headline() between two control characters (which
// message content cannot make ambiguous as HTML) and are turned into escaped HTML with <mark>.
#pragma once

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace chatter::chat {

// ts_headline()'s StartSel and StopSel: the bounds of a match in a headline.
inline constexpr char kMarkStart = '\x01';
inline constexpr char kMarkStop = '\x02';
// Words of a query beyond this many are ignored.
inline constexpr int kMaxSearchWords = 16;

// The text for to_tsquery('english', $1) that finds every word of `q`, the last one as a prefix
// (the user may still be typing it): "hello, wor" -> "'hello' & 'wor':*". Words are maximal runs of
// ASCII letters and digits and non-ASCII characters; any other byte separates words. At most
// kMaxSearchWords words. nullopt when `q` has no word or is not valid UTF-8.
std::optional<std::string> SearchQueryText(absl::string_view q);

// ts_headline() output as HTML: text escaped (& < > " '), each kMarkStart..kMarkStop match
// wrapped in <mark></mark>. The marks are always balanced: a stop without a start and a start
// inside a match are dropped, a match still open at the end is closed. Control characters other
// than tab and newline are dropped.
std::string SnippetHtml(absl::string_view headline);

}  // namespace chatter::chat
