// CallGate (see call_gate.h). Starts run outside the lock: a start may complete its call at once
// and release, which takes the lock again.
#include "gateway/ws/call_gate.h"

#include <atomic>
#include <optional>
#include <utility>

#include "libs/status/error_details.h"

namespace chatter::gateway {

CallGate::CallGate(Options options) : state_(std::make_shared<State>()) {
  state_->options = options;
}

CallGate::~CallGate() {
  std::deque<Waiting> abandoned;
  {
    std::lock_guard lock(state_->mu);
    state_->closed = true;
    abandoned.swap(state_->waiting);
  }
  for (Waiting& call : abandoned) call.refuse(absl::UnavailableError("the gateway is stopping"));
}

void CallGate::Enter(Start start, Refuse refuse) {
  {
    std::lock_guard lock(state_->mu);
    bool slot_free = state_->in_flight < state_->options.max_in_flight;
    if (!state_->closed && slot_free) {
      ++state_->in_flight;
    } else if (!state_->closed && state_->waiting.size() < state_->options.max_waiting) {
      state_->waiting.push_back({std::move(start), std::move(refuse)});
      return;
    } else {
      start = nullptr;  // Refused, below, outside the lock.
    }
  }
  if (!start) {
    return refuse(status::RateLimitedError(
        "too many requests are waiting for chat-svc on this gateway; retry shortly", 1));
  }
  start(MakeRelease(state_));
}

CallGate::Release CallGate::MakeRelease(std::shared_ptr<State> state) {
  auto released = std::make_shared<std::atomic<bool>>(false);
  return [state = std::move(state), released] {
    if (!released->exchange(true)) Leave(state);
  };
}

void CallGate::Leave(const std::shared_ptr<State>& state) {
  std::optional<Waiting> next;
  {
    std::lock_guard lock(state->mu);
    --state->in_flight;
    if (state->waiting.empty() || state->closed) return;
    ++state->in_flight;
    next = std::move(state->waiting.front());
    state->waiting.pop_front();
  }
  next->start(MakeRelease(state));
}

size_t CallGate::in_flight() const {
  std::lock_guard lock(state_->mu);
  return state_->in_flight;
}

size_t CallGate::waiting() const {
  std::lock_guard lock(state_->mu);
  return state_->waiting.size();
}

}  // namespace chatter::gateway
