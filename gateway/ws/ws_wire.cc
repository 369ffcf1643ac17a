// RFC 6455 section 5 framing. UTF-8 and close-code validity come from Beast's own checks
// (boost/beast/websocket/detail), so they agree with what the handshake side would enforce.
#include "gateway/ws/ws_wire.h"

#include <boost/beast/websocket/detail/frame.hpp>
#include <boost/beast/websocket/detail/utf8_checker.hpp>

#include "absl/strings/str_cat.h"

namespace chatter::gateway {
namespace {

constexpr size_t kMaxControlPayload = 125;
constexpr uint16_t kNoStatusReceived = 1005;

bool ValidUtf8(absl::string_view text) {
  boost::beast::websocket::detail::utf8_checker checker;
  return checker.write(reinterpret_cast<const uint8_t*>(text.data()), text.size()) &&
         checker.finish();
}

bool IsControl(WsOpcode opcode) { return static_cast<uint8_t>(opcode) >= 0x8; }

bool IsKnown(uint8_t opcode) { return opcode <= 0x2 || (opcode >= 0x8 && opcode <= 0xA); }

}  // namespace

WsFrameHeader ServerFrameHeader(WsOpcode opcode, size_t payload_size) {
  WsFrameHeader header;
  header.bytes[0] = static_cast<uint8_t>(0x80 | static_cast<uint8_t>(opcode));
  if (payload_size < 126) {
    header.bytes[1] = static_cast<uint8_t>(payload_size);
    header.size = 2;
  } else if (payload_size <= 0xFFFF) {
    header.bytes[1] = 126;
    header.bytes[2] = static_cast<uint8_t>(payload_size >> 8);
    header.bytes[3] = static_cast<uint8_t>(payload_size);
    header.size = 4;
  } else {
    header.bytes[1] = 127;
    for (int i = 0; i < 8; ++i) {
      header.bytes[2 + i] =
          static_cast<uint8_t>(static_cast<uint64_t>(payload_size) >> (56 - 8 * i));
    }
    header.size = 10;
  }
  return header;
}

std::string ClosePayload(uint16_t code, absl::string_view reason) {
  std::string payload;
  payload.push_back(static_cast<char>(code >> 8));
  payload.push_back(static_cast<char>(code & 0xFF));
  size_t room = kMaxControlPayload - 2;
  if (reason.size() > room) {
    reason = reason.substr(0, room);
    // Back off continuation bytes (10xxxxxx) and the lead byte they belonged to.
    while (!reason.empty() && (static_cast<uint8_t>(reason.back()) & 0xC0) == 0x80) {
      reason.remove_suffix(1);
    }
    if (!reason.empty() && (static_cast<uint8_t>(reason.back()) & 0x80) != 0) {
      reason.remove_suffix(1);
    }
  }
  payload.append(reason.data(), reason.size());
  return payload;
}

WsFrameReader::Result WsFrameReader::Fail(uint16_t code, std::string reason,
                                          WsViolation& violation) {
  failed_ = true;
  buffer_.clear();
  consumed_ = 0;
  message_.clear();
  violation = {.close_code = code, .reason = std::move(reason)};
  return Result::kViolation;
}

WsFrameReader::Result WsFrameReader::Next(WsInbound& inbound, WsViolation& violation) {
  if (failed_) {
    violation = {.close_code = kCloseProtocolError, .reason = "protocol error"};
    return Result::kViolation;
  }
  while (true) {
    const auto* bytes = reinterpret_cast<const uint8_t*>(buffer_.data()) + consumed_;
    const size_t available = buffer_.size() - consumed_;
    if (available < 2) break;
    const bool fin = (bytes[0] & 0x80) != 0;
    const uint8_t raw_opcode = bytes[0] & 0x0F;
    if ((bytes[0] & 0x70) != 0) return Fail(kCloseProtocolError, "reserved bits set", violation);
    if (!IsKnown(raw_opcode)) return Fail(kCloseProtocolError, "unknown opcode", violation);
    if ((bytes[1] & 0x80) == 0) return Fail(kCloseProtocolError, "frame not masked", violation);
    const auto opcode = static_cast<WsOpcode>(raw_opcode);
    size_t header_size = 2 + 4;
    uint64_t length = bytes[1] & 0x7F;
    if (length == 126) {
      header_size += 2;
      if (available < header_size) break;
      length = (uint64_t{bytes[2]} << 8) | bytes[3];
      if (length < 126) return Fail(kCloseProtocolError, "length not minimal", violation);
    } else if (length == 127) {
      header_size += 8;
      if (available < header_size) break;
      length = 0;
      for (int i = 0; i < 8; ++i) length = (length << 8) | bytes[2 + i];
      if (length <= 0xFFFF || (length >> 63) != 0) {
        return Fail(kCloseProtocolError, "length not minimal", violation);
      }
    }
    if (IsControl(opcode)) {
      if (!fin) return Fail(kCloseProtocolError, "fragmented control frame", violation);
      if (length > kMaxControlPayload) {
        return Fail(kCloseProtocolError, "control frame too long", violation);
      }
    } else {
      if (opcode == WsOpcode::kContinuation && !in_message_) {
        return Fail(kCloseProtocolError, "continuation outside a message", violation);
      }
      if (opcode != WsOpcode::kContinuation && in_message_) {
        return Fail(kCloseProtocolError, "new message inside a fragmented one", violation);
      }
      // Checked before the payload is buffered: a peer cannot make the reader hold more.
      if (length > max_message_bytes_ || message_.size() + length > max_message_bytes_) {
        return Fail(kCloseMessageTooBig, "message too big", violation);
      }
    }
    if (available < header_size + length) break;
    const uint8_t* mask = bytes + header_size - 4;
    const auto* payload_bytes = reinterpret_cast<const char*>(bytes + header_size);
    std::string payload(payload_bytes, static_cast<size_t>(length));
    for (size_t i = 0; i < payload.size(); ++i) {
      payload[i] = static_cast<char>(payload[i] ^ static_cast<char>(mask[i % 4]));
    }
    consumed_ += header_size + static_cast<size_t>(length);

    if (IsControl(opcode)) {
      inbound.opcode = opcode;
      inbound.close_code = 0;
      if (opcode == WsOpcode::kClose) {
        if (payload.size() == 1) return Fail(kCloseProtocolError, "bad close payload", violation);
        inbound.close_code = kNoStatusReceived;
        if (payload.size() >= 2) {
          inbound.close_code = static_cast<uint16_t>((static_cast<uint8_t>(payload[0]) << 8) |
                                                     static_cast<uint8_t>(payload[1]));
          if (!boost::beast::websocket::detail::is_valid_close_code(inbound.close_code)) {
            return Fail(kCloseProtocolError, "invalid close code", violation);
          }
          payload.erase(0, 2);
          if (!ValidUtf8(payload)) {
            return Fail(kCloseInvalidPayload, "close reason not UTF-8", violation);
          }
        }
      }
      inbound.payload = std::move(payload);
      return Result::kInbound;
    }
    if (opcode != WsOpcode::kContinuation) {
      in_message_ = true;
      message_opcode_ = opcode;
      message_ = std::move(payload);
    } else {
      message_.append(payload);
    }
    if (!fin) continue;
    in_message_ = false;
    if (message_opcode_ == WsOpcode::kText && !ValidUtf8(message_)) {
      return Fail(kCloseInvalidPayload, "text not UTF-8", violation);
    }
    inbound.opcode = message_opcode_;
    inbound.close_code = 0;
    inbound.payload = std::move(message_);
    message_.clear();
    return Result::kInbound;
  }
  // Keep only what is not consumed, so the buffer holds at most one partial frame.
  buffer_.erase(0, consumed_);
  consumed_ = 0;
  return Result::kNeedMore;
}

}  // namespace chatter::gateway
