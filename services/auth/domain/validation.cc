// Input rules for accounts.
#include "services/auth/domain/validation.h"

#include "absl/strings/ascii.h"
#include "libs/status/error_details.h"
#include "libs/text/utf8.h"

namespace chatter::auth {

absl::StatusOr<std::string> NormalizeUsername(absl::string_view username) {
  std::string lower = absl::AsciiStrToLower(username);
  bool ok = lower.size() >= 3 && lower.size() <= 32;
  for (char c : lower) {
    ok = ok &&
         (absl::ascii_islower(static_cast<unsigned char>(c)) ||
          absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-');
  }
  if (!ok) return status::InvalidFieldError("username", "must be 3-32 of a-z, 0-9, _ . -");
  return lower;
}

absl::StatusOr<std::string> NormalizeEmail(absl::string_view email) {
  auto invalid = [] { return status::InvalidFieldError("email", "must be a valid email address"); };
  if (email.empty() || email.size() > 254) return invalid();
  size_t at = email.find('@');
  if (at == absl::string_view::npos || at == 0 || at > 64 || email.rfind('@') != at) {
    return invalid();
  }
  absl::string_view domain = email.substr(at + 1);
  size_t dot = domain.rfind('.');
  if (domain.empty() || dot == absl::string_view::npos || dot == 0 || dot + 1 == domain.size() ||
      domain.front() == '-' || domain.find("..") != absl::string_view::npos) {
    return invalid();
  }
  for (unsigned char c : email) {
    if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' ||
        c == ';' || c == ':' || c == '\\' || c == '"' || c == '[' || c == ']') {
      return invalid();
    }
  }
  return absl::AsciiStrToLower(email);
}

absl::Status ValidatePassword(absl::string_view password, absl::string_view field) {
  int length = text::CountCodePoints(password);
  if (length < 0) return status::InvalidFieldError(field, "must be valid UTF-8");
  if (length < 8 || length > 128) {
    return status::InvalidFieldError(field, "must be 8-128 characters");
  }
  return absl::OkStatus();
}

}  // namespace chatter::auth
