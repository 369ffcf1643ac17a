// Frame building and parsing for the load generator (see frames.h).
#include "tools/loadgen/frames.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/text/string_views.h"

namespace chatter::loadgen {
namespace {

std::string StringField(const nlohmann::json& object, const char* name) {
  if (!object.is_object()) return "";
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

bool ListsRoom(const nlohmann::json& list, std::string_view room_id) {
  if (!list.is_array()) return false;
  for (const nlohmann::json& entry : list) {
    if (entry.is_string() && entry.get<std::string>() == room_id) return true;
  }
  return false;
}

std::string PercentEncode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace

std::string WsTarget(std::string_view path_prefix, std::string_view token,
                     std::string_view room_id) {
  return absl::StrCat(text::ToAbsl(path_prefix), "/ws?access_token=", PercentEncode(token),
                      "&room_id=", PercentEncode(room_id));
}

std::string WsResumeTarget(std::string_view path_prefix, std::string_view token) {
  return absl::StrCat(text::ToAbsl(path_prefix), "/ws?access_token=", PercentEncode(token));
}

std::string EncodeContent(std::string_view run, Probe probe, int pad_to_bytes) {
  std::string content = absl::StrCat("lg ", text::ToAbsl(run), " ", probe.id, " ", probe.send_ns);
  if (pad_to_bytes > static_cast<int>(content.size())) {
    content.push_back(' ');
    content.resize(static_cast<size_t>(pad_to_bytes), 'x');
  }
  return content;
}

std::optional<Probe> DecodeContent(std::string_view run, std::string_view content) {
  std::vector<absl::string_view> parts = absl::StrSplit(text::ToAbsl(content), ' ');
  if (parts.size() < 4 || parts[0] != "lg" || parts[1] != text::ToAbsl(run)) return std::nullopt;
  Probe probe;
  if (!absl::SimpleAtoi(parts[2], &probe.id) || !absl::SimpleAtoi(parts[3], &probe.send_ns)) {
    return std::nullopt;
  }
  return probe;
}

std::string RefFor(uint64_t id) { return absl::StrCat("m", id); }

std::optional<uint64_t> IdFromRef(std::string_view ref) {
  uint64_t id = 0;
  if (ref.size() < 2 || ref[0] != 'm' || !absl::SimpleAtoi(text::ToAbsl(ref.substr(1)), &id)) {
    return std::nullopt;
  }
  return id;
}

std::string SendMessageFrame(std::string_view ref, std::string_view room_id,
                             std::string_view content, std::string_view client_msg_id) {
  nlohmann::json frame = {{"event", "send_message"},
                          {"ref", std::string(ref)},
                          {"data",
                           {{"room_id", std::string(room_id)},
                            {"content", std::string(content)},
                            {"client_msg_id", std::string(client_msg_id)}}}};
  return frame.dump();
}

std::string SubscribeFrame(std::string_view ref, std::string_view room_id, int64_t since_seq) {
  nlohmann::json frame = {{"event", "subscribe"},
                          {"ref", std::string(ref)},
                          {"data", {{"room_id", std::string(room_id)}, {"since_seq", since_seq}}}};
  return frame.dump();
}

absl::StatusOr<ServerFrame> ParseServerFrame(std::string_view text) {
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return absl::DataLossError(
        absl::StrCat("frame is not a JSON object: ", text::ToAbsl(text.substr(0, 200))));
  }
  ServerFrame frame;
  frame.event = StringField(json, "event");
  if (frame.event.empty()) {
    return absl::DataLossError(
        absl::StrCat("frame has no \"event\": ", text::ToAbsl(text.substr(0, 200))));
  }
  frame.ref = StringField(json, "ref");
  if (auto data = json.find("data"); data != json.end()) frame.data = std::move(*data);
  return frame;
}

absl::Status CheckReady(const ServerFrame& frame, std::string_view room_id) {
  if (frame.event != "ready") {
    return absl::FailedPreconditionError(
        absl::StrCat("first frame was \"", frame.event, "\", not \"ready\""));
  }
  if (!frame.data.is_object()) return absl::FailedPreconditionError("ready frame has no data");
  if (ListsRoom(frame.data.value("subscribed", nlohmann::json()), room_id)) {
    return absl::OkStatus();
  }
  const nlohmann::json refused = frame.data.value("refused", nlohmann::json::array());
  if (refused.is_array()) {
    for (const nlohmann::json& entry : refused) {
      if (StringField(entry, "room_id") == room_id) {
        std::string code = StringField(entry, "code");
        return absl::PermissionDeniedError(code.empty() ? "refused" : code);
      }
    }
  }
  return absl::FailedPreconditionError("room missing from ready's \"subscribed\"");
}

std::optional<Delivery> ParseDelivery(const ServerFrame& frame) {
  if (frame.event != "receive_message" || !frame.data.is_object()) return std::nullopt;
  const nlohmann::json* message = &frame.data;
  if (auto nested = frame.data.find("message"); nested != frame.data.end() && nested->is_object()) {
    message = &*nested;
  }
  Delivery delivery;
  delivery.room_id = StringField(*message, "room_id");
  delivery.content = StringField(*message, "content");
  if (auto seq = message->find("seq"); seq != message->end()) {
    if (seq->is_number_integer()) {
      delivery.seq = seq->get<int64_t>();
    } else if (seq->is_string()) {
      // Proto int64 fields print as strings in proto3 JSON.
      if (!absl::SimpleAtoi(seq->get<std::string>(), &delivery.seq)) delivery.seq = -1;
    }
  }
  return delivery;
}

std::string ErrorCodeOf(const ServerFrame& frame) {
  std::string code = StringField(frame.data, "code");
  return code.empty() ? "unknown" : code;
}

}  // namespace chatter::loadgen
