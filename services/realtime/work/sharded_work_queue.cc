// Bounded, sharded work queues with one thread per shard.
#include "services/realtime/work/sharded_work_queue.h"

#include "absl/hash/hash.h"
#include "libs/log/log.h"

namespace chatter::realtime {

ShardedWorkQueue::ShardedWorkQueue(std::string name, int shards, size_t capacity)
    : name_(std::move(name)), capacity_(capacity) {
  for (int i = 0; i < std::max(1, shards); ++i) shards_.push_back(std::make_unique<Shard>());
}

ShardedWorkQueue::~ShardedWorkQueue() { Stop(); }

void ShardedWorkQueue::Start() {
  for (auto& shard : shards_) {
    Shard* raw = shard.get();
    shard->thread = std::thread([this, raw] { Drain(*raw); });
  }
}

void ShardedWorkQueue::Stop() {
  for (auto& shard : shards_) {
    {
      std::lock_guard lock(shard->mu);
      shard->stopping = true;
      shard->items.clear();
    }
    shard->wake.notify_all();
  }
  for (auto& shard : shards_) {
    if (shard->thread.joinable()) shard->thread.join();
  }
}

size_t ShardedWorkQueue::ShardOf(absl::string_view key) const {
  return absl::Hash<absl::string_view>()(key) % shards_.size();
}

bool ShardedWorkQueue::Post(absl::string_view key, std::function<void()> work) {
  return PostToShard(ShardOf(key), std::move(work));
}

bool ShardedWorkQueue::PostToShard(size_t index, std::function<void()> work) {
  Shard& shard = *shards_[index % shards_.size()];
  {
    std::lock_guard lock(shard.mu);
    if (shard.stopping || shard.items.size() >= capacity_) return false;
    shard.items.push_back({.work = std::move(work), .request_id = log::CurrentRequestId()});
  }
  shard.wake.notify_one();
  return true;
}

size_t ShardedWorkQueue::pending() const {
  size_t total = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard->mu);
    total += shard->items.size();
  }
  return total;
}

void ShardedWorkQueue::Drain(Shard& shard) {
  while (true) {
    Item item;
    {
      std::unique_lock lock(shard.mu);
      shard.wake.wait(lock, [&shard] { return shard.stopping || !shard.items.empty(); });
      if (shard.stopping) return;
      item = std::move(shard.items.front());
      shard.items.pop_front();
    }
    log::ScopedRequestId scope(std::move(item.request_id));
    item.work();
  }
}

}  // namespace chatter::realtime
