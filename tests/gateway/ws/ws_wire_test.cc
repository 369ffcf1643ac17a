// Tests the gateway's own RFC 6455 framing: server headers and close payloads, and the client
// frame reader (masking, fragments, control frames, limits and every violation's close code).
#include "gateway/ws/ws_wire.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace chatter::gateway {
namespace {

// A client frame as a browser sends it: masked with `key`.
std::string ClientFrame(uint8_t first_byte, const std::string& payload,
                        std::array<uint8_t, 4> key = {0x12, 0x34, 0x56, 0x78}) {
  std::string frame;
  frame.push_back(static_cast<char>(first_byte));
  if (payload.size() < 126) {
    frame.push_back(static_cast<char>(0x80 | payload.size()));
  } else if (payload.size() <= 0xFFFF) {
    frame.push_back(static_cast<char>(0x80 | 126));
    frame.push_back(static_cast<char>(payload.size() >> 8));
    frame.push_back(static_cast<char>(payload.size() & 0xFF));
  } else {
    frame.push_back(static_cast<char>(0x80 | 127));
    for (int i = 0; i < 8; ++i) {
      frame.push_back(static_cast<char>(static_cast<uint64_t>(payload.size()) >> (56 - 8 * i)));
    }
  }
  for (uint8_t byte : key) frame.push_back(static_cast<char>(byte));
  for (size_t i = 0; i < payload.size(); ++i) {
    frame.push_back(static_cast<char>(payload[i] ^ static_cast<char>(key[i % 4])));
  }
  return frame;
}

struct Read {
  WsFrameReader::Result result;
  WsInbound inbound;
  WsViolation violation;
};

Read NextOf(WsFrameReader& reader) {
  Read read;
  read.result = reader.Next(read.inbound, read.violation);
  return read;
}

uint16_t ViolationOf(const std::string& bytes, size_t max_message_bytes = 1024) {
  WsFrameReader reader(max_message_bytes);
  reader.Append(bytes);
  Read read = NextOf(reader);
  EXPECT_EQ(read.result, WsFrameReader::Result::kViolation);
  return read.violation.close_code;
}

TEST(ServerFrameHeader, UsesTheShortestLengthEncoding) {
  WsFrameHeader small = ServerFrameHeader(WsOpcode::kText, 125);
  EXPECT_EQ(small.size, 2);
  EXPECT_EQ(small.bytes[0], 0x81);
  EXPECT_EQ(small.bytes[1], 125);
  WsFrameHeader medium = ServerFrameHeader(WsOpcode::kText, 65535);
  EXPECT_EQ(medium.size, 4);
  EXPECT_EQ(medium.bytes[1], 126);
  EXPECT_EQ(medium.bytes[2], 0xFF);
  EXPECT_EQ(medium.bytes[3], 0xFF);
  WsFrameHeader large = ServerFrameHeader(WsOpcode::kBinary, 65536);
  EXPECT_EQ(large.size, 10);
  EXPECT_EQ(large.bytes[0], 0x82);
  EXPECT_EQ(large.bytes[1], 127);
  EXPECT_EQ(large.bytes[7], 0x01);  // 0x10000, big-endian over bytes 2..9.
  EXPECT_EQ(large.bytes[8], 0x00);
  EXPECT_EQ(ServerFrameHeader(WsOpcode::kPong, 0).bytes[0], 0x8A);
}

TEST(ClosePayload, IsTheCodeThenAReasonCutToFitWithoutSplittingACharacter) {
  EXPECT_EQ(ClosePayload(1012, "bye"), std::string("\x03\xf4"
                                                   "bye",
                                                   5));
  std::string long_reason(122, 'a');
  long_reason += "\xc3\xa9";  // U+00E9 over bytes 123-124: one byte too many for the frame.
  std::string payload = ClosePayload(1000, long_reason);
  EXPECT_EQ(payload.size(), 2u + 122u);
  EXPECT_EQ(payload.back(), 'a');
}

TEST(WsFrameReader, ReadsMaskedTextAndBinaryMessages) {
  WsFrameReader reader(1024);
  reader.Append(ClientFrame(0x81, "{\"event\":\"ping\"}") + ClientFrame(0x82, "\x01\x02"));
  Read text = NextOf(reader);
  ASSERT_EQ(text.result, WsFrameReader::Result::kInbound);
  EXPECT_EQ(text.inbound.opcode, WsOpcode::kText);
  EXPECT_EQ(text.inbound.payload, "{\"event\":\"ping\"}");
  Read binary = NextOf(reader);
  ASSERT_EQ(binary.result, WsFrameReader::Result::kInbound);
  EXPECT_EQ(binary.inbound.opcode, WsOpcode::kBinary);
  EXPECT_EQ(binary.inbound.payload, "\x01\x02");
  EXPECT_EQ(NextOf(reader).result, WsFrameReader::Result::kNeedMore);
}

TEST(WsFrameReader, WaitsForAFrameSplitAcrossReadsAtAnyByte) {
  std::string frame = ClientFrame(0x81, std::string(300, 'x'));  // 16-bit length.
  for (size_t cut = 1; cut < frame.size(); cut += 37) {
    WsFrameReader reader(1024);
    reader.Append(frame.substr(0, cut));
    EXPECT_EQ(NextOf(reader).result, WsFrameReader::Result::kNeedMore) << cut;
    reader.Append(frame.substr(cut));
    Read read = NextOf(reader);
    ASSERT_EQ(read.result, WsFrameReader::Result::kInbound) << cut;
    EXPECT_EQ(read.inbound.payload, std::string(300, 'x'));
  }
}

TEST(WsFrameReader, JoinsFragmentsAndPassesControlFramesBetweenThem) {
  WsFrameReader reader(1024);
  reader.Append(ClientFrame(0x01, "{\"event\":") + ClientFrame(0x89, "are you there") +
                ClientFrame(0x80, "\"ping\"}"));
  Read ping = NextOf(reader);
  ASSERT_EQ(ping.result, WsFrameReader::Result::kInbound);
  EXPECT_EQ(ping.inbound.opcode, WsOpcode::kPing);
  EXPECT_EQ(ping.inbound.payload, "are you there");
  Read message = NextOf(reader);
  ASSERT_EQ(message.result, WsFrameReader::Result::kInbound);
  EXPECT_EQ(message.inbound.opcode, WsOpcode::kText);
  EXPECT_EQ(message.inbound.payload, "{\"event\":\"ping\"}");
}

TEST(WsFrameReader, ReadsCloseCodesAndReasons) {
  WsFrameReader reader(1024);
  reader.Append(ClientFrame(0x88, std::string("\x03\xe8"
                                              "done",
                                              6)) +
                ClientFrame(0x88, ""));
  Read with_code = NextOf(reader);
  ASSERT_EQ(with_code.result, WsFrameReader::Result::kInbound);
  EXPECT_EQ(with_code.inbound.opcode, WsOpcode::kClose);
  EXPECT_EQ(with_code.inbound.close_code, 1000);
  EXPECT_EQ(with_code.inbound.payload, "done");
  Read without = NextOf(reader);
  ASSERT_EQ(without.result, WsFrameReader::Result::kInbound);
  EXPECT_EQ(without.inbound.close_code, 1005);
}

TEST(WsFrameReader, ProtocolViolationsAre1002) {
  std::string unmasked = "\x81\x02hi";
  EXPECT_EQ(ViolationOf(unmasked), kCloseProtocolError);
  EXPECT_EQ(ViolationOf(ClientFrame(0xC1, "x")), kCloseProtocolError);  // RSV1 (no deflate).
  EXPECT_EQ(ViolationOf(ClientFrame(0x83, "x")), kCloseProtocolError);  // Reserved opcode.
  EXPECT_EQ(ViolationOf(ClientFrame(0x80, "x")), kCloseProtocolError);  // Continuation first.
  EXPECT_EQ(ViolationOf(ClientFrame(0x01, "a") + ClientFrame(0x81, "b")), kCloseProtocolError);
  EXPECT_EQ(ViolationOf(ClientFrame(0x09, "x")), kCloseProtocolError);  // Fragmented ping.
  EXPECT_EQ(ViolationOf(ClientFrame(0x89, std::string(126, 'x'))), kCloseProtocolError);
  EXPECT_EQ(ViolationOf(ClientFrame(0x88, "x")), kCloseProtocolError);         // One-byte close.
  EXPECT_EQ(ViolationOf(ClientFrame(0x88, "\x03\xed")), kCloseProtocolError);  // 1005 sent.
  // A 16-bit length for a payload that fits in 7 bits.
  std::string padded = ClientFrame(0x81, std::string(200, 'x'));
  padded[2] = 0;
  padded[3] = 5;
  EXPECT_EQ(ViolationOf(padded.substr(0, 8 + 5)), kCloseProtocolError);
}

TEST(WsFrameReader, InvalidUtf8Is1007) {
  EXPECT_EQ(ViolationOf(ClientFrame(0x81, "\xff\xfe")), kCloseInvalidPayload);
  EXPECT_EQ(ViolationOf(ClientFrame(0x81, "\xc3")), kCloseInvalidPayload);  // Cut short.
  EXPECT_EQ(ViolationOf(ClientFrame(0x88, std::string("\x03\xe8\xff", 3))), kCloseInvalidPayload);
  // Binary messages are not text: any bytes.
  WsFrameReader reader(1024);
  reader.Append(ClientFrame(0x82, "\xff\xfe"));
  EXPECT_EQ(NextOf(reader).result, WsFrameReader::Result::kInbound);
}

TEST(WsFrameReader, AMessagePastTheLimitIs1009BeforeItsBytesArrive) {
  EXPECT_EQ(ViolationOf(ClientFrame(0x81, std::string(1025, 'x'))), kCloseMessageTooBig);
  // Only the header of a huge frame: refused at once, nothing buffered.
  std::string header = ClientFrame(0x82, std::string(70000, 'x')).substr(0, 14);
  EXPECT_EQ(ViolationOf(header), kCloseMessageTooBig);
  // The limit counts the whole message, across fragments.
  EXPECT_EQ(ViolationOf(ClientFrame(0x01, std::string(600, 'x')) +
                        ClientFrame(0x80, std::string(600, 'x'))),
            kCloseMessageTooBig);
}

TEST(WsFrameReader, StaysFailedAfterAViolation) {
  WsFrameReader reader(1024);
  reader.Append(ClientFrame(0x83, "x"));
  EXPECT_EQ(NextOf(reader).result, WsFrameReader::Result::kViolation);
  reader.Append(ClientFrame(0x81, "ok"));
  EXPECT_EQ(NextOf(reader).result, WsFrameReader::Result::kViolation);
}

}  // namespace
}  // namespace chatter::gateway
