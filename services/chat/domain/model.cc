// Spellings of chat-svc's enumerations, shared by the wire and the database.
#include "services/chat/domain/model.h"

namespace chatter::chat {

absl::string_view KindName(RoomKind kind) { return kind == RoomKind::kDirect ? "direct" : "group"; }

absl::string_view VisibilityName(Visibility visibility) {
  return visibility == Visibility::kPrivate ? "private" : "public";
}

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kOwner:
      return "owner";
    case Role::kAdmin:
      return "admin";
    case Role::kMember:
      return "member";
  }
  return "member";
}

std::optional<RoomKind> ParseKind(absl::string_view name) {
  if (name == "group") return RoomKind::kGroup;
  if (name == "direct") return RoomKind::kDirect;
  return std::nullopt;
}

std::optional<Visibility> ParseVisibility(absl::string_view name) {
  if (name == "public") return Visibility::kPublic;
  if (name == "private") return Visibility::kPrivate;
  return std::nullopt;
}

absl::string_view SenderKindName(SenderKind kind) {
  switch (kind) {
    case SenderKind::kUser:
      return "user";
    case SenderKind::kSystem:
      return "system";
    case SenderKind::kBot:
      return "bot";
  }
  return "user";
}

std::optional<SenderKind> ParseSenderKind(absl::string_view name) {
  if (name == "user") return SenderKind::kUser;
  if (name == "system") return SenderKind::kSystem;
  if (name == "bot") return SenderKind::kBot;
  return std::nullopt;
}

std::optional<Role> ParseRole(absl::string_view name) {
  if (name == "owner") return Role::kOwner;
  if (name == "admin") return Role::kAdmin;
  if (name == "member") return Role::kMember;
  return std::nullopt;
}

}  // namespace chatter::chat
