// PeriodicTask: runs repeatedly, at once when asked, and stops promptly.
#include "libs/process/periodic_task.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>

#include "absl/time/clock.h"

namespace chatter::process {
namespace {

bool Eventually(const std::function<bool()>& condition) {
  for (int i = 0; i < 400; ++i) {
    if (condition()) return true;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return condition();
}

TEST(PeriodicTask, RunsRepeatedlyAndStopsPromptly) {
  std::atomic<int> runs{0};
  PeriodicTask task(absl::Milliseconds(5), [&] { ++runs; });
  task.Start();
  ASSERT_TRUE(Eventually([&] { return runs.load() >= 3; }));
  PeriodicTask slow(absl::Hours(1), [] {});
  slow.Start();
  absl::Time start = absl::Now();
  slow.Stop();
  task.Stop();
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(500));
}

TEST(PeriodicTask, RunsAtOnceWhenAsked) {
  std::atomic<int> runs{0};
  PeriodicTask task(absl::Hours(1), [&] { ++runs; });
  task.Start(/*run_now=*/true);
  EXPECT_TRUE(Eventually([&] { return runs.load() == 1; }));
  task.Stop();
  EXPECT_EQ(runs.load(), 1);
}

}  // namespace
}  // namespace chatter::process
