// Tests the scalar conversions shared by the JSON codec and request binding: strict integers,
// RFC 3339 timestamps with milliseconds, enum names, and field-naming errors.
#include "gateway/transcoding/field_values.h"

#include <gtest/gtest.h>

#include <limits>

#include "libs/status/error_details.h"
#include "transcoding_test.pb.h"

namespace chatter::gateway {
namespace {

constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

TEST(ParseSignedDecimal, AcceptsOnlyPlainDecimalsInRange) {
  EXPECT_EQ(*ParseSignedDecimal("0", kInt64Min, kInt64Max), 0);
  EXPECT_EQ(*ParseSignedDecimal("-0", kInt64Min, kInt64Max), 0);
  EXPECT_EQ(*ParseSignedDecimal("0042", kInt64Min, kInt64Max), 42);
  EXPECT_EQ(*ParseSignedDecimal("9223372036854775807", kInt64Min, kInt64Max), kInt64Max);
  EXPECT_EQ(*ParseSignedDecimal("-9223372036854775808", kInt64Min, kInt64Max), kInt64Min);
  EXPECT_EQ(*ParseSignedDecimal("-2147483648", INT32_MIN, INT32_MAX), INT32_MIN);
  for (const char* bad : {"", "-", "+1", " 1", "1 ", "1.0", "1e3", "0x10", "--1", "1-", "١"}) {
    auto parsed = ParseSignedDecimal(bad, kInt64Min, kInt64Max);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().message(), "must be an integer") << bad;
  }
  for (const char* big : {"9223372036854775808", "-9223372036854775809", "99999999999999999999999",
                          "18446744073709551616"}) {
    auto parsed = ParseSignedDecimal(big, kInt64Min, kInt64Max);
    ASSERT_FALSE(parsed.ok()) << big;
    EXPECT_EQ(parsed.status().message(),
              "must be between -9223372036854775808 and 9223372036854775807");
  }
  EXPECT_EQ(ParseSignedDecimal("2147483648", INT32_MIN, INT32_MAX).status().message(),
            "must be between -2147483648 and 2147483647");
}

TEST(ParseUnsignedDecimal, RefusesNegativesAndOverflow) {
  EXPECT_EQ(*ParseUnsignedDecimal("18446744073709551615", UINT64_MAX), UINT64_MAX);
  EXPECT_EQ(*ParseUnsignedDecimal("-0", UINT32_MAX), 0u);
  EXPECT_EQ(ParseUnsignedDecimal("-1", UINT32_MAX).status().message(),
            "must be between 0 and 4294967295");
  EXPECT_EQ(ParseUnsignedDecimal("4294967296", UINT32_MAX).status().message(),
            "must be between 0 and 4294967295");
  EXPECT_EQ(ParseUnsignedDecimal("18446744073709551616", UINT64_MAX).status().message(),
            "must be between 0 and 18446744073709551615");
  EXPECT_EQ(ParseUnsignedDecimal("-x", UINT32_MAX).status().message(), "must be an integer");
}

TEST(FormatTimestamp, AlwaysThreeFractionalDigitsInUtc) {
  EXPECT_EQ(FormatTimestamp(1795342320, 123000000), "2026-11-22T10:12:00.123Z");
  EXPECT_EQ(FormatTimestamp(1795342320, 0), "2026-11-22T10:12:00.000Z");
  EXPECT_EQ(FormatTimestamp(1795342320, 999999999), "2026-11-22T10:12:00.999Z");  // Truncated.
  EXPECT_EQ(FormatTimestamp(0, 1000000), "1970-01-01T00:00:00.001Z");
  EXPECT_EQ(FormatTimestamp(-1, 500000000), "1969-12-31T23:59:59.500Z");
  EXPECT_EQ(FormatTimestamp(-62135596800, 0), "0001-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatTimestamp(253402300799, 0), "9999-12-31T23:59:59.000Z");
}

TEST(ParseTimestamp, AcceptsRfc3339AndNormalisesToUtc) {
  auto utc = ParseTimestamp("2026-11-22T10:12:00.123Z");
  ASSERT_TRUE(utc.ok()) << utc.status();
  EXPECT_EQ(utc->seconds, 1795342320);
  EXPECT_EQ(utc->nanos, 123000000);
  auto offset = ParseTimestamp("2026-11-22T12:12:00+02:00");
  ASSERT_TRUE(offset.ok()) << offset.status();
  EXPECT_EQ(offset->seconds, 1795342320);
  EXPECT_EQ(offset->nanos, 0);
  auto lower = ParseTimestamp("2026-11-22t10:12:00.000000001z");
  ASSERT_TRUE(lower.ok()) << lower.status();
  EXPECT_EQ(lower->nanos, 1);
  auto negative_offset = ParseTimestamp("2026-11-22T05:12:00.5-05:00");
  ASSERT_TRUE(negative_offset.ok()) << negative_offset.status();
  EXPECT_EQ(negative_offset->seconds, 1795342320);
  EXPECT_EQ(negative_offset->nanos, 500000000);
}

TEST(ParseTimestamp, RefusesAnythingElse) {
  for (const char* bad :
       {"", "2026-11-22", "2026-11-22T10:12:00", "2026-11-22 10:12:00Z", " 2026-11-22T10:12:00Z",
        "2026-11-22T10:12:00Z ", "2026-11-22T10:12:00.Z", "2026-11-22T10:12:00.1234567890Z",
        "2026-13-22T10:12:00Z", "2026-11-32T10:12:00Z", "2026-11-22T25:12:00Z",
        "2026-11-22T10:12:00+0200", "2026-11-22T10:12:00+02", "+2026-11-22T10:12:00Z",
        "20261-11-22T10:12:00Z", "1795342320"}) {
    EXPECT_FALSE(ParseTimestamp(bad).ok()) << bad;
  }
  EXPECT_EQ(ParseTimestamp("0000-12-31T23:59:59Z").status().message(),
            "must be between years 0001 and 9999");
  EXPECT_FALSE(ParseTimestamp("9999-12-31T23:59:59-01:00").ok());
}

TEST(EnumNames, PrintLowerCaseAndMatchAnyCase) {
  const auto* color = test::Color_descriptor();
  EXPECT_EQ(EnumJsonName(color->FindValueByNumber(2)), "color_dark_blue");
  EXPECT_EQ(FindEnumValue(color, "color_dark_blue")->number(), 2);
  EXPECT_EQ(FindEnumValue(color, "COLOR_RED")->number(), 1);
  EXPECT_EQ(FindEnumValue(color, "red"), nullptr);
}

TEST(SetFieldFromText, ConvertsEachKindAndNamesThePathOnError) {
  test::Kitchen kitchen;
  const auto* type = kitchen.GetDescriptor();
  auto set = [&](const char* field, const char* text) {
    return SetFieldFromText(kitchen, type->FindFieldByName(field), text, field);
  };
  ASSERT_TRUE(set("text", "héllo").ok());
  ASSERT_TRUE(set("i32", "-7").ok());
  ASSERT_TRUE(set("i64", "9007199254740993").ok());
  ASSERT_TRUE(set("u64", "18446744073709551615").ok());
  ASSERT_TRUE(set("flag", "true").ok());
  ASSERT_TRUE(set("real", "2.5").ok());
  ASSERT_TRUE(set("blob", "aGk=").ok());
  ASSERT_TRUE(set("color", "Color_Red").ok());
  ASSERT_TRUE(set("at", "2026-11-22T10:12:00.123Z").ok());
  ASSERT_TRUE(set("tags", "a").ok());
  ASSERT_TRUE(set("tags", "b").ok());
  ASSERT_TRUE(set("s64", "-5").ok());
  EXPECT_EQ(kitchen.text(), "héllo");
  EXPECT_EQ(kitchen.i32(), -7);
  EXPECT_EQ(kitchen.i64(), 9007199254740993);
  EXPECT_EQ(kitchen.u64(), UINT64_MAX);
  EXPECT_TRUE(kitchen.flag());
  EXPECT_EQ(kitchen.real(), 2.5);
  EXPECT_EQ(kitchen.blob(), "hi");
  EXPECT_EQ(kitchen.color(), test::COLOR_RED);
  EXPECT_EQ(kitchen.at().seconds(), 1795342320);
  EXPECT_EQ(kitchen.tags_size(), 2);
  EXPECT_EQ(kitchen.s64(), -5);

  absl::Status bad = set("flag", "yes");
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.message(), "flag: must be true or false");
  auto details = status::GetErrorDetails(bad);
  ASSERT_TRUE(details.has_value());
  EXPECT_EQ(details->field_violations(0).field(), "flag");
  EXPECT_EQ(details->field_violations(0).reason(), "must be true or false");
  EXPECT_EQ(set("text", "\xff").message(), "text: invalid UTF-8");
  EXPECT_EQ(set("color", "green").message(),
            "color: must be one of: color_unspecified, color_red, color_dark_blue");
  EXPECT_EQ(set("inner", "x").message(), "inner: cannot be given as text");
  EXPECT_EQ(set("real", "1,5").message(), "real: must be a number");
  EXPECT_EQ(set("single", "1e39").message(), "single: is out of range for a float");
  EXPECT_EQ(set("blob", "!!").message(), "blob: must be base64");
}

TEST(OneofConflictError, NamesBothFields) {
  absl::Status conflict = OneofConflictError("email", "username");
  EXPECT_EQ(conflict.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(conflict.message(), "only one of email and username may be set");
  auto details = status::GetErrorDetails(conflict);
  ASSERT_TRUE(details.has_value());
  ASSERT_EQ(details->field_violations_size(), 2);
  EXPECT_EQ(details->field_violations(0).field(), "email");
  EXPECT_EQ(details->field_violations(1).field(), "username");
}

}  // namespace
}  // namespace chatter::gateway
