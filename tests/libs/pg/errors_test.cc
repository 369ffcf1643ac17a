// Unit tests for StatusFromException: libpqxx exceptions built by hand, as libpqxx 6 throws them.
#include "libs/pg/errors.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <pqxx/except>
#include <stdexcept>
#include <string>

namespace chatter::pg {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Message(const absl::Status& status) { return std::string(status.message()); }

TEST(StatusFromExceptionTest, UniqueViolationIsAlreadyExistsNamingTheConstraint) {
  const pqxx::unique_violation e(
      "ERROR:  duplicate key value violates unique constraint \"users_email_key\"\n"
      "DETAIL:  Key (email)=(ada@example.com) already exists.\n",
      "INSERT INTO users (email) VALUES ($1)", "23505");
  const absl::Status status = StatusFromException(e, "creating user");
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Message(status),
            "creating user: duplicate key value violates unique constraint \"users_email_key\"");
  EXPECT_TRUE(ViolatesConstraint(status, "users_email_key"));
  EXPECT_FALSE(ViolatesConstraint(status, "users_name_key"));
  // Neither the row values from DETAIL nor the SQL may leak into the status.
  EXPECT_THAT(Message(status), Not(HasSubstr("ada@example.com")));
  EXPECT_THAT(Message(status), Not(HasSubstr("INSERT")));
}

TEST(StatusFromExceptionTest, UniqueViolationWithoutSqlStateIsAlreadyExists) {
  const pqxx::unique_violation e("ERROR:  duplicate key value violates unique constraint \"k\"");
  EXPECT_EQ(StatusFromException(e, "x").code(), absl::StatusCode::kAlreadyExists);
}

TEST(StatusFromExceptionTest, ForeignKeyViolationIsFailedPrecondition) {
  const pqxx::foreign_key_violation e(
      "ERROR:  insert or update on table \"messages\" violates foreign key constraint "
      "\"messages_room_id_fkey\"\nDETAIL:  Key (room_id)=(42) is not present in table \"rooms\".",
      "INSERT ...", "23503");
  const absl::Status status = StatusFromException(e, "posting message");
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(ViolatesConstraint(status, "messages_room_id_fkey"));
}

TEST(StatusFromExceptionTest, CheckNotNullAndDataErrorsAreInvalidArgument) {
  EXPECT_EQ(StatusFromException(pqxx::check_violation("ERROR:  check", "q", "23514"), "x").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(StatusFromException(pqxx::not_null_violation("ERROR:  null", "q", "23502"), "x").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(StatusFromException(pqxx::data_exception("ERROR:  bad uuid", "q", "22P02"), "x").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(StatusFromException(pqxx::check_violation("ERROR:  check"), "x").code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(StatusFromExceptionTest, BrokenConnectionIsUnavailable) {
  const pqxx::broken_connection e("server closed the connection unexpectedly\n");
  const absl::Status status = StatusFromException(e, "listing rooms");
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Message(status), "listing rooms: server closed the connection unexpectedly");
  EXPECT_TRUE(IsBrokenConnection(e));
  EXPECT_TRUE(IsBrokenConnection(pqxx::too_many_connections("too many")));
  EXPECT_FALSE(IsBrokenConnection(pqxx::sql_error("ERROR:  x")));
}

TEST(StatusFromExceptionTest, SerializationFailureAndDeadlockAreAborted) {
  EXPECT_EQ(
      StatusFromException(pqxx::serialization_failure("ERROR:  could not serialize"), "x").code(),
      absl::StatusCode::kAborted);
  EXPECT_EQ(StatusFromException(pqxx::deadlock_detected("ERROR:  deadlock detected"), "x").code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(StatusFromException(pqxx::sql_error("ERROR:  lock timeout", "q", "55P03"), "x").code(),
            absl::StatusCode::kAborted);
}

TEST(StatusFromExceptionTest, StatementTimeoutIsDeadlineExceeded) {
  const pqxx::sql_error e("ERROR:  canceling statement due to statement timeout\n",
                          "SELECT pg_sleep(10)", "57014");
  const absl::Status status = StatusFromException(e, "searching");
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(Message(status), "searching: canceling statement due to statement timeout");
}

TEST(StatusFromExceptionTest, InDoubtCommitIsUnknown) {
  EXPECT_EQ(StatusFromException(pqxx::in_doubt_error("lost connection during commit"), "x").code(),
            absl::StatusCode::kUnknown);
}

TEST(StatusFromExceptionTest, OtherSqlErrorsAreInternalWithoutTheSql) {
  const pqxx::syntax_error e(
      "ERROR:  syntax error at or near \"FORM\"\nLINE 1: SELECT secret FORM users\n"
      "                      ^\n",
      "SELECT secret FORM users", "42601");
  const absl::Status status = StatusFromException(e, "loading");
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(Message(status), "loading: syntax error at or near \"FORM\"");
}

TEST(StatusFromExceptionTest, NonDatabaseExceptionsAreInternal) {
  const absl::Status status = StatusFromException(std::runtime_error("boom"), "decoding row");
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(Message(status), "decoding row: boom");
  EXPECT_EQ(StatusFromException(pqxx::conversion_error("not an int"), "x").code(),
            absl::StatusCode::kInternal);
}

TEST(ViolatesConstraintTest, FalseForOkStatus) {
  EXPECT_FALSE(ViolatesConstraint(absl::OkStatus(), "users_email_key"));
}

}  // namespace
}  // namespace chatter::pg
