// Client frame parsing and server frame encoding.
#include "gateway/ws/frame_codec.h"

#include <array>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gateway/transcoding/json_codec.h"
#include "libs/ids/uuid.h"
#include "libs/jwt/verifier.h"
#include "libs/status/error_details.h"
#include "libs/status/http_error.h"
#include "libs/status/status_macros.h"
#include "libs/text/utf8.h"

namespace chatter::gateway {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// Client frames are small and flat; anything deeper is refused before it is built.
constexpr int kMaxFrameDepth = 16;
// Unknown event names are echoed in the error only when short.
constexpr size_t kMaxEchoedEventName = 32;

constexpr std::array<std::pair<ClientEvent, absl::string_view>, 11> kEventNames = {{
    {ClientEvent::kSubscribe, "subscribe"},
    {ClientEvent::kUnsubscribe, "unsubscribe"},
    {ClientEvent::kSendMessage, "send_message"},
    {ClientEvent::kEditMessage, "edit_message"},
    {ClientEvent::kDeleteMessage, "delete_message"},
    {ClientEvent::kTypingStart, "typing_start"},
    {ClientEvent::kTypingStop, "typing_stop"},
    {ClientEvent::kMarkRead, "mark_read"},
    {ClientEvent::kMarkDelivered, "mark_delivered"},
    {ClientEvent::kPing, "ping"},
    {ClientEvent::kAuthenticate, "authenticate"},
}};

absl::StatusOr<json> ParseJson(absl::string_view text) {
  CHATTER_ASSIGN_OR_RETURN(json parsed, ParseBoundedJson(text, kMaxFrameDepth, "frame"));
  if (!parsed.is_object()) return status::InvalidFieldError("frame", "must be a JSON object");
  return parsed;
}

absl::StatusOr<ClientEvent> EventOf(const json& frame) {
  auto event = frame.find("event");
  if (event == frame.end() || event->is_null()) {
    return status::InvalidFieldError("event", "is required");
  }
  if (!event->is_string()) return status::InvalidFieldError("event", "must be a string");
  const std::string& name = event->get_ref<const std::string&>();
  for (const auto& [value, known] : kEventNames) {
    if (name == known) return value;
  }
  if (name.size() <= kMaxEchoedEventName) {
    return status::InvalidFieldError("event", absl::StrCat("unknown event \"", name, "\""));
  }
  return status::InvalidFieldError("event", "unknown event");
}

absl::Status CheckMembers(const json& object, absl::string_view prefix,
                          std::initializer_list<absl::string_view> allowed) {
  for (const auto& [key, value] : object.items()) {
    bool known = false;
    for (absl::string_view name : allowed) known |= key == name;
    if (!known) return status::InvalidFieldError(absl::StrCat(prefix, key), "unknown field");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> RequiredRoomId(const json& data) {
  auto room = data.find("room_id");
  if (room == data.end() || room->is_null()) {
    return status::InvalidFieldError("data.room_id", "is required");
  }
  if (!room->is_string() || room->get_ref<const std::string&>().empty()) {
    return status::InvalidFieldError("data.room_id", "must be a non-empty string");
  }
  return CanonicalRoomId(room->get<std::string>());
}

}  // namespace

std::string CanonicalRoomId(std::string room_id) {
  std::optional<std::string> normalized = ids::NormalizeUuid(room_id);
  return normalized ? *std::move(normalized) : std::move(room_id);
}

absl::string_view ClientEventName(ClientEvent event) {
  for (const auto& [value, name] : kEventNames) {
    if (value == event) return name;
  }
  return "unknown";
}

ParsedFrame ParseClientFrame(absl::string_view text) {
  ParsedFrame out;
  absl::StatusOr<json> parsed = ParseJson(text);
  if (!parsed.ok()) {
    out.frame = parsed.status();
    return out;
  }
  json& frame = *parsed;
  // The ref first, so every later error can carry it.
  if (auto ref = frame.find("ref"); ref != frame.end()) {
    if (!ref->is_string() || text::CountCodePoints(ref->get_ref<const std::string&>()) >
                                 static_cast<int>(kMaxRefLength)) {
      out.frame = status::InvalidFieldError(
          "ref", absl::StrCat("must be a string of at most ", kMaxRefLength, " characters"));
      return out;
    }
    out.ref = ref->get<std::string>();
  }
  if (absl::Status members = CheckMembers(frame, "", {"event", "data", "ref"}); !members.ok()) {
    out.frame = members;
    return out;
  }
  absl::StatusOr<ClientEvent> event = EventOf(frame);
  if (!event.ok()) {
    out.frame = event.status();
    return out;
  }
  json data = json::object();
  if (auto given = frame.find("data"); given != frame.end()) {
    if (!given->is_object()) {
      out.frame = status::InvalidFieldError("data", "must be a JSON object");
      return out;
    }
    data = std::move(*given);
  }
  out.frame = ClientFrame{.event = *event, .data = std::move(data), .ref = out.ref};
  return out;
}

absl::StatusOr<SubscribeData> ParseSubscribeData(const json& data) {
  if (absl::Status members = CheckMembers(data, "data.", {"room_id", "since_seq"}); !members.ok()) {
    return members;
  }
  SubscribeData out;
  absl::StatusOr<std::string> room_id = RequiredRoomId(data);
  if (!room_id.ok()) return room_id.status();
  out.room_id = *std::move(room_id);
  if (auto since = data.find("since_seq"); since != data.end() && !since->is_null()) {
    bool valid =
        since->is_number_unsigned() || (since->is_number_integer() && since->get<int64_t>() >= 0);
    if (!valid || (since->is_number_unsigned() &&
                   since->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))) {
      return status::InvalidFieldError("data.since_seq", "must be a non-negative integer");
    }
    out.since_seq = since->get<int64_t>();
  }
  return out;
}

absl::StatusOr<std::string> ParseRoomIdData(const json& data) {
  if (absl::Status members = CheckMembers(data, "data.", {"room_id"}); !members.ok()) {
    return members;
  }
  return RequiredRoomId(data);
}

absl::Status ParsePingData(const json& data) { return CheckMembers(data, "data.", {}); }

absl::StatusOr<std::string> ParseAuthenticateData(const json& data) {
  if (absl::Status members = CheckMembers(data, "data.", {"access_token"}); !members.ok()) {
    return members;
  }
  auto token = data.find("access_token");
  if (token == data.end() || token->is_null()) {
    return status::InvalidFieldError("data.access_token", "is required");
  }
  if (!token->is_string() || token->get_ref<const std::string&>().empty()) {
    return status::InvalidFieldError("data.access_token", "must be a non-empty string");
  }
  if (token->get_ref<const std::string&>().size() > jwt::kMaxTokenBytes) {
    return status::InvalidFieldError(
        "data.access_token", absl::StrCat("must be at most ", jwt::kMaxTokenBytes, " bytes"));
  }
  return token->get<std::string>();
}

absl::Status DecodeRequestData(const json& data, const std::vector<std::string>& required,
                               google::protobuf::Message& request) {
  if (absl::Status decoded = DecodeJsonObject(data, request); !decoded.ok()) {
    std::optional<common::v1::ErrorDetails> details = status::GetErrorDetails(decoded);
    if (!details || details->field_violations_size() == 0) return decoded;
    const auto& violation = details->field_violations(0);
    return status::InvalidFieldError(absl::StrCat("data.", violation.field()), violation.reason());
  }
  for (const std::string& name : required) {
    auto member = data.find(name);
    if (member == data.end() || member->is_null()) {
      return status::InvalidFieldError(absl::StrCat("data.", name), "is required");
    }
  }
  if (const auto* room = request.GetDescriptor()->FindFieldByName("room_id");
      room != nullptr && request.GetReflection()->GetString(request, room).empty()) {
    return status::InvalidFieldError("data.room_id", "must be a non-empty string");
  }
  return absl::OkStatus();
}

Frame EncodeFrame(absl::string_view event, ordered_json data,
                  const std::optional<std::string>& ref) {
  ordered_json frame;
  frame["event"] = std::string(event);
  if (ref) frame["ref"] = *ref;
  frame["data"] = std::move(data);
  return std::make_shared<const std::string>(
      frame.dump(-1, ' ', false, ordered_json::error_handler_t::replace));
}

Frame AckFrame(const std::string& ref, ordered_json data) {
  return EncodeFrame("ack", std::move(data), ref);
}

Frame ErrorFrame(const absl::Status& status, const std::optional<std::string>& ref) {
  ordered_json data;
  data["code"] = std::string(status::CodeName(status.code()));
  data["message"] = std::string(status::PublicMessageFor(status.code()).value_or(status.message()));
  // A refusal under load says when to try again, as REST's 429 does with Retry-After.
  if (std::optional<int> retry_after = status::RetryAfterSeconds(status)) {
    data["retry_after_ms"] = *retry_after * 1000;
  }
  return EncodeFrame("error", std::move(data), ref);
}

Frame PongFrame() { return EncodeFrame("pong", ordered_json::object()); }

}  // namespace chatter::gateway
