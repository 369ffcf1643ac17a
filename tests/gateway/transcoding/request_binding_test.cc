// Tests request binding: the hand-written query-string parser (edge cases and a seeded fuzz),
// path parameter extraction, and building request messages from path, query and body.
#include "gateway/transcoding/request_binding.h"

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "chatter/auth/v1/auth.pb.h"
#include "chatter/chat/v1/chat.pb.h"
#include "libs/status/error_details.h"
#include "transcoding_test.pb.h"

namespace chatter::gateway {
namespace {

// The field details of an INVALID_ARGUMENT as "field: reason" lines, or the status text.
std::string FieldErrors(const absl::Status& status) {
  if (status.code() != absl::StatusCode::kInvalidArgument) return status.ToString();
  auto details = status::GetErrorDetails(status);
  if (!details) return "no details";
  std::string out;
  for (const auto& violation : details->field_violations()) {
    absl::StrAppend(&out, out.empty() ? "" : "\n", violation.field(), ": ", violation.reason());
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> Pairs(absl::string_view query) {
  absl::StatusOr<std::vector<QueryParam>> params = ParseQueryString(query);
  EXPECT_TRUE(params.ok()) << query << ": " << params.status();
  std::vector<std::pair<std::string, std::string>> out;
  if (params.ok()) {
    for (auto& param : *params) out.emplace_back(param.name, param.value);
  }
  return out;
}

using PairList = std::vector<std::pair<std::string, std::string>>;

TEST(PercentDecode, DecodesEscapesAndOptionallyPlus) {
  EXPECT_EQ(*PercentDecode("%41%62%2f%2F", false), "Ab//");
  EXPECT_EQ(*PercentDecode("a+b%2B", true), "a b+");
  EXPECT_EQ(*PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(*PercentDecode("%00", false), std::string(1, '\0'));
  EXPECT_EQ(*PercentDecode("", false), "");
  for (const char* bad : {"%", "%4", "%zz", "%4g", "a%", "%%41"}) {
    EXPECT_FALSE(PercentDecode(bad, true).ok()) << bad;
  }
}

TEST(ParseQueryString, EdgeCases) {
  EXPECT_EQ(Pairs(""), PairList{});
  EXPECT_EQ(Pairs("&&&"), PairList{});
  EXPECT_EQ(Pairs("a=1&b=2"), (PairList{{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(Pairs("flag"), (PairList{{"flag", ""}}));
  EXPECT_EQ(Pairs("a="), (PairList{{"a", ""}}));
  EXPECT_EQ(Pairs("&a=1&&b=2&"), (PairList{{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(Pairs("a=b=c"), (PairList{{"a", "b=c"}}));
  EXPECT_EQ(Pairs("a+b=c+d%20e"), (PairList{{"a b", "c d e"}}));
  EXPECT_EQ(Pairs("email=ada%2Btag%40example.com"), (PairList{{"email", "ada+tag@example.com"}}));
  EXPECT_EQ(Pairs("t=a&t=b&t=a"), (PairList{{"t", "a"}, {"t", "b"}, {"t", "a"}}));
  EXPECT_EQ(Pairs("%C3%A9=%E2%9C%93"), (PairList{{"é", "✓"}}));
  EXPECT_EQ(Pairs("a=1;b=2"), (PairList{{"a", "1;b=2"}}));  // ';' is not a separator.

  EXPECT_EQ(FieldErrors(ParseQueryString("=x").status()), "query: a parameter has no name");
  EXPECT_EQ(FieldErrors(ParseQueryString("a=%zz").status()), "query: malformed percent-encoding");
  EXPECT_EQ(FieldErrors(ParseQueryString("a%=1").status()), "query: malformed percent-encoding");
  EXPECT_EQ(FieldErrors(ParseQueryString("%FF=1").status()), "query: invalid UTF-8");
  // Values may hold any bytes here; the field they bind to decides (strings must be UTF-8).
  EXPECT_EQ(Pairs("a=%FF"), (PairList{{"a", "\xff"}}));
}

// Percent-encodes every byte outside the unreserved set, so any text survives a round trip.
std::string Encode(absl::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      absl::StrAppend(&out, "%", absl::Hex(c, absl::kZeroPad2));
    }
  }
  return out;
}

TEST(ParseQueryStringFuzz, RandomInputNeverCrashesAndEncodedParamsRoundTrip) {
  std::mt19937 random(7);
  const std::string alphabet = "ab=&%+2F0zé\xff ";
  for (int iteration = 0; iteration < 20000; ++iteration) {
    // Arbitrary text: must parse or fail with INVALID_ARGUMENT naming "query".
    std::string raw;
    for (size_t i = random() % 24; i > 0; --i) raw.push_back(alphabet[random() % alphabet.size()]);
    absl::StatusOr<std::vector<QueryParam>> parsed = ParseQueryString(raw);
    if (!parsed.ok()) {
      ASSERT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << raw;
      ASSERT_EQ(status::GetErrorDetails(parsed.status())->field_violations(0).field(), "query");
    }
    // Encoded random params: parse back to exactly what was encoded.
    std::vector<QueryParam> params;
    std::string query;
    for (size_t n = random() % 4; n > 0; --n) {
      QueryParam param;
      for (size_t i = 1 + random() % 6; i > 0; --i) param.name.push_back('a' + random() % 3);
      for (size_t i = random() % 8; i > 0; --i) param.value.push_back(static_cast<char>(random()));
      absl::StrAppend(&query, query.empty() ? "" : "&", Encode(param.name), "=",
                      Encode(param.value));
      params.push_back(std::move(param));
    }
    absl::StatusOr<std::vector<QueryParam>> back = ParseQueryString(query);
    ASSERT_TRUE(back.ok()) << query << ": " << back.status();
    ASSERT_EQ(back->size(), params.size()) << query;
    for (size_t i = 0; i < params.size(); ++i) {
      EXPECT_EQ((*back)[i].name, params[i].name);
      EXPECT_EQ((*back)[i].value, params[i].value);
    }
  }
}

TEST(ExtractPathParams, DecodesEachParameter) {
  auto params = ExtractPathParams("/v1/rooms/{room_id}/messages/{message_id}",
                                  "/v1/rooms/r%201/messages/m+2");
  ASSERT_TRUE(params.ok()) << params.status();
  EXPECT_EQ(params->at("room_id"), "r 1");
  EXPECT_EQ(params->at("message_id"), "m+2");  // '+' is only a space in query strings.
  EXPECT_EQ(FieldErrors(ExtractPathParams("/v1/users/{user_id}", "/v1/users/%zz").status()),
            "user_id: malformed percent-encoding");
  EXPECT_EQ(ExtractPathParams("/v1/users/{user_id}", "/v1/users").status().code(),
            absl::StatusCode::kInternal);
}

RouteSpec QueryRoute() {
  RouteSpec route;
  route.body = "";
  return route;
}

RouteSpec BodyRoute() {
  RouteSpec route;
  route.body = "*";
  return route;
}

TEST(BindRequest, QueryAndPathBindListMessages) {
  chat::v1::ListMessagesRequest request;
  ASSERT_TRUE(BindRequest(QueryRoute(), {{"room_id", "r1"}}, "limit=20&before=9007199254740993", "",
                          request)
                  .ok());
  EXPECT_EQ(request.room_id(), "r1");
  EXPECT_EQ(request.limit(), 20);
  EXPECT_TRUE(request.has_before());
  EXPECT_EQ(request.before(), 9007199254740993);
  EXPECT_FALSE(request.has_after());
}

TEST(BindRequest, QueryErrorsNameTheParameter) {
  auto errors = [](absl::string_view query) {
    chat::v1::ListMessagesRequest request;
    return FieldErrors(BindRequest(QueryRoute(), {{"room_id", "r1"}}, query, "", request));
  };
  EXPECT_EQ(errors("limit=abc"), "limit: must be an integer");
  EXPECT_EQ(errors("limit=99999999999"), "limit: must be between -2147483648 and 2147483647");
  EXPECT_EQ(errors("before=1&before=2"), "before: is given more than once");
  EXPECT_EQ(errors("sort=asc"), "sort: unknown query parameter");
  EXPECT_EQ(errors("limit="), "limit: must be an integer");
  EXPECT_EQ(errors("a%zz"), "query: malformed percent-encoding");
}

TEST(BindRequest, QueryOneofAndRepeatedFields) {
  auth::v1::LookupUserRequest lookup;
  ASSERT_TRUE(BindRequest(QueryRoute(), {}, "email=ada%2Btag%40example.com", "", lookup).ok());
  EXPECT_EQ(lookup.email(), "ada+tag@example.com");
  auth::v1::LookupUserRequest both;
  EXPECT_EQ(FieldErrors(BindRequest(QueryRoute(), {}, "email=a&username=b", "", both)),
            "email: only one of email and username may be set\n"
            "username: only one of email and username may be set");

  test::Kitchen kitchen;
  ASSERT_TRUE(BindRequest(QueryRoute(), {},
                          "tags=a&tags=b%20c&seqs=1&seqs=-2&flag=true&color=color_red&"
                          "at=2026-11-22T10:12:00.123Z&times=1970-01-01T00:00:00Z",
                          "", kitchen)
                  .ok());
  EXPECT_EQ(kitchen.tags_size(), 2);
  EXPECT_EQ(kitchen.tags(1), "b c");
  EXPECT_EQ(kitchen.seqs(1), -2);
  EXPECT_TRUE(kitchen.flag());
  EXPECT_EQ(kitchen.color(), test::COLOR_RED);
  EXPECT_EQ(kitchen.at().nanos(), 123000000);
  EXPECT_EQ(kitchen.times_size(), 1);
  test::Kitchen refused;
  EXPECT_EQ(FieldErrors(BindRequest(QueryRoute(), {}, "inner=x", "", refused)),
            "inner: cannot be given as a query parameter");
  EXPECT_EQ(FieldErrors(BindRequest(QueryRoute(), {}, "counts=x", "", refused)),
            "counts: cannot be given as a query parameter");
  EXPECT_EQ(FieldErrors(BindRequest(QueryRoute(), {}, "text=%FF", "", refused)),
            "text: invalid UTF-8");
}

TEST(BindRequest, PathParamsAreTypedAndWin) {
  test::Kitchen kitchen;
  ASSERT_TRUE(BindRequest(QueryRoute(), {{"i64", "-42"}, {"text", "from-path"}}, "text=from-query",
                          "", kitchen)
                  .ok());
  EXPECT_EQ(kitchen.i64(), -42);
  EXPECT_EQ(kitchen.text(), "from-path");
  test::Kitchen bad;
  EXPECT_EQ(FieldErrors(BindRequest(QueryRoute(), {{"i64", "12x"}}, "", "", bad)),
            "i64: must be an integer");

  chat::v1::SendMessageRequest send;
  ASSERT_TRUE(BindRequest(BodyRoute(), {{"room_id", "path-room"}}, "",
                          R"({"room_id":"body-room","content":"hi"})", send)
                  .ok());
  EXPECT_EQ(send.room_id(), "path-room");
  EXPECT_EQ(send.content(), "hi");
}

TEST(BindRequest, BodyRoutes) {
  chat::v1::SendMessageRequest empty;
  ASSERT_TRUE(BindRequest(BodyRoute(), {{"room_id", "r"}}, "", "", empty).ok());
  ASSERT_TRUE(BindRequest(BodyRoute(), {{"room_id", "r"}}, "", " \r\n", empty).ok());
  EXPECT_EQ(empty.room_id(), "r");
  chat::v1::SendMessageRequest bad;
  EXPECT_EQ(FieldErrors(BindRequest(BodyRoute(), {}, "", R"({"content":1})", bad)),
            "content: must be a string");
  EXPECT_EQ(FieldErrors(BindRequest(BodyRoute(), {}, "", "{", bad)),
            "body: malformed JSON near byte 2");
  EXPECT_EQ(FieldErrors(BindRequest(BodyRoute(), {}, "content=x", "{}", bad)),
            "content: query parameters are not accepted here; send a JSON body");
  // A route without a body ignores one (clients sometimes send "{}" with a POST).
  chat::v1::JoinRoomRequest join;
  ASSERT_TRUE(BindRequest(QueryRoute(), {{"room_id", "r"}}, "", "{not json", join).ok());
}

}  // namespace
}  // namespace chatter::gateway
