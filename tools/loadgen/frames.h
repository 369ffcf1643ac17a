// The WebSocket frames the load generator writes and reads (API.md "WebSocket GET /ws"), and the
// probe it hides in message content: message id and send time, so receivers measure latency.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace chatter::loadgen {

struct Probe {
  uint64_t id = 0;
  int64_t send_ns = 0;  // Steady clock of this process.
};

// "lg <run> <id> <send_ns>", padded with 'x' up to `pad_to_bytes` when that is longer.
std::string EncodeContent(std::string_view run, Probe probe, int pad_to_bytes);
// The probe of a content written by EncodeContent for the same `run`; nullopt otherwise.
std::optional<Probe> DecodeContent(std::string_view run, std::string_view content);

// "<path_prefix>/ws?access_token=<token>&room_id=<room>", values percent-encoded.
std::string WsTarget(std::string_view path_prefix, std::string_view token,
                     std::string_view room_id);

// "<path_prefix>/ws?access_token=<token>": a reconnect, which subscribes with since_seq itself.
std::string WsResumeTarget(std::string_view path_prefix, std::string_view token);

// The ref of message `id` ("m<id>") and back.
std::string RefFor(uint64_t id);
std::optional<uint64_t> IdFromRef(std::string_view ref);

// {"event":"send_message","ref":ref,"data":{"room_id","content","client_msg_id"}}
std::string SendMessageFrame(std::string_view ref, std::string_view room_id,
                             std::string_view content, std::string_view client_msg_id);

// The ref of the subscribe a reconnected session sends; never the ref of a message.
inline constexpr std::string_view kResumeRef = "resume";

// {"event":"subscribe","ref":ref,"data":{"room_id","since_seq"}}
std::string SubscribeFrame(std::string_view ref, std::string_view room_id, int64_t since_seq);

struct ServerFrame {
  std::string event;
  std::string ref;  // Empty when absent.
  nlohmann::json data = nlohmann::json::object();
};

// DATA_LOSS when `text` is not a JSON object with a string "event".
absl::StatusOr<ServerFrame> ParseServerFrame(std::string_view text);

// OK when `frame` is `ready` and lists `room_id` in "subscribed"; PERMISSION_DENIED carrying the
// refusal code when the room is in "refused"; FAILED_PRECONDITION for anything else.
absl::Status CheckReady(const ServerFrame& frame, std::string_view room_id);

// What a `receive_message` frame carries. `data` is the message itself; {"message": {...}} is
// accepted too.
struct Delivery {
  std::string room_id;
  int64_t seq = -1;  // -1 when absent.
  std::string content;
};
std::optional<Delivery> ParseDelivery(const ServerFrame& frame);

// The "code" of an `error` frame ("unknown" when missing).
std::string ErrorCodeOf(const ServerFrame& frame);

}  // namespace chatter::loadgen
