// ACL parsing and per-principal rate limits of the server API.
#include "services/chat/api/admin_access.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace chatter::chat {
namespace {

constexpr std::array<std::pair<AdminOperation, absl::string_view>, 9> kOperationNames = {{
    {AdminOperation::kPostMessage, "post_message"},
    {AdminOperation::kCreateRoom, "create_room"},
    {AdminOperation::kAddMember, "add_member"},
    {AdminOperation::kRemoveMember, "remove_member"},
    {AdminOperation::kSetMemberRole, "set_member_role"},
    {AdminOperation::kDisconnectUser, "disconnect_user"},
    {AdminOperation::kGetPresence, "get_presence"},
    {AdminOperation::kExportHistory, "export_history"},
    {AdminOperation::kNotifyUser, "notify_user"},
}};

}  // namespace

absl::string_view AdminOperationName(AdminOperation operation) {
  for (const auto& [value, name] : kOperationNames) {
    if (value == operation) return name;
  }
  return "unknown";
}

std::optional<AdminOperation> ParseAdminOperation(absl::string_view name) {
  for (const auto& [value, known] : kOperationNames) {
    if (known == name) return value;
  }
  return std::nullopt;
}

absl::StatusOr<AdminAcl> AdminAcl::Parse(absl::string_view text) {
  AdminAcl acl;
  for (absl::string_view entry : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    entry = absl::StripAsciiWhitespace(entry);
    std::pair<absl::string_view, absl::string_view> parts = absl::StrSplit(entry, '=');
    absl::string_view principal = absl::StripAsciiWhitespace(parts.first);
    absl::string_view operations = absl::StripAsciiWhitespace(parts.second);
    if (principal.empty() || operations.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("entry \"", entry, "\" is not principal=operation|operation|..."));
    }
    auto [it, inserted] = acl.allowed_.try_emplace(std::string(principal));
    if (!inserted) {
      return absl::InvalidArgumentError(absl::StrCat("principal ", principal, " listed twice"));
    }
    for (absl::string_view name : absl::StrSplit(operations, '|', absl::SkipWhitespace())) {
      name = absl::StripAsciiWhitespace(name);
      if (name == "*") {
        for (const auto& [operation, unused] : kOperationNames) it->second.insert(operation);
        continue;
      }
      std::optional<AdminOperation> operation = ParseAdminOperation(name);
      if (!operation) {
        return absl::InvalidArgumentError(
            absl::StrCat("unknown operation \"", name, "\" for principal ", principal));
      }
      it->second.insert(*operation);
    }
  }
  return acl;
}

bool AdminAcl::Allows(absl::string_view principal, AdminOperation operation) const {
  auto it = allowed_.find(principal);
  return it != allowed_.end() && it->second.contains(operation);
}

PrincipalRateLimiter::PrincipalRateLimiter(double per_second, double burst, ids::Clock& clock)
    : per_second_(per_second), burst_(std::max(burst, 1.0)), clock_(clock) {}

std::optional<absl::Duration> PrincipalRateLimiter::Take(absl::string_view principal) {
  const int64_t now = clock_.UnixMillis();
  std::lock_guard lock(mu_);
  auto [it, fresh] = buckets_.try_emplace(principal, Bucket{.tokens = burst_, .at_millis = now});
  Bucket& bucket = it->second;
  // A clock that went backwards refills nothing.
  const double elapsed_seconds =
      static_cast<double>(std::max<int64_t>(0, now - bucket.at_millis)) / 1000.0;
  bucket.tokens = std::min(burst_, bucket.tokens + elapsed_seconds * per_second_);
  bucket.at_millis = now;
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return std::nullopt;
  }
  return absl::Milliseconds(std::ceil((1.0 - bucket.tokens) / per_second_ * 1000.0));
}

}  // namespace chatter::chat
