// Tests reading CPU time and peak RSS from /proc texts, the --watch list, and a real sample of
// this test process.
#include "tools/loadgen/process_usage.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace chatter::loadgen {
namespace {

TEST(ProcessUsageTest, WatchListParses) {
  absl::StatusOr<std::vector<WatchedProcess>> list = ParseWatchList("gateway=12,chat-svc=345");
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "gateway");
  EXPECT_EQ((*list)[0].pid, 12);
  EXPECT_EQ((*list)[1].name, "chat-svc");
  EXPECT_EQ((*list)[1].pid, 345);
  EXPECT_TRUE(ParseWatchList("")->empty());
  EXPECT_FALSE(ParseWatchList("gateway").ok());
  EXPECT_FALSE(ParseWatchList("gateway=x").ok());
  EXPECT_FALSE(ParseWatchList("=12").ok());
  EXPECT_FALSE(ParseWatchList("gateway=-3").ok());
  absl::StatusOr<std::vector<WatchedProcess>> tree = ParseWatchList("postgres=77:tree");
  ASSERT_TRUE(tree.ok()) << tree.status();
  EXPECT_EQ((*tree)[0].pid, 77);
  EXPECT_TRUE((*tree)[0].with_children);
  EXPECT_FALSE((*list)[0].with_children);
  EXPECT_FALSE(ParseWatchList("postgres=77:forest").ok());
}

TEST(ProcessUsageTest, ATreeCountsChildrenBornBetweenSamplesAndForgetsOnesThatExited) {
  int leaving[2];
  ASSERT_EQ(pipe(leaving), 0);
  pid_t early = fork();
  if (early == 0) {  // Lives until the parent closes its end of the pipe.
    close(leaving[1]);
    char byte;
    (void)!read(leaving[0], &byte, 1);
    _exit(0);
  }
  close(leaving[0]);
  std::vector<WatchedProcess> tree = {{"self", static_cast<int>(getpid()), true}};
  std::vector<ProcessUsage> start = SampleUsage(tree);
  EXPECT_EQ(start.size(), 2u);
  close(leaving[1]);  // The early child exits ...
  waitpid(early, nullptr, 0);
  int staying[2];
  ASSERT_EQ(pipe(staying), 0);
  pid_t late = fork();  // ... and a late one is born.
  if (late == 0) {
    close(staying[1]);
    char byte;
    (void)!read(staying[0], &byte, 1);
    _exit(0);
  }
  close(staying[0]);
  std::vector<ProcessUsage> usage = UsageBetween(start, SampleUsage(tree));
  close(staying[1]);
  waitpid(late, nullptr, 0);
  ASSERT_EQ(usage.size(), 2u);
  EXPECT_EQ(usage[0].pid, getpid());
  EXPECT_EQ(usage[1].pid, late);
  EXPECT_TRUE(usage[1].ok);
  EXPECT_TRUE(usage[1].child);
}

TEST(ProcessUsageTest, CpuSecondsAreUtimePlusStime) {
  // A command name with spaces and a parenthesis must not shift the fields.
  const char* stat =
      "4242 (chat svc) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 9 0 100 1000 10";
  absl::StatusOr<double> seconds = CpuSecondsFromStat(stat, 100);
  ASSERT_TRUE(seconds.ok()) << seconds.status();
  EXPECT_DOUBLE_EQ(*seconds, 3.0);
  EXPECT_FALSE(CpuSecondsFromStat("garbage", 100).ok());
  EXPECT_FALSE(CpuSecondsFromStat("1 (x) S 1 2", 100).ok());
}

TEST(ProcessUsageTest, PeakRssComesFromVmHwm) {
  EXPECT_EQ(PeakRssKibFromStatus("Name:\tx\nVmHWM:\t   20480 kB\nVmRSS:\t 1000 kB\n"), 20480);
  EXPECT_EQ(PeakRssKibFromStatus("Name:\tx\n"), 0);
}

TEST(ProcessUsageTest, CurrentRssComesFromVmRss) {
  EXPECT_EQ(RssKibFromStatus("Name:\tx\nVmHWM:\t   20480 kB\nVmRSS:\t 1000 kB\n"), 1000);
  EXPECT_EQ(RssKibFromStatus("Name:\tx\n"), 0);
  EXPECT_GT(SampleUsage({{"self", static_cast<int>(getpid())}})[0].rss_kib, 0);
}

TEST(ProcessUsageTest, SamplesThisProcessAndDiffs) {
  std::vector<WatchedProcess> self = {{"self", static_cast<int>(getpid())}, {"gone", 999999999}};
  std::vector<ProcessUsage> start = SampleUsage(self);
  volatile double sink = 0;
  for (int i = 0; i < 50'000'000; ++i) sink = sink + i * 0.5;  // Burn some CPU.
  std::vector<ProcessUsage> usage = UsageBetween(start, SampleUsage(self));
  ASSERT_EQ(usage.size(), 2u);
  EXPECT_TRUE(usage[0].ok);
  EXPECT_GT(usage[0].cpu_seconds, 0.0);
  EXPECT_GT(usage[0].peak_rss_kib, 0);
  EXPECT_FALSE(usage[1].ok);
  EXPECT_EQ(usage[1].cpu_seconds, 0.0);
}

TEST(ProcessUsageTest, PartsOfOneServerAreAddedUp) {
  std::vector<ProcessUsage> merged =
      MergeByName({{.name = "postgres", .pid = 1, .cpu_seconds = 1.5, .peak_rss_kib = 10},
                   {.name = "redis", .pid = 2, .cpu_seconds = 0.25, .peak_rss_kib = 5},
                   {.name = "postgres", .pid = 3, .cpu_seconds = 0.5, .peak_rss_kib = 20}});
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[0].name, "postgres");
  EXPECT_DOUBLE_EQ(merged[0].cpu_seconds, 2.0);
  EXPECT_EQ(merged[0].peak_rss_kib, 30);
  EXPECT_EQ(merged[1].name, "redis");
}

}  // namespace
}  // namespace chatter::loadgen
