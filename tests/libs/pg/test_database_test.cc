// Unit tests for the test helper's URL rewriting, which every integration suite relies on.
#include "tests/libs/pg/test_database.h"

#include <gtest/gtest.h>

namespace chatter::pg {
namespace {

TEST(UrlWithDatabaseTest, ReplacesThePathOfAUrl) {
  EXPECT_EQ(UrlWithDatabase("postgresql://postgres@127.0.0.1:55432/postgres", "t1"),
            "postgresql://postgres@127.0.0.1:55432/t1");
  EXPECT_EQ(UrlWithDatabase("postgres://u:p@h/db?sslmode=disable", "t1"),
            "postgres://u:p@h/t1?sslmode=disable");
}

TEST(UrlWithDatabaseTest, AddsAPathWhenThereIsNone) {
  EXPECT_EQ(UrlWithDatabase("postgresql://u@h:5432", "t1"), "postgresql://u@h:5432/t1");
  EXPECT_EQ(UrlWithDatabase("postgresql://u@h?sslmode=disable", "t1"),
            "postgresql://u@h/t1?sslmode=disable");
}

TEST(UrlWithDatabaseTest, AppendsToKeywordStrings) {
  EXPECT_EQ(UrlWithDatabase("host=h user=postgres", "t1"), "host=h user=postgres dbname=t1");
}

}  // namespace
}  // namespace chatter::pg
