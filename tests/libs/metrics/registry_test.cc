// Unit tests for Registry: exact exposition text, identity of metrics, concurrency and misuse.
#include "libs/metrics/registry.h"

#include <gtest/gtest.h>

#include <limits>
#include <thread>
#include <vector>

namespace chatter::metrics {
namespace {

TEST(RegistryTest, RendersCounterGaugeAndHistogramExactly) {
  Registry registry;
  registry
      .GetCounter("http_requests_total", "Requests served.", {{"method", "GET"}, {"code", "200"}})
      .Inc(3);
  registry
      .GetCounter("http_requests_total", "Requests served.", {{"method", "POST"}, {"code", "500"}})
      .Inc();
  registry.GetGauge("queue_depth", "Queued jobs.").Set(7.5);
  Histogram& latency =
      registry.GetHistogram("request_seconds", "Latency.", {{"route", "/x"}}, {0.1, 0.5, 1});
  for (double seconds : {0.0625, 0.25, 0.25, 2.0}) latency.Observe(seconds);

  EXPECT_EQ(registry.RenderText(),
            "# HELP http_requests_total Requests served.\n"
            "# TYPE http_requests_total counter\n"
            "http_requests_total{code=\"200\",method=\"GET\"} 3\n"
            "http_requests_total{code=\"500\",method=\"POST\"} 1\n"
            "# HELP queue_depth Queued jobs.\n"
            "# TYPE queue_depth gauge\n"
            "queue_depth 7.5\n"
            "# HELP request_seconds Latency.\n"
            "# TYPE request_seconds histogram\n"
            "request_seconds_bucket{route=\"/x\",le=\"0.1\"} 1\n"
            "request_seconds_bucket{route=\"/x\",le=\"0.5\"} 3\n"
            "request_seconds_bucket{route=\"/x\",le=\"1\"} 3\n"
            "request_seconds_bucket{route=\"/x\",le=\"+Inf\"} 4\n"
            "request_seconds_sum{route=\"/x\"} 2.5625\n"
            "request_seconds_count{route=\"/x\"} 4\n");
}

TEST(RegistryTest, EscapesLabelValuesAndHelp) {
  Registry registry;
  registry
      .GetCounter("odd_total", "Help with \\ and\nnewline and \"quotes\".",
                  {{"path", "C:\\dir \"x\"\nnext"}})
      .Inc();
  EXPECT_EQ(registry.RenderText(),
            "# HELP odd_total Help with \\\\ and\\nnewline and \"quotes\".\n"
            "# TYPE odd_total counter\n"
            "odd_total{path=\"C:\\\\dir \\\"x\\\"\\nnext\"} 1\n");
}

TEST(RegistryTest, RendersSpecialValuesAsPrometheusSpellsThem) {
  Registry registry;
  registry.GetGauge("g", "", {{"v", "inf"}}).Set(std::numeric_limits<double>::infinity());
  registry.GetGauge("g", "", {{"v", "minus_inf"}}).Set(-std::numeric_limits<double>::infinity());
  registry.GetGauge("g", "", {{"v", "nan"}}).Set(std::numeric_limits<double>::quiet_NaN());
  registry.GetGauge("g", "", {{"v", "small"}}).Set(0.0001);
  registry.GetGauge("g", "", {{"v", "big"}}).Set(1e21);
  EXPECT_EQ(registry.RenderText(),
            "# HELP g \n"
            "# TYPE g gauge\n"
            "g{v=\"big\"} 1e+21\n"
            "g{v=\"inf\"} +Inf\n"
            "g{v=\"minus_inf\"} -Inf\n"
            "g{v=\"nan\"} NaN\n"
            "g{v=\"small\"} 0.0001\n");
}

TEST(RegistryTest, ReturnsTheSameMetricForTheSameLabelsInAnyOrder) {
  Registry registry;
  Counter& first = registry.GetCounter("c_total", "C.", {{"a", "1"}, {"b", "2"}});
  Counter& again = registry.GetCounter("c_total", "C.", {{"b", "2"}, {"a", "1"}});
  Counter& other = registry.GetCounter("c_total", "C.", {{"a", "1"}, {"b", "3"}});
  EXPECT_EQ(&first, &again);
  EXPECT_NE(&first, &other);
}

TEST(RegistryTest, CounterIgnoresNegativeAmountsAndGaugeGoesBothWays) {
  Registry registry;
  Counter& counter = registry.GetCounter("c_total", "C.");
  counter.Inc(2.5);
  counter.Inc(-1);
  EXPECT_EQ(counter.Value(), 2.5);
  Gauge& gauge = registry.GetGauge("g", "G.");
  gauge.Inc(5);
  gauge.Dec(2);
  EXPECT_EQ(gauge.Value(), 3);
}

TEST(RegistryTest, HistogramDropsATrailingInfAndPutsNanInTheInfBucket) {
  Registry registry;
  Histogram& histogram =
      registry.GetHistogram("h", "H.", {}, {1, std::numeric_limits<double>::infinity()});
  histogram.Observe(1);  // Bounds are inclusive.
  histogram.Observe(std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(registry.RenderText(),
            "# HELP h H.\n"
            "# TYPE h histogram\n"
            "h_bucket{le=\"1\"} 1\n"
            "h_bucket{le=\"+Inf\"} 2\n"
            "h_sum NaN\n"
            "h_count 2\n");
}

TEST(RegistryTest, CallbackGaugesAreReadAtScrapeTimeAndCanBeReplaced) {
  Registry registry;
  int pool_size = 4;
  registry.AddCallbackGauge("pool_size", "Connections.", {{"pool", "pg"}},
                            [&] { return static_cast<double>(pool_size); });
  pool_size = 6;
  EXPECT_EQ(registry.RenderText(),
            "# HELP pool_size Connections.\n"
            "# TYPE pool_size gauge\n"
            "pool_size{pool=\"pg\"} 6\n");
  registry.AddCallbackGauge("pool_size", "Connections.", {{"pool", "pg"}}, [] { return 1.0; });
  EXPECT_NE(registry.RenderText().find("pool_size{pool=\"pg\"} 1\n"), std::string::npos);
}

TEST(RegistryTest, CallbackMayUseTheRegistryWithoutDeadlock) {
  // Callbacks run outside the registry's lock, so one that touches the registry must not hang.
  Registry registry;
  registry.AddCallbackGauge("depth", "D.", {}, [&registry] {
    return registry.GetCounter("scrapes_total", "S.").Value();
  });
  EXPECT_NE(registry.RenderText().find("depth 0\n"), std::string::npos);
}

TEST(RegistryTest, DefaultLatencyBucketsSpanHalfAMillisecondToTenSeconds) {
  const std::vector<double> buckets = DefaultLatencyBuckets();
  ASSERT_FALSE(buckets.empty());
  EXPECT_EQ(buckets.front(), 0.0005);
  EXPECT_EQ(buckets.back(), 10);
  EXPECT_TRUE(std::is_sorted(buckets.begin(), buckets.end()));
  EXPECT_EQ(std::adjacent_find(buckets.begin(), buckets.end()), buckets.end());
}

TEST(RegistryTest, ConcurrentIncrementsAreExact) {
  Registry registry;
  constexpr int kThreads = 8;
  constexpr int kIncrements = 100'000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&registry] {
      // Each thread looks the metrics up itself, as independent components would.
      Counter& counter = registry.GetCounter("hits_total", "Hits.", {{"shard", "a"}});
      Histogram& histogram = registry.GetHistogram("h", "H.", {}, {0.5});
      for (int i = 0; i < kIncrements; ++i) {
        counter.Inc();
        histogram.Observe(i % 2 == 0 ? 0.25 : 1);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(registry.GetCounter("hits_total", "Hits.", {{"shard", "a"}}).Value(),
            kThreads * kIncrements);
  const Histogram::Snapshot snapshot = registry.GetHistogram("h", "H.", {}, {0.5}).Read();
  EXPECT_EQ(snapshot.cumulative_counts[0], uint64_t{kThreads * kIncrements / 2});
  EXPECT_EQ(snapshot.cumulative_counts[1], uint64_t{kThreads * kIncrements});
  EXPECT_EQ(snapshot.sum, kThreads * kIncrements / 2 * 1.25);
}

class RegistryDeathTest : public ::testing::Test {
 protected:
  // Other tests in this binary start threads; fork-based death tests are only safe re-executed.
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
  Registry registry_;
};

TEST_F(RegistryDeathTest, RejectsInvalidNames) {
  EXPECT_DEATH(registry_.GetCounter("", "E."), "invalid metric name");
  EXPECT_DEATH(registry_.GetCounter("1st_total", "E."), "\"1st_total\": invalid metric name");
  EXPECT_DEATH(registry_.GetCounter("with-dash", "E."), "invalid metric name");
  EXPECT_DEATH(registry_.GetCounter("ok_total", "E.", {{"bad-label", "x"}}),
               "invalid label name \"bad-label\"");
  EXPECT_DEATH(registry_.GetCounter("ok_total", "E.", {{"__reserved", "x"}}), "invalid label name");
  EXPECT_DEATH(registry_.GetCounter("ok_total", "E.", {{"a", "1"}, {"a", "2"}}),
               "label \"a\" repeated");
}

TEST_F(RegistryDeathTest, AcceptsValidNames) {
  registry_.GetCounter("a:b_c9_total", "E.", {{"_x9", "v"}}).Inc();
  registry_.GetGauge(":colon_first", "E.").Set(1);
  SUCCEED();
}

TEST_F(RegistryDeathTest, RejectsOneNameAsTwoTypes) {
  registry_.GetCounter("requests_total", "R.");
  EXPECT_DEATH(registry_.GetGauge("requests_total", "R."),
               "\"requests_total\": already registered as a counter");
  EXPECT_DEATH(registry_.GetHistogram("requests_total", "R.", {}, {1}),
               "already registered as a counter");
  EXPECT_DEATH(registry_.AddCallbackGauge("requests_total", "R.", {}, [] { return 0.0; }),
               "already registered as a counter");
}

TEST_F(RegistryDeathTest, RejectsMixingPlainAndCallbackGaugesOnOneLabelSet) {
  registry_.GetGauge("g", "G.");
  EXPECT_DEATH(registry_.AddCallbackGauge("g", "G.", {}, [] { return 0.0; }),
               "already name a plain gauge");
  registry_.AddCallbackGauge("cb", "G.", {}, [] { return 0.0; });
  EXPECT_DEATH(registry_.GetGauge("cb", "G."), "already name a callback gauge");
  EXPECT_DEATH(registry_.AddCallbackGauge("empty", "G.", {}, nullptr), "without a callback");
}

TEST_F(RegistryDeathTest, RejectsBadBuckets) {
  EXPECT_DEATH(registry_.GetHistogram("h", "H.", {}, {1, 1}), "strictly increasing");
  EXPECT_DEATH(registry_.GetHistogram("h", "H.", {}, {2, 1}), "strictly increasing");
  EXPECT_DEATH(registry_.GetHistogram("h", "H.", {}, {std::numeric_limits<double>::quiet_NaN()}),
               "finite");
  EXPECT_DEATH(registry_.GetHistogram("h", "H.", {{"le", "1"}}, {1}), "\"le\" is reserved");
  registry_.GetHistogram("h", "H.", {}, {1, 2});
  EXPECT_DEATH(registry_.GetHistogram("h", "H.", {{"a", "b"}}, {1, 3}), "other bucket bounds");
}

}  // namespace
}  // namespace chatter::metrics
