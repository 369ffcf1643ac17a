// Tests for the setup's REST retry rule and answer parsing.
#include "tools/loadgen/rest_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace chatter::loadgen {
namespace {

using ::testing::HasSubstr;

HttpResponse Answer(int status, std::optional<int> retry_after = std::nullopt) {
  HttpResponse response;
  response.status = status;
  response.retry_after_seconds = retry_after;
  return response;
}

TEST(RetryDelayTest, RateLimitedWaitsRetryAfter) {
  EXPECT_EQ(RetryDelay(Answer(429, 3), 1), absl::Seconds(3));
  EXPECT_EQ(RetryDelay(Answer(429), 1), absl::Seconds(1));
  EXPECT_EQ(RetryDelay(Answer(429, 0), 1), absl::Milliseconds(100));
  EXPECT_EQ(RetryDelay(Answer(429, 3600), 1), absl::Seconds(30));
  EXPECT_TRUE(RetryDelay(Answer(429, 1), 29).has_value());
  EXPECT_FALSE(RetryDelay(Answer(429, 1), 30).has_value());
}

TEST(RetryDelayTest, UnavailableBacksOffBriefly) {
  HttpResponse dropped;  // status 0: no HTTP answer at all.
  dropped.transport_error = "connect: Connection refused";
  EXPECT_EQ(RetryDelay(dropped, 1), absl::Milliseconds(100));
  EXPECT_EQ(RetryDelay(dropped, 2), absl::Milliseconds(200));
  EXPECT_EQ(RetryDelay(Answer(503), 4), absl::Milliseconds(800));
  EXPECT_FALSE(RetryDelay(Answer(503), 5).has_value());
}

TEST(RetryDelayTest, OtherAnswersAreFinal) {
  for (int status : {200, 201, 400, 401, 403, 404, 409, 500, 504}) {
    EXPECT_FALSE(RetryDelay(Answer(status), 1).has_value()) << status;
  }
}

TEST(StatusFromResponseTest, NamesCallStatusAndEnvelope) {
  HttpResponse response = Answer(409);
  response.body =
      R"({"error":{"code":"already_exists","message":"username is taken"},"request_id":"r"})";
  absl::Status status = StatusFromResponse("POST /v1/auth/signup", response, 201);
  EXPECT_THAT(status.message(), HasSubstr("POST /v1/auth/signup: HTTP 409 already_exists"));
  EXPECT_THAT(status.message(), HasSubstr("username is taken"));
  EXPECT_TRUE(StatusFromResponse("x", Answer(201), 201).ok());
}

TEST(StatusFromResponseTest, ShowsTransportErrorsAndOddBodies) {
  HttpResponse dropped;
  dropped.transport_error = "read: end of stream";
  EXPECT_THAT(StatusFromResponse("GET /x", dropped, 200).message(),
              HasSubstr("GET /x: read: end of stream"));
  HttpResponse odd = Answer(502);
  odd.body = "Bad Gateway";
  EXPECT_THAT(StatusFromResponse("GET /x", odd, 200).message(), HasSubstr("502 Bad Gateway"));
}

TEST(ParseAccountTest, ReadsTokenAndUserId) {
  absl::StatusOr<Account> account =
      ParseAccount(R"({"user":{"id":"u1","username":"a"},"access_token":"t","refresh_token":"r"})");
  ASSERT_TRUE(account.ok()) << account.status();
  EXPECT_EQ(account->user_id, "u1");
  EXPECT_EQ(account->access_token, "t");
  EXPECT_EQ(ParseAccount(R"({"access_token":"t"})").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(ParseAccount("nonsense").status().code(), absl::StatusCode::kDataLoss);
}

TEST(ParseRoomIdTest, ReadsTheId) {
  EXPECT_EQ(ParseRoomId(R"({"id":"r1","name":"x"})").value(), "r1");
  EXPECT_FALSE(ParseRoomId(R"({"name":"x"})").ok());
}

}  // namespace
}  // namespace chatter::loadgen
