// Tests for the status <-> gRPC <-> HTTP mapping and the error envelope.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "libs/status/error_details.h"
#include "libs/status/grpc_status.h"
#include "libs/status/http_error.h"
#include "libs/status/status_macros.h"

namespace chatter::status {
namespace {

TEST(HttpStatusFor, FollowsTheApiTable) {
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kOk), 200);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kOutOfRange), 400);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kFailedPrecondition), 400);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kAlreadyExists), 409);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kAborted), 409);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kResourceExhausted), 429);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kCancelled), 499);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kInternal), 500);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kUnknown), 500);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kDataLoss), 500);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kUnimplemented), 501);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kDeadlineExceeded), 504);
}

TEST(CodeName, IsSnakeCase) {
  EXPECT_EQ(CodeName(absl::StatusCode::kInvalidArgument), "invalid_argument");
  EXPECT_EQ(CodeName(absl::StatusCode::kResourceExhausted), "resource_exhausted");
  EXPECT_EQ(CodeName(absl::StatusCode::kUnauthenticated), "unauthenticated");
}

TEST(ErrorEnvelope, NamesTheField) {
  auto body = nlohmann::json::parse(
      ErrorEnvelopeJson(InvalidFieldError("email", "must be a valid email address"), "req-1"));
  EXPECT_EQ(body["error"]["code"], "invalid_argument");
  EXPECT_EQ(body["error"]["message"], "email: must be a valid email address");
  ASSERT_EQ(body["error"]["details"].size(), 1u);
  EXPECT_EQ(body["error"]["details"][0]["field"], "email");
  EXPECT_EQ(body["error"]["details"][0]["reason"], "must be a valid email address");
  EXPECT_EQ(body["request_id"], "req-1");
}

TEST(ErrorEnvelope, HidesInternalMessages) {
  auto body = nlohmann::json::parse(ErrorEnvelopeJson(
      absl::InternalError("syntax error at or near SELECT on db-7.internal"), "r"));
  EXPECT_EQ(body["error"]["code"], "internal");
  EXPECT_EQ(body["error"]["message"], "internal error");
  auto unavailable = nlohmann::json::parse(
      ErrorEnvelopeJson(absl::UnavailableError("connect to 10.0.0.3:50051 failed"), "r"));
  EXPECT_EQ(unavailable["error"]["message"], "service temporarily unavailable");
}

TEST(ErrorEnvelope, SurvivesInvalidUtf8InMessages) {
  auto body = nlohmann::json::parse(
      ErrorEnvelopeJson(absl::NotFoundError(std::string("user \xff\xfe")), "r"));
  EXPECT_EQ(body["error"]["code"], "not_found");
}

TEST(GrpcStatus, RoundTripKeepsCodeMessageAndDetails) {
  absl::Status original = FieldError(absl::StatusCode::kAlreadyExists, "username",
                                     "is already taken", "username is already taken");
  grpc::Status wire = ToGrpcStatus(original);
  EXPECT_EQ(wire.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(wire.error_message(), "username is already taken");
  absl::Status back = FromGrpcStatus(wire);
  EXPECT_EQ(back.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(back.message(), "username is already taken");
  auto details = GetErrorDetails(back);
  ASSERT_TRUE(details.has_value());
  ASSERT_EQ(details->field_violations_size(), 1);
  EXPECT_EQ(details->field_violations(0).field(), "username");
}

TEST(GrpcStatus, OkStaysOk) {
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok());
}

TEST(GrpcStatus, GarbageDetailsAreIgnored) {
  absl::Status back = FromGrpcStatus(grpc::Status(grpc::StatusCode::NOT_FOUND, "x", "\xff\x01"));
  EXPECT_EQ(back.code(), absl::StatusCode::kNotFound);
}

TEST(RetryAfter, ComesFromDetailsOrDefaultsToOne) {
  EXPECT_EQ(RetryAfterSeconds(RateLimitedError("slow down", 7)), 7);
  EXPECT_EQ(RetryAfterSeconds(absl::ResourceExhaustedError("x")), 1);
  EXPECT_EQ(RetryAfterSeconds(absl::NotFoundError("x")), std::nullopt);
}

absl::StatusOr<int> Half(int value) {
  if (value % 2 != 0) return absl::InvalidArgumentError("odd");
  return value / 2;
}

absl::StatusOr<int> Quarter(int value) {
  CHATTER_ASSIGN_OR_RETURN(int half, Half(value));
  CHATTER_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

absl::Status CheckEven(int value) {
  CHATTER_RETURN_IF_ERROR(Half(value).status());
  return absl::OkStatus();
}

TEST(Macros, ReturnEarlyOnError) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_EQ(CheckEven(3).message(), "odd");
}

TEST(DependencyFailure, TransportTroubleKeepsItsCodeTheRestIsInternal) {
  absl::Status down =
      FromDependencyFailure(grpc::Status(grpc::StatusCode::UNAVAILABLE, "gone"), "chat-svc X");
  EXPECT_EQ(down.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(down.message(), "chat-svc X: gone");
  EXPECT_EQ(
      FromDependencyFailure(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, ""), "a").code(),
      absl::StatusCode::kDeadlineExceeded);
  // The dependency refused us (e.g. our service token): never the end user's 401/403.
  absl::Status refused =
      FromDependencyFailure(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "bad"), "auth-svc Y");
  EXPECT_EQ(refused.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(refused.message(), "auth-svc Y: bad");
  // Codes the caller expects are kept when asked for.
  EXPECT_EQ(FromDependencyFailure(grpc::Status(grpc::StatusCode::NOT_FOUND, "no"), "z",
                                  {absl::StatusCode::kNotFound})
                .code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(FromDependencyFailure(grpc::Status(grpc::StatusCode::NOT_FOUND, "no"), "z").code(),
            absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace chatter::status
