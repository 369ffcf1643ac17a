// RFC 6455 framing after the opening handshake, which Beast still does. The gateway speaks the
// wire protocol itself from there on because Beast writes one message per asynchronous
// operation (one send() and one completion per frame) and answers pings and closes with writes
// of its own: with the session owning every byte it writes, all frames queued for a session go
// out in one gather write, and a server frame's payload is the shared buffer every recipient
// sends (its header, at most 10 bytes, is made per recipient). No extensions are negotiated.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace chatter::gateway {

enum class WsOpcode : uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

// Close codes of RFC 6455 section 7.4.1 the reader answers with.
inline constexpr uint16_t kCloseProtocolError = 1002;
inline constexpr uint16_t kCloseInvalidPayload = 1007;
inline constexpr uint16_t kCloseMessageTooBig = 1009;

// The header of an unmasked, final server frame of `payload_size` bytes.
struct WsFrameHeader {
  std::array<uint8_t, 10> bytes{};
  uint8_t size = 0;
};
WsFrameHeader ServerFrameHeader(WsOpcode opcode, size_t payload_size);

// The payload of a close frame: the code, then the reason cut to fit a control frame (125
// bytes) without splitting a UTF-8 sequence.
std::string ClosePayload(uint16_t code, absl::string_view reason);

// One client message (text or binary, fragments joined) or control frame, unmasked.
struct WsInbound {
  WsOpcode opcode = WsOpcode::kText;  // kText, kBinary, kClose, kPing or kPong.
  std::string payload;
  uint16_t close_code = 0;  // kClose: the peer's code, 1005 when it sent none.
};

// What a client did wrong; the connection is failed with a close frame of `close_code`.
struct WsViolation {
  uint16_t close_code = 0;
  std::string reason;
};

// Reads client frames from the bytes of a connection, in order. Enforces what a server must:
// frames masked, no reserved bits or opcodes, control frames final and at most 125 bytes,
// fragments in order, messages at most `max_message_bytes`, text and close reasons valid UTF-8,
// close codes valid. After a violation it reads nothing more.
class WsFrameReader {
 public:
  explicit WsFrameReader(size_t max_message_bytes) : max_message_bytes_(max_message_bytes) {}

  // Appends bytes read from the socket.
  void Append(absl::string_view bytes) { buffer_.append(bytes.data(), bytes.size()); }

  enum class Result { kNeedMore, kInbound, kViolation };
  // The next message or control frame into `inbound` (kInbound), or the violation into
  // `violation` (then kViolation for good), or kNeedMore until more bytes are appended.
  Result Next(WsInbound& inbound, WsViolation& violation);

 private:
  Result Fail(uint16_t code, std::string reason, WsViolation& violation);

  size_t max_message_bytes_;
  std::string buffer_;  // Bytes not consumed yet, from `consumed_` on.
  size_t consumed_ = 0;
  bool failed_ = false;
  // The fragmented message being assembled, if any.
  bool in_message_ = false;
  WsOpcode message_opcode_ = WsOpcode::kText;
  std::string message_;
};

}  // namespace chatter::gateway
