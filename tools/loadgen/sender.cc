// Fixed-rate sending (see sender.h). The timer wakes at the next due time and sends everything
// due by then, so a late wake-up catches up instead of lowering the rate.
#include "tools/loadgen/sender.h"

#include <boost/asio/steady_timer.hpp>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "tools/loadgen/frames.h"
#include "tools/loadgen/steady_clock.h"

namespace chatter::loadgen {
namespace {
constexpr int kRandomPicks = 8;
}  // namespace

uint64_t MessagesDue(absl::Duration elapsed, double rate) {
  if (elapsed < absl::ZeroDuration()) return 0;
  return static_cast<uint64_t>(std::floor(absl::ToDoubleSeconds(elapsed) * rate)) + 1;
}

uint64_t SendSchedule::TotalMessages() const {
  // Messages due strictly before the end: the last one leaves just under warmup + duration.
  return static_cast<uint64_t>(std::ceil(absl::ToDoubleSeconds(warmup + duration) * rate));
}

uint64_t SendSchedule::WarmupMessages() const {
  return static_cast<uint64_t>(std::ceil(absl::ToDoubleSeconds(warmup) * rate));
}

Sender::Sender(SenderContext context, SendSchedule schedule, uint64_t seed)
    : context_(std::move(context)), schedule_(schedule), random_(seed) {}

int Sender::PickLive() {
  int users = context_.plan.users();
  std::uniform_int_distribution<int> pick(0, users - 1);
  for (int i = 0; i < kRandomPicks; ++i) {
    int user = pick(random_);
    if (context_.recorder.IsLive(user)) return user;
  }
  // Many connections are gone: take the next live one after a random start.
  int start = pick(random_);
  for (int i = 0; i < users; ++i) {
    int user = (start + i) % users;
    if (context_.recorder.IsLive(user)) return user;
  }
  return -1;
}

void Sender::SendOne(int user, bool measured) {
  int room = context_.plan.SeatOf(user).room;
  int64_t now = SteadyNowNs();
  uint64_t id = context_.ledger.RecordSend(room, now, measured);
  std::string content = EncodeContent(context_.run, {id, now}, context_.message_bytes);
  context_.connections[user]->Send(id,
                                   SendMessageFrame(RefFor(id), context_.room_ids[room], content,
                                                    absl::StrCat(context_.run, "-", id)));
}

net::awaitable<void> Sender::Run() {
  net::steady_timer timer(co_await net::this_coro::executor);
  const uint64_t total = schedule_.TotalMessages();
  const uint64_t warmup = schedule_.WarmupMessages();
  const auto start = std::chrono::steady_clock::now();
  uint64_t sent = 0;
  while (sent < total) {
    absl::Duration elapsed = absl::FromChrono(std::chrono::steady_clock::now() - start);
    uint64_t due = std::min(MessagesDue(elapsed, schedule_.rate), total);
    for (; sent < due; ++sent) {
      int user = PickLive();
      if (user < 0) co_return;
      SendOne(user, sent >= warmup);
    }
    if (sent >= total) break;
    // Message `sent` leaves at sent / rate.
    timer.expires_at(start + std::chrono::nanoseconds(static_cast<int64_t>(
                                 static_cast<double>(sent) / schedule_.rate * 1e9)));
    boost::system::error_code ignored;
    co_await timer.async_wait(Await(ignored));
  }
  // The sending window lasts its full length, so sent / elapsed is the rate actually offered.
  timer.expires_at(start + absl::ToChronoNanoseconds(schedule_.warmup + schedule_.duration));
  boost::system::error_code ignored;
  co_await timer.async_wait(Await(ignored));
}

}  // namespace chatter::loadgen
