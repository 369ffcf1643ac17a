// Who blocked whom, so presence never reaches a user the subject blocked (chat-svc's
// GetBlockRelations in production, a map in tests).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace chatter::realtime {

struct BlockRelations {
  std::vector<std::string> blocked;     // Users the subject blocked: they must not see it.
  std::vector<std::string> blocked_by;  // Users who blocked the subject: it must not see them.
};

class BlockDirectory {
 public:
  virtual ~BlockDirectory() = default;
  // Blocks (a remote call): call only on threads that may block.
  virtual absl::StatusOr<BlockRelations> Relations(const std::string& user_id) = 0;
};

}  // namespace chatter::realtime
