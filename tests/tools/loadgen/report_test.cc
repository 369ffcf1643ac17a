// Tests for the run report: the pass rule and what the text and JSON show.
#include "tools/loadgen/report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace chatter::loadgen {
namespace {

using ::testing::HasSubstr;

Report CleanReport() {
  Report report;
  report.users = 10;
  report.rooms = 2;
  report.target_rate = 100;
  report.duration = absl::Seconds(2);
  report.send_elapsed = absl::Seconds(2);
  report.deliveries.sent = 200;
  report.deliveries.acked = 200;
  report.deliveries.expected = 1000;
  report.deliveries.received_unique = 1000;
  report.deliveries.received_total = 1000;
  report.deliveries.delivery_latency.Record(2'000'000);
  report.connections.ready = 10;
  return report;
}

TEST(ReportTest, ACleanRunPasses) {
  Report report = CleanReport();
  EXPECT_EQ(report.Errors(), 0u);
  EXPECT_TRUE(report.Passed(100, 0));
}

TEST(ReportTest, IncompleteDeliveryFailsUnlessRelaxed) {
  Report report = CleanReport();
  report.deliveries.received_unique = 995;  // 99.5 %
  EXPECT_FALSE(report.Passed(100, 0));
  EXPECT_TRUE(report.Passed(99.5, 0));
}

TEST(ReportTest, EveryKindOfErrorCounts) {
  auto errors_after = [](void (*mutate)(Report&)) {
    Report report = CleanReport();
    mutate(report);
    return report.Errors();
  };
  EXPECT_EQ(errors_after([](Report& r) { r.deliveries.send_failed = 2; }), 2u);
  EXPECT_EQ(errors_after([](Report& r) { r.deliveries.unacked = 1; }), 1u);
  EXPECT_EQ(errors_after([](Report& r) { r.deliveries.duplicates = 3; }), 3u);
  EXPECT_EQ(errors_after([](Report& r) { r.deliveries.foreign = 1; }), 1u);
  EXPECT_EQ(errors_after([](Report& r) { r.deliveries.unexpected_replies = 1; }), 1u);
  EXPECT_EQ(errors_after([](Report& r) { r.connections.failed = 4; }), 4u);
  EXPECT_EQ(errors_after([](Report& r) { r.connections.unexpected_closes = 1; }), 1u);
  EXPECT_EQ(errors_after([](Report& r) { r.connections.order_violations = 1; }), 1u);
  EXPECT_EQ(errors_after([](Report& r) { r.connections.unsolicited_errors["x"] = 2; }), 2u);
}

TEST(ReportTest, MaxErrorsRelaxesTheErrorRule) {
  Report report = CleanReport();
  report.connections.unexpected_closes = 2;
  report.connections.close_codes[1008] = 2;
  EXPECT_FALSE(report.Passed(100, 1));
  EXPECT_TRUE(report.Passed(100, 2));
}

TEST(ReportTest, TextShowsTheFiguresAndVerdict) {
  Report report = CleanReport();
  report.connections.unexpected_closes = 1;
  report.connections.close_codes[1013] = 1;
  std::string text = FormatText(report, /*passed=*/false);
  EXPECT_THAT(text, HasSubstr("sent          200 (100.0/s), acked 200"));
  EXPECT_THAT(text, HasSubstr("expected 1000, received 1000 (unique 1000), duplicates 0"));
  EXPECT_THAT(text, HasSubstr("completeness  100.000 %"));
  EXPECT_THAT(text, HasSubstr("p50 2.00"));
  EXPECT_THAT(text, HasSubstr("close codes 1013: 1"));
  EXPECT_THAT(text, HasSubstr("=> FAIL"));
  // Without --watch there is no CPU section (nothing was measured).
  EXPECT_THAT(text, ::testing::Not(HasSubstr("server CPU")));
}

TEST(ReportTest, JsonCarriesTheSameFigures) {
  Report report = CleanReport();
  report.deliveries.send_errors_by_code["resource_exhausted"] = 1;
  nlohmann::json json = ToJson(report, true);
  EXPECT_EQ(json["passed"], true);
  EXPECT_EQ(json["sent"], 200);
  EXPECT_EQ(json["expected_deliveries"], 1000);
  EXPECT_EQ(json["completeness_percent"], 100.0);
  EXPECT_EQ(json["latency"]["samples"], 1);
  EXPECT_DOUBLE_EQ(json["latency"]["p50_ms"].get<double>(), 2.0);
  EXPECT_EQ(json["send_errors_by_code"]["resource_exhausted"], 1);
  EXPECT_EQ(json["errors"], 0);
}

TEST(ReportTest, ServerCpuIsShownPerMessageAndPerDelivery) {
  Report report = CleanReport();  // 200 acked messages, 1000 deliveries.
  report.processes = {{.name = "gateway", .pid = 1, .cpu_seconds = 0.5, .peak_rss_kib = 2048},
                      {.name = "chat-svc", .pid = 2, .cpu_seconds = 0.1, .peak_rss_kib = 1024}};
  std::string text = FormatText(report, true);
  EXPECT_THAT(text, HasSubstr("gateway             0.50 s    2500.0 us/msg  500.00 us/delivery  "
                              "peak RSS 2.0 MiB"));
  EXPECT_THAT(text, HasSubstr("all but gateway     0.10 s     500.0 us/msg  100.00 us/delivery"));
  nlohmann::json json = ToJson(report, true);
  EXPECT_DOUBLE_EQ(json["server_cpu"]["us_per_delivery"].get<double>(), 600.0);
  EXPECT_DOUBLE_EQ(json["server_cpu"]["outside_gateway_us_per_message"].get<double>(), 500.0);
  EXPECT_EQ(json["server_cpu"]["processes"][1]["name"], "chat-svc");
}

TEST(ReportTest, MemoryPerConnectionCountsTheProcessesHoldingSessions) {
  Report report = CleanReport();  // 10 ready connections.
  std::vector<ProcessUsage> before = {{.name = "gateway", .rss_kib = 10'000},
                                      {.name = "realtime-svc", .rss_kib = 5'000},
                                      {.name = "postgres", .rss_kib = 50'000}};
  std::vector<ProcessUsage> after = {{.name = "gateway", .rss_kib = 10'060},
                                     {.name = "realtime-svc", .rss_kib = 5'020},
                                     {.name = "postgres", .rss_kib = 90'000}};
  report.memory = MemoryAtConnect(before, after);
  ASSERT_EQ(report.memory.size(), 3u);
  EXPECT_DOUBLE_EQ(report.ConnectionKib(), 8.0) << "(60 + 20) KiB over 10 connections";
  EXPECT_THAT(FormatText(report, true),
              HasSubstr("gateway + realtime-svc: 8.00 KiB per connection"));
  EXPECT_DOUBLE_EQ(ToJson(report, true)["memory"]["connection_kib"].get<double>(), 8.0);
}

TEST(ReportTest, ResumedSessionsAreShownAndAreNoErrors) {
  Report report = CleanReport();
  report.connections.interruptions[1012] = 10;
  report.connections.resumed = 10;
  report.connections.longest_recovery = absl::Milliseconds(1500);
  EXPECT_EQ(report.Errors(), 0u);
  EXPECT_THAT(FormatText(report, true),
              HasSubstr("cut off     1012: 10; 10 resumed with since_seq, all back within 1.50 s"));
  nlohmann::json json = ToJson(report, true);
  EXPECT_EQ(json["connections"]["interruptions"]["1012"], 10);
  EXPECT_DOUBLE_EQ(json["connections"]["longest_recovery_s"].get<double>(), 1.5);
}

}  // namespace
}  // namespace chatter::loadgen
