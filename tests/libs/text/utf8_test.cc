// Tests for UTF-8 validation and code point counting.
#include "libs/text/utf8.h"

#include <gtest/gtest.h>

namespace chatter::text {
namespace {

TEST(CountCodePoints, CountsCharactersNotBytes) {
  EXPECT_EQ(CountCodePoints(""), 0);
  EXPECT_EQ(CountCodePoints("hello"), 5);
  EXPECT_EQ(CountCodePoints("h\xc3\xa9llo"), 5);        // é
  EXPECT_EQ(CountCodePoints("\xe2\x82\xac"), 1);        // €
  EXPECT_EQ(CountCodePoints("\xf0\x9f\x98\x80 x"), 3);  // 😀, space, x
}

TEST(CountCodePoints, RejectsInvalidUtf8) {
  EXPECT_EQ(CountCodePoints("\xff"), -1);              // never valid
  EXPECT_EQ(CountCodePoints("\xc3"), -1);              // truncated
  EXPECT_EQ(CountCodePoints("\xc0\xaf"), -1);          // overlong '/'
  EXPECT_EQ(CountCodePoints("\xed\xa0\x80"), -1);      // surrogate U+D800
  EXPECT_EQ(CountCodePoints("\xf4\x90\x80\x80"), -1);  // past U+10FFFF
  EXPECT_EQ(CountCodePoints("a\x80"), -1);             // stray continuation
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));
  EXPECT_TRUE(IsValidUtf8("plain"));
}

}  // namespace
}  // namespace chatter::text
