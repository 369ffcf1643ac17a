// Debian 12's Abseil has its own absl::string_view, distinct from std::string_view (and Beast has
// a third). These convert between them without copying.
#pragma once

#include <string_view>

#include "absl/strings/string_view.h"

namespace chatter::text {

inline std::string_view ToStd(absl::string_view text) { return {text.data(), text.size()}; }
inline absl::string_view ToAbsl(std::string_view text) { return {text.data(), text.size()}; }

}  // namespace chatter::text
