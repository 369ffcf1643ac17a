// Bounded queues, each drained by its own thread, for work that blocks (Redis, chat-svc) and so
// must never run on a gRPC reactor thread. Work posted under the same key always lands on the
// same shard, so one user's presence updates run in the order they were posted. Work runs under
// the request id that was current where it was posted (log::ScopedRequestId), so its log lines
// name the stream or call it came from.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/string_view.h"

namespace chatter::realtime {

class ShardedWorkQueue {
 public:
  // `shards` >= 1 threads, each with a queue of at most `capacity` waiting items.
  ShardedWorkQueue(std::string name, int shards, size_t capacity);
  ~ShardedWorkQueue();
  ShardedWorkQueue(const ShardedWorkQueue&) = delete;
  ShardedWorkQueue& operator=(const ShardedWorkQueue&) = delete;

  void Start();
  // Lets running work finish, drops what waits, joins the threads. Idempotent.
  void Stop();

  size_t shard_count() const { return shards_.size(); }
  size_t ShardOf(absl::string_view key) const;
  // False (the work is dropped) when the shard's queue is full or the queue stopped. Never
  // blocks.
  bool Post(absl::string_view key, std::function<void()> work);
  bool PostToShard(size_t shard, std::function<void()> work);
  // Items waiting, over all shards (a gauge).
  size_t pending() const;

 private:
  struct Item {
    std::function<void()> work;
    std::string request_id;
  };
  struct Shard {
    std::mutex mu;
    std::condition_variable wake;
    std::deque<Item> items;  // Guarded by mu.
    bool stopping = false;   // Guarded by mu.
    std::thread thread;
  };
  void Drain(Shard& shard);

  std::string name_;
  size_t capacity_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace chatter::realtime
