// Reaction emoji: any 1-16 code points of valid UTF-8 without white space or control characters,
// so every emoji sequence (skin tones, flags, ZWJ families) is a key; errors name "emoji".
#include "services/chat/domain/emoji.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "libs/status/error_details.h"

namespace chatter::chat {
namespace {

using ::testing::HasSubstr;

std::string FieldOf(const absl::Status& status) {
  auto details = status::GetErrorDetails(status);
  if (!details || details->field_violations().empty()) return "";
  return details->field_violations(0).field();
}

// The reason of the field violation `emoji` is rejected with; fails when it is accepted.
std::string RejectionOf(absl::string_view emoji) {
  absl::StatusOr<std::string> result = NormalizeEmoji(emoji);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(result.status()), "emoji");
  auto details = status::GetErrorDetails(result.status());
  if (!details || details->field_violations().empty()) return "";
  return details->field_violations(0).reason();
}

TEST(EmojiTest, EmojiSequencesAreReturnedUnchanged) {
  for (const char* emoji : {
           "\U0001F44D",                                                              // 👍
           "\U0001F44D\U0001F3FD",                                                    // 👍🏽
           "\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466",              // Family.
           "\U0001F1FA\U0001F1E6",                                                    // Flag UA.
           "\U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F",  // Scotland.
           "\u2764\uFE0F",                                                            // ❤️
           "\U0001F3F3\uFE0F\u200D\U0001F308",  // 🏳️‍🌈
           "+1",
       }) {
    absl::StatusOr<std::string> result = NormalizeEmoji(emoji);
    ASSERT_TRUE(result.ok()) << emoji << ": " << result.status();
    EXPECT_EQ(*result, emoji);
  }
}

TEST(EmojiTest, OneToSixteenCodePoints) {
  std::string sixteen;
  for (int i = 0; i < 16; ++i) sixteen += "\U0001F44D";
  EXPECT_EQ(*NormalizeEmoji(sixteen), sixteen);
  EXPECT_THAT(RejectionOf(sixteen + "\U0001F44D"), HasSubstr("1-16 characters"));
  EXPECT_TRUE(NormalizeEmoji(std::string(16, 'a')).ok());
  EXPECT_THAT(RejectionOf(std::string(17, 'a')), HasSubstr("1-16 characters"));
  EXPECT_THAT(RejectionOf(""), HasSubstr("1-16 characters"));
}

TEST(EmojiTest, WhiteSpaceIsRejected) {
  for (const char* emoji :
       {" ", "\U0001F44D ", " \U0001F44D", "\t", "\n", "\u00A0", "\u3000", "\u1680", "\u2003",
        "\u200A", "\u2028", "\u2029", "\u202F", "\u205F", "\u0085", "\U0001F44D\u00A0\U0001F44D"}) {
    EXPECT_THAT(RejectionOf(emoji), HasSubstr("white space")) << emoji;
  }
}

TEST(EmojiTest, ControlCharactersAreRejected) {
  for (std::string emoji : {std::string("\0", 1), std::string("\U0001F44D\0", 5),
                            std::string("\x01"), std::string("\x1F"), std::string("\x7F"),
                            std::string("\U0001F44D\u0080"), std::string("\u009F")}) {
    EXPECT_THAT(RejectionOf(emoji), HasSubstr("control characters"));
  }
}

TEST(EmojiTest, InvalidUtf8IsRejected) {
  for (const char* emoji : {"\xFF", "\xF0\x9F\x91", "\xC0\xAF", "\xED\xA0\x80", "\x80",
                            "\xF4\x90\x80\x80", "\U0001F44D\xF0"}) {
    EXPECT_THAT(RejectionOf(emoji), HasSubstr("valid UTF-8"));
  }
}

}  // namespace
}  // namespace chatter::chat
