// Tests for the sending schedule: how many messages are due when.
#include "tools/loadgen/sender.h"

#include <gtest/gtest.h>

namespace chatter::loadgen {
namespace {

TEST(MessagesDueTest, MessageKLeavesAtKOverRate) {
  EXPECT_EQ(MessagesDue(absl::Milliseconds(-1), 200), 0u);
  EXPECT_EQ(MessagesDue(absl::ZeroDuration(), 200), 1u);
  EXPECT_EQ(MessagesDue(absl::Microseconds(4999), 200), 1u);
  EXPECT_EQ(MessagesDue(absl::Milliseconds(5), 200), 2u);
  EXPECT_EQ(MessagesDue(absl::Seconds(1), 200), 201u);
  EXPECT_EQ(MessagesDue(absl::Seconds(3), 0.5), 2u);
}

TEST(SendScheduleTest, CountsWarmupAndMeasuredMessages) {
  SendSchedule schedule{.rate = 200, .warmup = absl::ZeroDuration(), .duration = absl::Seconds(20)};
  EXPECT_EQ(schedule.TotalMessages(), 4000u);
  EXPECT_EQ(schedule.WarmupMessages(), 0u);
  schedule.warmup = absl::Seconds(2);
  EXPECT_EQ(schedule.TotalMessages(), 4400u);
  EXPECT_EQ(schedule.WarmupMessages(), 400u);
  SendSchedule slow{.rate = 0.5, .warmup = absl::ZeroDuration(), .duration = absl::Seconds(3)};
  EXPECT_EQ(slow.TotalMessages(), 2u);  // At 0 s and 2 s.
}

TEST(SendScheduleTest, TheLastMessageIsDueBeforeTheEnd) {
  SendSchedule schedule{.rate = 7, .warmup = absl::Seconds(1), .duration = absl::Seconds(2)};
  uint64_t total = schedule.TotalMessages();
  EXPECT_EQ(MessagesDue(absl::Seconds(3) - absl::Nanoseconds(1), schedule.rate), total);
}

}  // namespace
}  // namespace chatter::loadgen
