// "@name" mentions in message content: which users a message names, so chat-svc can notify them.
// Pure text rules, no lookup: whether such a user exists and may see the room is decided later.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace chatter::chat {

// The usernames mentioned as "@name" in `content` (valid UTF-8): lower-cased, distinct, in order of
// first appearance, at most `limit`. A name is 3-32 characters of [a-z0-9_.-], matched ignoring
// case. The '@' must start the content or follow a character that is not ASCII alphanumeric, not
// one of "_.-@" and not part of a non-ASCII character, so e-mail addresses and "foo@bar" inside a
// word are not mentions. Trailing '.' and '-' are sentence punctuation ("hi @bob." names bob); a
// name followed by '@' ("@bob@example.com") or longer than 32 characters is not a mention.
std::vector<std::string> MentionedUsernames(absl::string_view content, size_t limit);

}  // namespace chatter::chat
