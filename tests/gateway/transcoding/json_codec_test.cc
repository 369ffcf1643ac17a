// Tests the JSON codec on the real protos and a test message with every field kind: shapes of
// shared/API.md (int64 as numbers, millisecond timestamps, null for unset), round trips, each
// decode error naming its field, and a fuzz of mutated bodies that must never crash.
#include "gateway/transcoding/json_codec.h"

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <random>

#include "absl/strings/str_cat.h"
#include "chatter/auth/v1/auth.pb.h"
#include "chatter/chat/v1/chat.pb.h"
#include "libs/status/error_details.h"
#include "libs/status/http_error.h"
#include "transcoding_test.pb.h"

namespace chatter::gateway {
namespace {

using google::protobuf::util::MessageDifferencer;
using nlohmann::ordered_json;

google::protobuf::Timestamp At(int64_t seconds, int32_t nanos) {
  google::protobuf::Timestamp at;
  at.set_seconds(seconds);
  at.set_nanos(nanos);
  return at;
}

std::string Encoded(const google::protobuf::Message& message) {
  return DumpJson(EncodeJson(message));
}

// The single field detail of an INVALID_ARGUMENT, as "field: reason".
std::string FieldError(const absl::Status& status) {
  if (status.code() != absl::StatusCode::kInvalidArgument) return status.ToString();
  auto details = status::GetErrorDetails(status);
  if (!details || details->field_violations_size() != 1) return "no single field detail";
  return absl::StrCat(details->field_violations(0).field(), ": ",
                      details->field_violations(0).reason());
}

TEST(EncodeJson, AuthResponseHasEveryFieldInDeclarationOrder) {
  auth::v1::AuthResponse response;
  response.mutable_user()->set_id("0190a1b2-0000-7000-8000-000000000001");
  response.mutable_user()->set_username("ada");
  response.mutable_user()->set_email("ada@example.com");
  *response.mutable_user()->mutable_created_at() = At(1795342320, 123456789);
  *response.mutable_user()->mutable_updated_at() = At(1795342320, 0);
  response.set_access_token("a.b.c");
  response.set_token_type("Bearer");
  response.set_expires_in(900);
  EXPECT_EQ(Encoded(response),
            R"({"user":{"id":"0190a1b2-0000-7000-8000-000000000001","username":"ada",)"
            R"("email":"ada@example.com","created_at":"2026-11-22T10:12:00.123Z",)"
            R"("updated_at":"2026-11-22T10:12:00.000Z"},"access_token":"a.b.c",)"
            R"("refresh_token":"","token_type":"Bearer","expires_in":900})");
}

TEST(EncodeJson, Int64IsANumberAndDefaultsArePresent) {
  common::v1::Message message;
  message.set_seq(9007199254740993);  // 2^53 + 1: exact in the text, whatever JS makes of it.
  std::string json = Encoded(message);
  EXPECT_NE(json.find(R"("seq":9007199254740993)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("attachments":[])"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("edited":false)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("content":"")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("created_at":null)"), std::string::npos) << json;
}

TEST(EncodeJson, UnsetOptionalAndMessageFieldsAreNull) {
  chat::v1::ListMessagesResponse page;
  EXPECT_EQ(Encoded(page), R"({"messages":[],"next_before":null,"next_after":null})");
  page.set_next_before(0);  // Set to zero is not unset.
  EXPECT_EQ(Encoded(page), R"({"messages":[],"next_before":0,"next_after":null})");

  chat::v1::Room room;
  ordered_json json = EncodeJson(room);
  EXPECT_TRUE(json["unread_count"].is_null());
  EXPECT_TRUE(json["last_message"].is_null());
  EXPECT_TRUE(json["created_at"].is_null());
  EXPECT_EQ(json["member_count"], 0);
  room.set_unread_count(3);
  room.mutable_last_message()->set_seq(7);
  json = EncodeJson(room);
  EXPECT_EQ(json["unread_count"], 3);
  EXPECT_EQ(json["last_message"]["seq"], 7);
}

TEST(EncodeFieldJson, EncodesOneFieldForResponseBody) {
  auth::v1::GetMeResponse response;
  const auto* user = response.GetDescriptor()->FindFieldByName("user");
  EXPECT_TRUE(EncodeFieldJson(response, user).is_null());
  response.mutable_user()->set_username("ada");
  EXPECT_EQ(EncodeFieldJson(response, user)["username"], "ada");
}

TEST(EncodeJson, EveryFieldKind) {
  test::Kitchen kitchen;
  kitchen.set_u64(18446744073709551615u);
  kitchen.set_blob("hi");
  kitchen.set_color(test::COLOR_DARK_BLUE);
  kitchen.set_real(std::numeric_limits<double>::infinity());
  (*kitchen.mutable_counts())["a"] = 1;
  kitchen.set_by_id(-3);
  kitchen.add_colors(test::COLOR_RED);
  kitchen.add_colors(static_cast<test::Color>(9));  // Open enum: unknown values keep the number.
  *kitchen.add_times() = At(-1, 0);
  ordered_json json = EncodeJson(kitchen);
  EXPECT_EQ(json["u64"].dump(), "18446744073709551615");
  EXPECT_EQ(json["blob"], "aGk=");
  EXPECT_EQ(json["color"], "color_dark_blue");
  EXPECT_EQ(json["real"], "Infinity");
  EXPECT_EQ(json["counts"], ordered_json({{"a", 1}}));
  EXPECT_EQ(json["by_id"], -3);
  EXPECT_TRUE(json["by_name"].is_null());
  EXPECT_TRUE(json["maybe"].is_null());
  EXPECT_EQ(json["colors"].dump(), R"(["color_red",9])");
  EXPECT_EQ(json["times"].dump(), R"(["1969-12-31T23:59:59.000Z"])");
}

TEST(DecodeJson, RoundTripsTheRealMessages) {
  chat::v1::SendMessageRequest request;
  request.set_room_id("r1");
  request.set_content("héllo ✓");
  request.set_client_msg_id("c-1");
  auto* attachment = request.add_attachments();
  attachment->set_url("https://cdn.example/x.png");
  attachment->set_size_bytes(9007199254740993);
  chat::v1::SendMessageRequest decoded;
  ASSERT_TRUE(DecodeJsonBody(Encoded(request), decoded).ok());
  EXPECT_TRUE(MessageDifferencer::Equals(request, decoded)) << decoded.DebugString();
  EXPECT_TRUE(decoded.has_client_msg_id());

  common::v1::Message message;
  message.set_seq(42);
  *message.mutable_created_at() = At(1795342320, 123000000);
  common::v1::Message message_back;
  ASSERT_TRUE(DecodeJsonBody(Encoded(message), message_back).ok());
  EXPECT_TRUE(MessageDifferencer::Equals(message, message_back));
}

TEST(DecodeJson, RoundTripsEveryFieldKind) {
  test::Kitchen kitchen;
  kitchen.set_text("t");
  kitchen.set_i32(-2147483647 - 1);
  kitchen.set_i64(-9223372036854775807 - 1);
  kitchen.set_u32(4294967295u);
  kitchen.set_u64(18446744073709551615u);
  kitchen.set_flag(true);
  kitchen.set_real(0.1);
  kitchen.set_single(1.5f);
  kitchen.set_blob(std::string("\0\xff", 2));
  kitchen.set_color(test::COLOR_RED);
  *kitchen.mutable_at() = At(1795342320, 123000000);
  kitchen.mutable_inner()->mutable_child()->add_values(5);
  kitchen.add_inners()->set_name("n");
  kitchen.add_tags("x");
  kitchen.add_seqs(1);
  kitchen.set_maybe(0);
  (*kitchen.mutable_counts())["k"] = -1;
  kitchen.set_s64(-9);
  kitchen.set_by_name("b");
  *kitchen.add_times() = At(0, 0);
  kitchen.add_colors(test::COLOR_DARK_BLUE);
  test::Kitchen decoded;
  absl::Status status = DecodeJsonBody(Encoded(kitchen), decoded);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_TRUE(MessageDifferencer::Equals(kitchen, decoded)) << decoded.DebugString();
}

TEST(DecodeJson, NullMeansUnset) {
  chat::v1::SendMessageRequest request;
  ASSERT_TRUE(
      DecodeJsonBody(R"({"content":null,"client_msg_id":null,"attachments":null})", request).ok());
  EXPECT_FALSE(request.has_client_msg_id());
  EXPECT_EQ(request.content(), "");
  auth::v1::LoginRequest login;
  ASSERT_TRUE(DecodeJsonBody(R"({"email":"a@b.c","username":null})", login).ok());
  EXPECT_EQ(login.email(), "a@b.c");
}

TEST(DecodeJson, AcceptsNumbersAndDecimalStringsForIntegers) {
  chat::v1::MarkReadRequest request;
  ASSERT_TRUE(DecodeJsonBody(R"({"seq":"12"})", request).ok());
  EXPECT_EQ(request.seq(), 12);
  ASSERT_TRUE(DecodeJsonBody(R"({"seq":1e3})", request).ok());
  EXPECT_EQ(request.seq(), 1000);
  ASSERT_TRUE(DecodeJsonBody(R"({"seq":-9223372036854775808})", request).ok());
  EXPECT_EQ(request.seq(), std::numeric_limits<int64_t>::min());
  ASSERT_TRUE(DecodeJsonBody(R"({"seq":"9223372036854775807"})", request).ok());
  EXPECT_EQ(request.seq(), std::numeric_limits<int64_t>::max());
}

TEST(DecodeJson, TimestampsAndEnumsFromText) {
  test::Kitchen kitchen;
  ASSERT_TRUE(DecodeJsonBody(R"({"at":"2026-11-22T12:12:00.5+02:00","color":"COLOR_RED",)"
                             R"("colors":["color_dark_blue",1]})",
                             kitchen)
                  .ok());
  EXPECT_EQ(kitchen.at().seconds(), 1795342320);
  EXPECT_EQ(kitchen.at().nanos(), 500000000);
  EXPECT_EQ(kitchen.color(), test::COLOR_RED);
  ASSERT_EQ(kitchen.colors_size(), 2);
  EXPECT_EQ(kitchen.colors(1), test::COLOR_RED);
}

struct DecodeCase {
  std::string body;
  std::string error;  // "field: reason"
};

void PrintTo(const DecodeCase& c, std::ostream* out) { *out << c.body; }

class KitchenDecodeErrors : public ::testing::TestWithParam<DecodeCase> {};

TEST_P(KitchenDecodeErrors, NameTheField) {
  test::Kitchen kitchen;
  EXPECT_EQ(FieldError(DecodeJsonBody(GetParam().body, kitchen)), GetParam().error)
      << GetParam().body;
}

INSTANTIATE_TEST_SUITE_P(
    DecodeJson, KitchenDecodeErrors,
    ::testing::Values(
        DecodeCase{R"({"nick":"x"})", "nick: unknown field"},
        DecodeCase{R"({"Text":"x"})", "Text: unknown field"},
        DecodeCase{R"({"text":5})", "text: must be a string"},
        DecodeCase{R"({"text":["a"]})", "text: must be a string"},
        DecodeCase{R"({"i64":1.5})", "i64: must be an integer"},
        DecodeCase{R"({"i64":"1e3"})", "i64: must be an integer"},
        DecodeCase{R"({"i64":" 12"})", "i64: must be an integer"},
        DecodeCase{R"({"i64":true})", "i64: must be an integer"},
        DecodeCase{R"({"i64":9223372036854775808})",
                   "i64: must be between -9223372036854775808 and 9223372036854775807"},
        DecodeCase{R"({"i64":1e300})", "i64: is out of range"},
        DecodeCase{R"({"i32":2147483648})", "i32: must be between -2147483648 and 2147483647"},
        DecodeCase{R"({"u32":-1})", "u32: must be between 0 and 4294967295"},
        DecodeCase{R"({"flag":"true"})", "flag: must be a boolean"},
        DecodeCase{R"({"flag":1})", "flag: must be a boolean"},
        DecodeCase{R"({"real":"x"})", "real: must be a number"},
        DecodeCase{R"({"single":1e39})", "single: is out of range for a float"},
        DecodeCase{R"({"blob":"***"})", "blob: must be base64"},
        DecodeCase{R"({"color":"green"})",
                   "color: must be one of: color_unspecified, color_red, color_dark_blue"},
        DecodeCase{R"({"color":7})", "color: must be a string"},
        DecodeCase{R"({"color":4294967297})", "color: must be a string"},
        DecodeCase{R"({"real":1e400})", "body: holds a number out of range"},
        DecodeCase{R"({"at":"2026-11-22 10:12:00Z"})",
                   "at: must be an RFC 3339 timestamp, e.g. 2026-11-22T10:12:00.123Z"},
        DecodeCase{R"({"at":1795342320})",
                   "at: must be an RFC 3339 timestamp string, e.g. 2026-11-22T10:12:00.123Z"},
        DecodeCase{R"({"inner":"x"})", "inner: must be a JSON object"},
        DecodeCase{R"({"inner":{"child":{"name":7}}})", "inner.child.name: must be a string"},
        DecodeCase{R"({"inner":{"bogus":1}})", "inner.bogus: unknown field"},
        DecodeCase{R"({"inners":{}})", "inners: must be an array"},
        DecodeCase{R"({"inners":[{},{"values":[1,"x"]}]})",
                   "inners[1].values[1]: must be an integer"},
        DecodeCase{R"({"tags":[null]})", "tags[0]: must not be null"},
        DecodeCase{R"({"times":["nope"]})",
                   "times[0]: must be an RFC 3339 timestamp, e.g. 2026-11-22T10:12:00.123Z"},
        DecodeCase{R"({"counts":[]})", "counts: must be a JSON object"},
        DecodeCase{R"({"counts":{"a":"x"}})", "counts.a: must be an integer"},
        DecodeCase{R"({"text":"a")", "body: malformed JSON near byte 12"},
        DecodeCase{R"([])", "body: must be a JSON object"},
        DecodeCase{R"("text")", "body: must be a JSON object"},
        DecodeCase{"null", "body: must be a JSON object"},
        DecodeCase{"", "body: malformed JSON near byte 1"},
        DecodeCase{"{} {}", "body: malformed JSON near byte 4"},
        DecodeCase{"{\"text\":\"\xc3\x28\"}", "body: invalid UTF-8"},
        DecodeCase{R"({"text":"\ud800"})", "body: malformed JSON near byte 16"}));

TEST(DecodeJson, RealProtoErrorsNameTheContractFields) {
  auth::v1::SignUpRequest signup;
  EXPECT_EQ(FieldError(DecodeJsonBody(R"({"email":5})", signup)), "email: must be a string");
  absl::Status status = DecodeJsonBody(R"({"email":5})", signup);
  EXPECT_EQ(status.message(), "email: must be a string");
  chat::v1::SendMessageRequest send;
  EXPECT_EQ(FieldError(DecodeJsonBody(R"({"attachments":[{"url":5}]})", send)),
            "attachments[0].url: must be a string");
}

TEST(DecodeJson, TwoMembersOfAOneofNameBoth) {
  auth::v1::LoginRequest login;
  absl::Status status =
      DecodeJsonBody(R"({"password":"p","username":"ada","email":"a@b.c"})", login);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  auto details = status::GetErrorDetails(status);
  ASSERT_TRUE(details.has_value());
  ASSERT_EQ(details->field_violations_size(), 2);
  // Object keys are visited in sorted order, so the message is stable.
  EXPECT_EQ(details->field_violations(0).field(), "email");
  EXPECT_EQ(details->field_violations(1).field(), "username");
  EXPECT_EQ(status.message(), "only one of email and username may be set");

  test::Kitchen kitchen;
  EXPECT_FALSE(DecodeJsonBody(R"({"by_name":"a","by_id":1})", kitchen).ok());
  EXPECT_TRUE(DecodeJsonBody(R"({"by_name":"a","by_id":null})", kitchen).ok());
}

std::string NestedInner(int levels) {
  std::string body = R"({"inner":)";
  for (int i = 1; i < levels - 1; ++i) body += R"({"child":)";
  body += "{}";
  for (int i = 1; i < levels; ++i) body += "}";
  return body;
}

TEST(DecodeJson, DepthIsLimited) {
  test::Kitchen kitchen;
  EXPECT_TRUE(DecodeJsonBody(NestedInner(kDefaultMaxJsonDepth), kitchen).ok());
  EXPECT_EQ(FieldError(DecodeJsonBody(NestedInner(kDefaultMaxJsonDepth + 1), kitchen)),
            "body: is nested deeper than 32 levels");
  // Deep arrays are refused while parsing, before any field is looked at.
  std::string arrays = R"({"tags":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  EXPECT_EQ(FieldError(DecodeJsonBody(arrays, kitchen)), "body: is nested deeper than 32 levels");
}

TEST(DecodeJson, DecodesParsedObjectsToo) {
  auth::v1::SignUpRequest signup;
  ASSERT_TRUE(DecodeJsonObject(nlohmann::json{{"username", "ada"}}, signup).ok());
  EXPECT_EQ(signup.username(), "ada");
  EXPECT_EQ(FieldError(DecodeJsonObject(nlohmann::json::array(), signup)),
            "body: must be a JSON object");
}

// Random byte edits of valid bodies: the decoder must answer OK or INVALID_ARGUMENT with a
// field detail, never crash, throw or hang, and the error envelope must render.
TEST(DecodeJsonFuzz, MutatedBodiesNeverCrash) {
  const std::vector<std::string> seeds = {
      R"({"username":"ada","email":"ada@example.com","password":"correct horse"})",
      R"({"content":"héllo ✓","client_msg_id":"c-1","attachments":[{"url":"https://x/y",)"
      R"("content_type":"image/png","size_bytes":12,"name":"y"}]})",
      R"({"text":"t","i32":-5,"i64":"9007199254740993","u64":18446744073709551615,"flag":true,)"
      R"("real":0.5,"blob":"aGk=","color":"color_red","at":"2026-11-22T10:12:00.123Z",)"
      R"("inner":{"child":{"values":[1,2]}},"tags":["a"],"counts":{"k":1},"by_id":2,)"
      R"("times":["1970-01-01T00:00:00Z"],"maybe":null})",
  };
  const std::string alphabet = "{}[]\":,.-+0123456789eEtrufalsn\\u \xc3\xa9\xff\x00";
  std::mt19937 random(20261122);
  int decoded = 0;
  for (int iteration = 0; iteration < 30000; ++iteration) {
    std::string body = seeds[iteration % seeds.size()];
    int edits = 1 + static_cast<int>(random() % 4);
    for (int e = 0; e < edits && !body.empty(); ++e) {
      size_t at = random() % body.size();
      char c = alphabet[random() % alphabet.size()];
      switch (random() % 4) {
        case 0:
          body[at] = c;
          break;
        case 1:
          body.insert(body.begin() + at, c);
          break;
        case 2:
          body.erase(at, 1 + random() % 3);
          break;
        case 3:
          body.resize(at);
          break;
      }
    }
    std::unique_ptr<google::protobuf::Message> message;
    switch (iteration % seeds.size()) {
      case 0:
        message = std::make_unique<auth::v1::SignUpRequest>();
        break;
      case 1:
        message = std::make_unique<chat::v1::SendMessageRequest>();
        break;
      default:
        message = std::make_unique<test::Kitchen>();
        break;
    }
    absl::Status status = DecodeJsonBody(body, *message);
    if (status.ok()) {
      ++decoded;
      EXPECT_NO_THROW(Encoded(*message));
      continue;
    }
    ASSERT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status << "\n" << body;
    auto details = status::GetErrorDetails(status);
    ASSERT_TRUE(details && details->field_violations_size() >= 1) << status << "\n" << body;
    EXPECT_NO_THROW(status::ErrorEnvelopeJson(status, "r"));
  }
  EXPECT_GT(decoded, 100);  // Some mutations stay valid, so the success path is fuzzed too.
}

}  // namespace
}  // namespace chatter::gateway
