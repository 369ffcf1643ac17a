// Tests for the latency histogram's percentiles.
#include "tools/loadgen/latency_histogram.h"

#include <gtest/gtest.h>

namespace chatter::loadgen {
namespace {

TEST(LatencyHistogramTest, EmptyReportsZero) {
  LatencyHistogram histogram;
  EXPECT_EQ(histogram.count(), 0u);
  EXPECT_EQ(histogram.Percentile(50), 0);
  EXPECT_EQ(histogram.max(), 0);
  EXPECT_EQ(histogram.min(), 0);
  EXPECT_EQ(histogram.mean(), 0);
}

TEST(LatencyHistogramTest, SmallValuesAreExact) {
  LatencyHistogram histogram;
  for (int v = 100; v >= 1; --v) histogram.Record(v);
  EXPECT_EQ(histogram.count(), 100u);
  EXPECT_EQ(histogram.Percentile(50), 50);
  EXPECT_EQ(histogram.Percentile(99), 99);
  EXPECT_EQ(histogram.Percentile(100), 100);
  EXPECT_EQ(histogram.Percentile(0), 1);
  EXPECT_EQ(histogram.min(), 1);
  EXPECT_EQ(histogram.max(), 100);
  EXPECT_DOUBLE_EQ(histogram.mean(), 50.5);
}

TEST(LatencyHistogramTest, LargeValuesAreWithinOnePercent) {
  LatencyHistogram histogram;
  for (int64_t us = 1; us <= 100000; ++us) histogram.Record(us * 1000);  // 1 us .. 100 ms
  EXPECT_NEAR(histogram.Percentile(50), 50'000'000, 500'000);
  EXPECT_NEAR(histogram.Percentile(99), 99'000'000, 990'000);
  EXPECT_GE(histogram.Percentile(99), 99'000'000);  // Reported as the top of the bucket.
  EXPECT_EQ(histogram.max(), 100'000'000);
}

TEST(LatencyHistogramTest, OneOutlierDoesNotMoveP99) {
  LatencyHistogram histogram;
  for (int i = 0; i < 99; ++i) histogram.Record(1'000'000);  // 1 ms
  histogram.Record(1'000'000'000);                           // 1 s
  EXPECT_LE(histogram.Percentile(99), 1'010'000);
  EXPECT_EQ(histogram.Percentile(100), 1'000'000'000);
  EXPECT_EQ(histogram.max(), 1'000'000'000);
}

TEST(LatencyHistogramTest, PercentileNeverExceedsMaxAndNegativesCountAsZero) {
  LatencyHistogram histogram;
  histogram.Record(123'456'789);
  EXPECT_EQ(histogram.Percentile(50), 123'456'789);
  histogram.Record(-5);
  EXPECT_EQ(histogram.min(), 0);
  EXPECT_EQ(histogram.Percentile(50), 0);
}

}  // namespace
}  // namespace chatter::loadgen
