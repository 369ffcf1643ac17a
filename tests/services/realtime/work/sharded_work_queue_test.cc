// ShardedWorkQueue: work of one key runs in order on one shard, a full shard
// drops (never blocks the poster), Stop() drops what waits and joins; the periodic task runs
// repeatedly and stops at once.
#include "services/realtime/work/sharded_work_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "libs/log/log.h"
#include "tests/libs/redis/redis_test_support.h"

namespace chatter::realtime {
namespace {

using redis::testing::Eventually;

TEST(ShardedWorkQueue, OneKeyRunsInPostingOrder) {
  ShardedWorkQueue queue("test", 4, 1000);
  queue.Start();
  std::mutex mu;
  std::vector<int> seen;
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(queue.Post("user-1", [&, i] {
      std::lock_guard lock(mu);
      seen.push_back(i);
    }));
  }
  ASSERT_TRUE(Eventually([&] {
    std::lock_guard lock(mu);
    return seen.size() == 200;
  }));
  for (int i = 0; i < 200; ++i) EXPECT_EQ(seen[i], i);
  EXPECT_EQ(queue.ShardOf("user-1"), queue.ShardOf("user-1"));
}

TEST(ShardedWorkQueue, WorkRunsUnderTheRequestIdItWasPostedWith) {
  ShardedWorkQueue queue("test", 1, 1000);
  queue.Start();
  std::mutex mu;
  std::vector<std::string> seen;
  auto record = [&] {
    std::lock_guard lock(mu);
    seen.push_back(log::CurrentRequestId());
  };
  {
    log::ScopedRequestId scope("stream-1");
    ASSERT_TRUE(queue.PostToShard(0, record));
  }
  ASSERT_TRUE(queue.PostToShard(0, record));
  ASSERT_TRUE(Eventually([&] {
    std::lock_guard lock(mu);
    return seen.size() == 2;
  }));
  EXPECT_EQ(seen[0], "stream-1");
  EXPECT_EQ(seen[1], "");  // The first item's id does not stick to the worker thread.
}

TEST(ShardedWorkQueue, AFullShardDropsInsteadOfBlocking) {
  ShardedWorkQueue queue("test", 1, 2);
  queue.Start();
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::atomic<bool> running{false};
  ASSERT_TRUE(queue.PostToShard(0, [&] {
    running = true;
    gate.wait();
  }));
  ASSERT_TRUE(Eventually([&] { return running.load(); }));
  std::atomic<int> ran{0};
  EXPECT_TRUE(queue.PostToShard(0, [&] { ++ran; }));
  EXPECT_TRUE(queue.PostToShard(0, [&] { ++ran; }));
  EXPECT_FALSE(queue.PostToShard(0, [&] { ++ran; }));  // Capacity 2 waiting.
  EXPECT_EQ(queue.pending(), 2u);
  release.set_value();
  ASSERT_TRUE(Eventually([&] { return ran.load() == 2; }));
}

TEST(ShardedWorkQueue, StopDropsWaitingWorkAndRefusesMore) {
  ShardedWorkQueue queue("test", 1, 10);
  queue.Start();
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::atomic<bool> running{false};
  std::atomic<int> ran{0};
  queue.PostToShard(0, [&] {
    running = true;
    gate.wait();
  });
  ASSERT_TRUE(Eventually([&] { return running.load(); }));
  queue.PostToShard(0, [&] { ++ran; });
  EXPECT_EQ(queue.pending(), 1u);
  std::thread stopper([&] { queue.Stop(); });
  // Release the running item only once Stop has dropped the waiting one; releasing earlier
  // would let the shard thread pick the waiting item up before Stop reaches it.
  EXPECT_TRUE(Eventually([&] { return queue.pending() == 0; }));
  release.set_value();
  stopper.join();
  EXPECT_EQ(ran.load(), 0);
  EXPECT_FALSE(queue.Post("k", [] {}));
}

}  // namespace
}  // namespace chatter::realtime
