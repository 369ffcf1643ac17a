// Tests identity header handling: Authorization Bearer, X-Auth-Token, and their conflicts.
#include "gateway/transcoding/access_token.h"

#include <gtest/gtest.h>

#include "libs/status/error_details.h"

namespace chatter::gateway {
namespace {

HttpRequest WithHeaders(std::vector<std::pair<std::string, std::string>> headers) {
  HttpRequest request{boost::beast::http::verb::get, "/v1/me", 11};
  for (auto& [name, value] : headers) request.insert(name, value);  // Repeats kept.
  return request;
}

TEST(AccessToken, NoneIsEmpty) {
  EXPECT_EQ(*AccessTokenFromHeaders(WithHeaders({})), "");
  EXPECT_EQ(*AccessTokenFromHeaders(WithHeaders({{"X-Auth-Token", "  "}})), "");
}

TEST(AccessToken, FromEitherHeader) {
  EXPECT_EQ(*AccessTokenFromHeaders(WithHeaders({{"Authorization", "Bearer a.b.c"}})), "a.b.c");
  EXPECT_EQ(*AccessTokenFromHeaders(WithHeaders({{"Authorization", "bearer   a.b.c "}})), "a.b.c");
  EXPECT_EQ(*AccessTokenFromHeaders(WithHeaders({{"X-Auth-Token", "a.b.c"}})), "a.b.c");
  EXPECT_EQ(*AccessTokenFromHeaders(
                WithHeaders({{"Authorization", "Bearer a.b.c"}, {"X-Auth-Token", "a.b.c"}})),
            "a.b.c");
}

TEST(AccessToken, BothDifferentIs400NamingXAuthToken) {
  absl::StatusOr<std::string> token = AccessTokenFromHeaders(
      WithHeaders({{"Authorization", "Bearer one"}, {"X-Auth-Token", "two"}}));
  ASSERT_EQ(token.status().code(), absl::StatusCode::kInvalidArgument);
  auto details = status::GetErrorDetails(token.status());
  ASSERT_TRUE(details.has_value());
  EXPECT_EQ(details->field_violations(0).field(), "X-Auth-Token");
}

TEST(AccessToken, AHeaderSentTwiceWithDifferentTokensIs400NamingIt) {
  for (const char* header : {"Authorization", "X-Auth-Token"}) {
    std::string prefix = std::string(header) == "Authorization" ? "Bearer " : "";
    absl::StatusOr<std::string> token =
        AccessTokenFromHeaders(WithHeaders({{header, prefix + "one"}, {header, prefix + "two"}}));
    ASSERT_EQ(token.status().code(), absl::StatusCode::kInvalidArgument) << header;
    auto details = status::GetErrorDetails(token.status());
    ASSERT_TRUE(details.has_value());
    EXPECT_EQ(details->field_violations(0).field(), header);
    // The same token twice names one identity: accepted.
    EXPECT_EQ(*AccessTokenFromHeaders(
                  WithHeaders({{header, prefix + "one"}, {header, " " + prefix + "one"}})),
              "one")
        << header;
  }
}

TEST(AccessToken, OtherSchemesAndMalformedTokensAre401) {
  for (const char* authorization : {"Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "Token abc",
                                    "Bearerabc", "Bearer a b", "Bearer \xc3\xa9"}) {
    absl::StatusOr<std::string> token =
        AccessTokenFromHeaders(WithHeaders({{"Authorization", authorization}}));
    EXPECT_EQ(token.status().code(), absl::StatusCode::kUnauthenticated) << authorization;
  }
  EXPECT_EQ(AccessTokenFromHeaders(WithHeaders({{"X-Auth-Token", std::string(9000, 'a')}}))
                .status()
                .code(),
            absl::StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace chatter::gateway
