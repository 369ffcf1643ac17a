// InFlightCalls: a counter and a condition variable shared with the tickets.
#include "libs/grpc_client/in_flight_calls.h"

namespace chatter::grpc_client {

struct InFlightCalls::Ticket::State {
  std::mutex mu;
  std::condition_variable none_left;
  size_t count = 0;  // Guarded by mu.
};

InFlightCalls::Ticket& InFlightCalls::Ticket::operator=(Ticket&& other) noexcept {
  if (this != &other) {
    Release();
    state_ = std::move(other.state_);
  }
  return *this;
}

void InFlightCalls::Ticket::Release() {
  if (state_ == nullptr) return;
  std::shared_ptr<State> state = std::move(state_);
  std::lock_guard lock(state->mu);
  if (--state->count == 0) state->none_left.notify_all();
}

InFlightCalls::InFlightCalls() : state_(std::make_shared<Ticket::State>()) {}

InFlightCalls::~InFlightCalls() { WaitUntilNone(); }

InFlightCalls::Ticket InFlightCalls::Enter() {
  std::lock_guard lock(state_->mu);
  ++state_->count;
  return Ticket(state_);
}

void InFlightCalls::WaitUntilNone() {
  std::unique_lock lock(state_->mu);
  state_->none_left.wait(lock, [this] { return state_->count == 0; });
}

size_t InFlightCalls::count() const {
  std::lock_guard lock(state_->mu);
  return state_->count;
}

}  // namespace chatter::grpc_client
