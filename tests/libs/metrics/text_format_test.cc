// Unit tests for the exposition-format pieces: number layout, escaping, sample lines.
#include "libs/metrics/text_format.h"

#include <gtest/gtest.h>

#include <limits>

namespace chatter::metrics {
namespace {

TEST(FormatValueTest, LaysOutNumbersAsGoClientsDo) {
  EXPECT_EQ(FormatValue(0), "0");
  EXPECT_EQ(FormatValue(1), "1");
  EXPECT_EQ(FormatValue(-2.5), "-2.5");
  EXPECT_EQ(FormatValue(0.0005), "0.0005");
  EXPECT_EQ(FormatValue(0.0001), "0.0001");
  EXPECT_EQ(FormatValue(0.00001), "1e-05");
  EXPECT_EQ(FormatValue(123456), "123456");
  EXPECT_EQ(FormatValue(1e6), "1e+06");
  EXPECT_EQ(FormatValue(1234567), "1.234567e+06");
  EXPECT_EQ(FormatValue(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::lowest()), "-1.7976931348623157e+308");
}

TEST(EscapeTest, LabelValuesEscapeBackslashQuoteAndNewline) {
  EXPECT_EQ(EscapeLabelValue("plain"), "plain");
  EXPECT_EQ(EscapeLabelValue("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(EscapeLabelValue("tab\tand ünïcode"), "tab\tand ünïcode");
}

TEST(EscapeTest, HelpEscapesBackslashAndNewlineButNotQuotes) {
  EXPECT_EQ(EscapeHelp("a\\b\"c\nd"), "a\\\\b\"c\\nd");
}

TEST(AppendSampleTest, WritesNameLabelsLeAndValue) {
  std::string out;
  AppendSample(out, "m", {}, std::nullopt, "1");
  AppendSample(out, "m", {{"a", "x"}, {"b", "y"}}, std::nullopt, "2");
  AppendSample(out, "m_bucket", {}, "0.5", "3");
  AppendSample(out, "m_bucket", {{"a", "x"}}, "+Inf", "4");
  EXPECT_EQ(out,
            "m 1\n"
            "m{a=\"x\",b=\"y\"} 2\n"
            "m_bucket{le=\"0.5\"} 3\n"
            "m_bucket{a=\"x\",le=\"+Inf\"} 4\n");
}

}  // namespace
}  // namespace chatter::metrics
