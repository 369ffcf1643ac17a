// WebSocket frames of shared/API.md: strict parsing of client frames
// `{"event","data","ref"}` (errors name the member) and encoding of server frames, each encoded
// once into a shared buffer that every recipient's send queue holds.
#pragma once

#include <google/protobuf/message.h>

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace chatter::gateway {

// One encoded server frame, shared by every session that sends it.
using Frame = std::shared_ptr<const std::string>;

inline constexpr size_t kMaxRefLength = 64;

enum class ClientEvent {
  kSubscribe,
  kUnsubscribe,
  kSendMessage,
  kEditMessage,
  kDeleteMessage,
  kTypingStart,
  kTypingStop,
  kMarkRead,
  kMarkDelivered,
  kPing,
  kAuthenticate,
};

absl::string_view ClientEventName(ClientEvent event);

struct ClientFrame {
  ClientEvent event;
  nlohmann::json data;  // Always an object ({} when the frame had no data).
  std::optional<std::string> ref;
};

struct ParsedFrame {
  // INVALID_ARGUMENT naming the member ("event", "data", "ref", "frame") when unusable.
  absl::StatusOr<ClientFrame> frame;
  // The frame's ref whenever it could be read, even from a frame that is otherwise invalid, so
  // the error reply carries it.
  std::optional<std::string> ref;
};

// Never throws, whatever the bytes.
ParsedFrame ParseClientFrame(absl::string_view text);

// A room id as realtime-svc and chat-svc spell it: a UUID in lower case (clients may send any
// case); anything else unchanged (chat-svc then answers it as not found).
std::string CanonicalRoomId(std::string room_id);

// `data` of subscribe: {"room_id", "since_seq"?}; room_id canonical.
struct SubscribeData {
  std::string room_id;
  std::optional<int64_t> since_seq;
};
absl::StatusOr<SubscribeData> ParseSubscribeData(const nlohmann::json& data);

// `data` of unsubscribe and typing_*: {"room_id"}, canonical.
absl::StatusOr<std::string> ParseRoomIdData(const nlohmann::json& data);

// `data` of ping: {} (an unknown member is INVALID_ARGUMENT naming it, as for every event).
absl::Status ParsePingData(const nlohmann::json& data);

// `data` of authenticate: {"access_token"}, a non-empty string of at most jwt::kMaxTokenBytes.
absl::StatusOr<std::string> ParseAuthenticateData(const nlohmann::json& data);

// `data` into a chat-svc request (SendMessageRequest, ...) with the REST JSON codec: unknown
// members and wrong types are INVALID_ARGUMENT naming "data.<field>", and each of `required`
// must be present.
absl::Status DecodeRequestData(const nlohmann::json& data, const std::vector<std::string>& required,
                               google::protobuf::Message& request);

// {"event":event,"ref":ref,"data":data} ("ref" only when given).
Frame EncodeFrame(absl::string_view event, nlohmann::ordered_json data,
                  const std::optional<std::string>& ref = std::nullopt);
Frame AckFrame(const std::string& ref, nlohmann::ordered_json data);
// `error` with {"code","message"}: the snake_case gRPC code and a message that never carries
// internals (INTERNAL, UNAVAILABLE, ... get a fixed text, as in the REST error envelope).
Frame ErrorFrame(const absl::Status& status, const std::optional<std::string>& ref);
Frame PongFrame();

}  // namespace chatter::gateway
