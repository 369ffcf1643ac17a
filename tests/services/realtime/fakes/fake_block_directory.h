// BlockDirectory from a map (who blocked whom), with a switch to make lookups fail; chat-svc is
// not needed in realtime-svc's tests.
#pragma once

#include <atomic>
#include <mutex>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "services/realtime/domain/block_directory.h"

namespace chatter::realtime {

class FakeBlockDirectory final : public BlockDirectory {
 public:
  // `blocker` blocks `blocked`.
  void Block(const std::string& blocker, const std::string& blocked) {
    std::lock_guard lock(mu_);
    relations_[blocker].blocked.push_back(blocked);
    relations_[blocked].blocked_by.push_back(blocker);
  }
  void set_failing(bool failing) { failing_ = failing; }
  int calls() const { return calls_.load(); }

  absl::StatusOr<BlockRelations> Relations(const std::string& user_id) override {
    ++calls_;
    if (failing_) return absl::UnavailableError("chat-svc down (fake)");
    std::lock_guard lock(mu_);
    auto found = relations_.find(user_id);
    return found == relations_.end() ? BlockRelations{} : found->second;
  }

 private:
  std::mutex mu_;
  absl::flat_hash_map<std::string, BlockRelations> relations_;
  std::atomic<bool> failing_{false};
  std::atomic<int> calls_{0};
};

}  // namespace chatter::realtime
