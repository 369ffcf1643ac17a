// Tests the WebSocket frame codec: strict client frame parsing (errors name the member and keep
// a readable ref), data helpers, server frame encoding, and a seeded fuzz loop that must never
// crash or throw.
#include "gateway/ws/frame_codec.h"

#include <gtest/gtest.h>

#include <random>

#include "chatter/chat/v1/chat.pb.h"
#include "libs/status/error_details.h"

namespace chatter::gateway {
namespace {

using nlohmann::json;

std::string FieldOf(const absl::Status& status) {
  auto details = status::GetErrorDetails(status);
  if (!details || details->field_violations_size() == 0) return "";
  return details->field_violations(0).field();
}

void ExpectInvalid(absl::string_view text, const std::string& field,
                   std::optional<std::string> ref = std::nullopt) {
  ParsedFrame parsed = ParseClientFrame(text);
  ASSERT_FALSE(parsed.frame.ok()) << text;
  EXPECT_EQ(parsed.frame.status().code(), absl::StatusCode::kInvalidArgument) << text;
  EXPECT_EQ(FieldOf(parsed.frame.status()), field) << text << ": " << parsed.frame.status();
  EXPECT_EQ(parsed.ref, ref) << text;
}

TEST(ParseClientFrame, ReadsEventDataAndRef) {
  ParsedFrame parsed =
      ParseClientFrame(R"({"event":"subscribe","data":{"room_id":"r1","since_seq":4},"ref":"a1"})");
  ASSERT_TRUE(parsed.frame.ok()) << parsed.frame.status();
  EXPECT_EQ(parsed.frame->event, ClientEvent::kSubscribe);
  EXPECT_EQ(parsed.frame->data, json({{"room_id", "r1"}, {"since_seq", 4}}));
  EXPECT_EQ(parsed.frame->ref, "a1");
  EXPECT_EQ(parsed.ref, "a1");
}

TEST(ParseClientFrame, DataAndRefAreOptional) {
  ParsedFrame parsed = ParseClientFrame(R"({"event":"ping"})");
  ASSERT_TRUE(parsed.frame.ok()) << parsed.frame.status();
  EXPECT_EQ(parsed.frame->event, ClientEvent::kPing);
  EXPECT_EQ(parsed.frame->data, json::object());
  EXPECT_EQ(parsed.frame->ref, std::nullopt);
}

TEST(ParseClientFrame, EveryEventNameIsKnown) {
  for (const char* name : {"subscribe", "unsubscribe", "send_message", "edit_message",
                           "delete_message", "typing_start", "typing_stop", "mark_read", "ping"}) {
    ParsedFrame parsed = ParseClientFrame(json({{"event", name}, {"data", json::object()}}).dump());
    ASSERT_TRUE(parsed.frame.ok()) << name;
    EXPECT_EQ(ClientEventName(parsed.frame->event), name);
  }
}

TEST(ParseClientFrame, MalformedFramesNameTheMember) {
  ExpectInvalid("", "frame");
  ExpectInvalid("{", "frame");
  ExpectInvalid("[1,2]", "frame");
  ExpectInvalid("\"ping\"", "frame");
  ExpectInvalid("\xff\xfe", "frame");
  ExpectInvalid(std::string(100, '[') + std::string(100, ']'), "frame");
  ExpectInvalid(R"({"data":{}})", "event");
  ExpectInvalid(R"({"event":null})", "event");
  ExpectInvalid(R"({"event":5})", "event");
  ExpectInvalid(R"({"event":"fly"})", "event");
  ExpectInvalid(R"({"event":"ping","data":[]})", "data");
  ExpectInvalid(R"({"event":"ping","data":null})", "data");
  ExpectInvalid(R"({"event":"ping","extra":1})", "extra");
  ExpectInvalid(R"({"event":"ping","ref":7})", "ref");
  ExpectInvalid(json({{"event", "ping"}, {"ref", std::string(65, 'r')}}).dump(), "ref");
}

TEST(ParseClientFrame, ErrorsKeepAReadableRef) {
  ExpectInvalid(R"({"event":"fly","ref":"r9"})", "event", "r9");
  ExpectInvalid(R"({"event":"ping","data":1,"ref":"r9"})", "data", "r9");
  ExpectInvalid(R"({"ref":"r9"})", "event", "r9");
  ExpectInvalid(R"({"event":"ping","ref":"r9","bogus":true})", "bogus", "r9");
}

TEST(ParseClientFrame, RefLengthCountsCharacters) {
  std::string ref;
  for (int i = 0; i < 64; ++i) ref += "\xc3\xa9";  // 64 characters, 128 bytes.
  ParsedFrame parsed = ParseClientFrame(json({{"event", "ping"}, {"ref", ref}}).dump());
  ASSERT_TRUE(parsed.frame.ok()) << parsed.frame.status();
  EXPECT_EQ(parsed.ref, ref);
}

TEST(ParseClientFrame, UnknownLongEventNamesAreNotEchoed) {
  ParsedFrame parsed = ParseClientFrame(json({{"event", std::string(200, 'x')}}).dump());
  ASSERT_FALSE(parsed.frame.ok());
  EXPECT_EQ(parsed.frame.status().message(), "event: unknown event");
  ParsedFrame short_name = ParseClientFrame(R"({"event":"fly"})");
  EXPECT_EQ(short_name.frame.status().message(), "event: unknown event \"fly\"");
}

TEST(ParseClientFrame, FuzzNeverCrashesOrThrows) {
  std::mt19937 random(20261122);
  const std::vector<std::string> seeds = {
      R"({"event":"subscribe","data":{"room_id":"r","since_seq":1},"ref":"x"})",
      R"({"event":"send_message","data":{"room_id":"r","content":"hi"}})",
      R"({"event":"ping","data":{},"ref":"p"})", R"([{"a":[1,2,{"b":null}]}])"};
  std::string alphabet =
      "{}[]\":,0123456789.eE+-truefalsnul\\ \xc3\xa9\xff"
      "abc";
  alphabet.push_back('\0');
  for (int round = 0; round < 20000; ++round) {
    std::string text = seeds[random() % seeds.size()];
    int mutations = 1 + static_cast<int>(random() % 8);
    for (int m = 0; m < mutations && !text.empty(); ++m) {
      size_t at = random() % text.size();
      switch (random() % 3) {
        case 0:
          text[at] = alphabet[random() % alphabet.size()];
          break;
        case 1:
          text.insert(at, 1, alphabet[random() % alphabet.size()]);
          break;
        default:
          text.erase(at, 1);
      }
    }
    ParsedFrame parsed = ParseClientFrame(text);
    if (parsed.frame.ok()) {
      EXPECT_TRUE(parsed.frame->data.is_object());
      // Data helpers must not throw on whatever got through.
      (void)ParseSubscribeData(parsed.frame->data);
      (void)ParseRoomIdData(parsed.frame->data);
      chat::v1::SendMessageRequest request;
      (void)DecodeRequestData(parsed.frame->data, {"room_id", "content"}, request);
    } else {
      EXPECT_EQ(parsed.frame.status().code(), absl::StatusCode::kInvalidArgument);
    }
    if (parsed.ref) {
      EXPECT_LE(parsed.ref->size(), 4 * kMaxRefLength);
    }
  }
}

TEST(ParseSubscribeData, ReadsRoomAndOptionalSince) {
  absl::StatusOr<SubscribeData> plain = ParseSubscribeData({{"room_id", "r1"}});
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->room_id, "r1");
  EXPECT_EQ(plain->since_seq, std::nullopt);
  absl::StatusOr<SubscribeData> since = ParseSubscribeData({{"room_id", "r1"}, {"since_seq", 0}});
  ASSERT_TRUE(since.ok());
  EXPECT_EQ(since->since_seq, 0);
  absl::StatusOr<SubscribeData> null_since =
      ParseSubscribeData({{"room_id", "r1"}, {"since_seq", nullptr}});
  ASSERT_TRUE(null_since.ok());
  EXPECT_EQ(null_since->since_seq, std::nullopt);
}

TEST(ParseSubscribeData, RefusesBadMembers) {
  EXPECT_EQ(FieldOf(ParseSubscribeData(json::object()).status()), "data.room_id");
  EXPECT_EQ(FieldOf(ParseSubscribeData({{"room_id", ""}}).status()), "data.room_id");
  EXPECT_EQ(FieldOf(ParseSubscribeData({{"room_id", 3}}).status()), "data.room_id");
  EXPECT_EQ(FieldOf(ParseSubscribeData({{"room_id", "r"}, {"since_seq", -1}}).status()),
            "data.since_seq");
  EXPECT_EQ(FieldOf(ParseSubscribeData({{"room_id", "r"}, {"since_seq", 1.5}}).status()),
            "data.since_seq");
  EXPECT_EQ(FieldOf(ParseSubscribeData({{"room_id", "r"}, {"since_seq", "3"}}).status()),
            "data.since_seq");
  EXPECT_EQ(FieldOf(ParseSubscribeData({{"room_id", "r"}, {"x", 1}}).status()), "data.x");
  EXPECT_EQ(ParseSubscribeData({{"room_id", "r"}, {"x", 1}}).status().message(),
            "data.x: unknown field");
}

TEST(ParseSubscribeData, RoomIdsAreLowerCased) {
  EXPECT_EQ(ParseSubscribeData({{"room_id", "0190A5D2-AC96-774B-BCCE-B302099A8057"}})->room_id,
            "0190a5d2-ac96-774b-bcce-b302099a8057");
  EXPECT_EQ(*ParseRoomIdData({{"room_id", "0190A5D2-AC96-774B-BCCE-B302099A8057"}}),
            "0190a5d2-ac96-774b-bcce-b302099a8057");
  EXPECT_EQ(*ParseRoomIdData({{"room_id", "Not-A-Uuid"}}), "Not-A-Uuid");
}

TEST(ParseRoomIdData, OnlyRoomId) {
  EXPECT_EQ(*ParseRoomIdData({{"room_id", "r"}}), "r");
  EXPECT_EQ(FieldOf(ParseRoomIdData({{"room_id", "r"}, {"since_seq", 1}}).status()),
            "data.since_seq");
  EXPECT_EQ(FieldOf(ParseRoomIdData(json::object()).status()), "data.room_id");
}

TEST(ParsePingData, TakesNoMembers) {
  EXPECT_TRUE(ParsePingData(json::object()).ok());
  EXPECT_EQ(FieldOf(ParsePingData({{"room_id", "r"}})), "data.room_id");
  EXPECT_EQ(FieldOf(ParsePingData({{"x", 1}})), "data.x");
}

TEST(DecodeRequestData, UsesTheRestCodecAndNamesDataFields) {
  chat::v1::SendMessageRequest request;
  ASSERT_TRUE(DecodeRequestData({{"room_id", "r"}, {"content", "hi"}, {"client_msg_id", "c1"}},
                                {"room_id", "content"}, request)
                  .ok());
  EXPECT_EQ(request.room_id(), "r");
  EXPECT_EQ(request.content(), "hi");
  EXPECT_EQ(request.client_msg_id(), "c1");

  chat::v1::SendMessageRequest wrong_type;
  absl::Status status =
      DecodeRequestData({{"room_id", "r"}, {"content", 5}}, {"room_id", "content"}, wrong_type);
  EXPECT_EQ(FieldOf(status), "data.content");
  EXPECT_EQ(status.message(), "data.content: must be a string");

  chat::v1::SendMessageRequest missing;
  EXPECT_EQ(FieldOf(DecodeRequestData({{"room_id", "r"}}, {"room_id", "content"}, missing)),
            "data.content");
  chat::v1::MarkReadRequest unknown;
  EXPECT_EQ(FieldOf(DecodeRequestData({{"room_id", "r"}, {"seq", 1}, {"x", 1}}, {"room_id", "seq"},
                                      unknown)),
            "data.x");
  chat::v1::MarkReadRequest empty_room;
  EXPECT_EQ(
      FieldOf(DecodeRequestData({{"room_id", ""}, {"seq", 1}}, {"room_id", "seq"}, empty_room)),
      "data.room_id");
}

TEST(EncodeFrame, ShapesOfServerFrames) {
  EXPECT_EQ(*EncodeFrame("ready", {{"user_id", "u"}}),
            R"({"event":"ready","data":{"user_id":"u"}})");
  EXPECT_EQ(*AckFrame("r1", nlohmann::ordered_json::object()),
            R"({"event":"ack","ref":"r1","data":{}})");
  EXPECT_EQ(*PongFrame(), R"({"event":"pong","data":{}})");
  EXPECT_EQ(
      *ErrorFrame(absl::NotFoundError("room not found"), "r2"),
      R"({"event":"error","ref":"r2","data":{"code":"not_found","message":"room not found"}})");
  EXPECT_EQ(*ErrorFrame(absl::InvalidArgumentError("x"), std::nullopt),
            R"({"event":"error","data":{"code":"invalid_argument","message":"x"}})");
  // Refusals under load carry a retry hint (1 s unless the status names one).
  EXPECT_EQ(
      *ErrorFrame(absl::ResourceExhaustedError("busy"), "r3"),
      R"({"event":"error","ref":"r3","data":{"code":"resource_exhausted","message":"busy","retry_after_ms":1000}})");
}

TEST(EncodeFrame, InternalMessagesNeverReachClients) {
  EXPECT_EQ(
      *ErrorFrame(absl::UnavailableError("connect to 10.0.0.7:50052 failed"), "r"),
      R"({"event":"error","ref":"r","data":{"code":"unavailable","message":"service temporarily unavailable"}})");
  EXPECT_EQ(
      json::parse(*ErrorFrame(absl::InternalError("SQL: select"), std::nullopt))["data"]["message"],
      "internal error");
}

}  // namespace
}  // namespace chatter::gateway
