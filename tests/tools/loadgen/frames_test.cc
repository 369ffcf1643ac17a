// Tests for the WebSocket frames the load generator writes and reads.
#include "tools/loadgen/frames.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace chatter::loadgen {
namespace {

using ::testing::HasSubstr;

ServerFrame Frame(const std::string& text) {
  absl::StatusOr<ServerFrame> frame = ParseServerFrame(text);
  EXPECT_TRUE(frame.ok()) << frame.status();
  return frame.ok() ? *frame : ServerFrame{};
}

TEST(ContentTest, RoundTripsTheProbe) {
  std::string content = EncodeContent("lgabc", {.id = 42, .send_ns = 123456789}, 0);
  EXPECT_EQ(content, "lg lgabc 42 123456789");
  std::optional<Probe> probe = DecodeContent("lgabc", content);
  ASSERT_TRUE(probe.has_value());
  EXPECT_EQ(probe->id, 42u);
  EXPECT_EQ(probe->send_ns, 123456789);
}

TEST(ContentTest, PadsToTheRequestedSize) {
  std::string content = EncodeContent("r", {.id = 1, .send_ns = 2}, 100);
  EXPECT_EQ(content.size(), 100u);
  std::optional<Probe> probe = DecodeContent("r", content);
  ASSERT_TRUE(probe.has_value());
  EXPECT_EQ(probe->id, 1u);
  // Shorter than the probe itself: no padding, nothing cut.
  EXPECT_EQ(EncodeContent("r", {.id = 1, .send_ns = 2}, 3), "lg r 1 2");
}

TEST(ContentTest, IgnoresOtherRunsAndOtherText) {
  std::string content = EncodeContent("run-a", {.id = 1, .send_ns = 2}, 0);
  EXPECT_FALSE(DecodeContent("run-b", content).has_value());
  EXPECT_FALSE(DecodeContent("run-a", "hello there").has_value());
  EXPECT_FALSE(DecodeContent("run-a", "lg run-a x 2").has_value());
  EXPECT_FALSE(DecodeContent("run-a", "").has_value());
}

TEST(RefTest, RoundTrips) {
  EXPECT_EQ(RefFor(17), "m17");
  EXPECT_EQ(IdFromRef("m17"), 17u);
  EXPECT_FALSE(IdFromRef("m").has_value());
  EXPECT_FALSE(IdFromRef("x17").has_value());
  EXPECT_FALSE(IdFromRef("m17x").has_value());
}

TEST(SendMessageFrameTest, FollowsTheContract) {
  nlohmann::json frame =
      nlohmann::json::parse(SendMessageFrame("m3", "room-1", "hi \"there\"", "lg-3"));
  EXPECT_EQ(frame["event"], "send_message");
  EXPECT_EQ(frame["ref"], "m3");
  EXPECT_EQ(frame["data"]["room_id"], "room-1");
  EXPECT_EQ(frame["data"]["content"], "hi \"there\"");
  EXPECT_EQ(frame["data"]["client_msg_id"], "lg-3");
}

TEST(WsTargetTest, EncodesQueryValues) {
  EXPECT_EQ(WsTarget("", "a.b-c_d", "0190-ab"), "/ws?access_token=a.b-c_d&room_id=0190-ab");
  EXPECT_EQ(WsTarget("/api", "a+b/c=", "r"), "/api/ws?access_token=a%2Bb%2Fc%3D&room_id=r");
}

TEST(WsTargetTest, AResumeNamesNoRoom) {
  EXPECT_EQ(WsResumeTarget("/api", "a+b"), "/api/ws?access_token=a%2Bb");
}

TEST(SubscribeFrameTest, CarriesRoomAndSinceSeq) {
  nlohmann::json frame = nlohmann::json::parse(SubscribeFrame(kResumeRef, "room-1", 41));
  EXPECT_EQ(frame["event"], "subscribe");
  EXPECT_EQ(frame["ref"], "resume");
  EXPECT_EQ(frame["data"]["room_id"], "room-1");
  EXPECT_EQ(frame["data"]["since_seq"], 41);
  EXPECT_FALSE(IdFromRef(kResumeRef).has_value()) << "the resume ref must not name a message";
}

TEST(ParseServerFrameTest, ReadsEventRefAndData) {
  ServerFrame frame = Frame(R"({"event":"ack","ref":"m1","data":{"id":"x"}})");
  EXPECT_EQ(frame.event, "ack");
  EXPECT_EQ(frame.ref, "m1");
  EXPECT_EQ(frame.data["id"], "x");
  ServerFrame bare = Frame(R"({"event":"pong"})");
  EXPECT_EQ(bare.ref, "");
  EXPECT_TRUE(bare.data.is_object());
}

TEST(ParseServerFrameTest, RejectsNonFrames) {
  EXPECT_EQ(ParseServerFrame("not json").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(ParseServerFrame("[1,2]").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(ParseServerFrame(R"({"data":{}})").status().message(), HasSubstr("no \"event\""));
}

TEST(CheckReadyTest, AcceptsASubscribedRoom) {
  ServerFrame ready = Frame(
      R"({"event":"ready","data":{"user_id":"u","session_id":"s","subscribed":["r1","r2"],"refused":[]}})");
  EXPECT_TRUE(CheckReady(ready, "r2").ok());
}

TEST(CheckReadyTest, ReportsARefusalWithItsCode) {
  ServerFrame ready = Frame(
      R"({"event":"ready","data":{"subscribed":[],"refused":[{"room_id":"r1","code":"permission_denied"}]}})");
  absl::Status status = CheckReady(ready, "r1");
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(status.message(), "permission_denied");
}

TEST(CheckReadyTest, RejectsAMissingRoomOrAnotherFirstFrame) {
  ServerFrame ready = Frame(R"({"event":"ready","data":{"subscribed":["other"]}})");
  EXPECT_EQ(CheckReady(ready, "r1").code(), absl::StatusCode::kFailedPrecondition);
  ServerFrame presence = Frame(R"({"event":"presence","data":{}})");
  EXPECT_THAT(CheckReady(presence, "r1").message(), HasSubstr("\"presence\""));
  ServerFrame no_data = Frame(R"({"event":"ready","data":[]})");
  EXPECT_EQ(CheckReady(no_data, "r1").code(), absl::StatusCode::kFailedPrecondition);
}

TEST(ParseDeliveryTest, ReadsTheMessage) {
  ServerFrame frame = Frame(
      R"({"event":"receive_message","data":{"id":"m","room_id":"r1","seq":7,"content":"c"}})");
  std::optional<Delivery> delivery = ParseDelivery(frame);
  ASSERT_TRUE(delivery.has_value());
  EXPECT_EQ(delivery->room_id, "r1");
  EXPECT_EQ(delivery->seq, 7);
  EXPECT_EQ(delivery->content, "c");
}

TEST(ParseDeliveryTest, AcceptsANestedMessageAndAStringSeq) {
  ServerFrame frame = Frame(
      R"({"event":"receive_message","data":{"message":{"room_id":"r1","seq":"12","content":"c"}}})");
  std::optional<Delivery> delivery = ParseDelivery(frame);
  ASSERT_TRUE(delivery.has_value());
  EXPECT_EQ(delivery->seq, 12);
  EXPECT_EQ(delivery->content, "c");
}

TEST(ParseDeliveryTest, IgnoresOtherEvents) {
  EXPECT_FALSE(ParseDelivery(Frame(R"({"event":"ack","data":{"content":"c"}})")).has_value());
}

TEST(ErrorCodeOfTest, ReadsTheCode) {
  EXPECT_EQ(ErrorCodeOf(Frame(R"({"event":"error","data":{"code":"resource_exhausted"}})")),
            "resource_exhausted");
  EXPECT_EQ(ErrorCodeOf(Frame(R"({"event":"error"})")), "unknown");
}

}  // namespace
}  // namespace chatter::loadgen
