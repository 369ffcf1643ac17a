// Pub/sub subscription thread over a hiredis context driven by poll().
#include "libs/redis/redis_subscriber.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/redis/redis_context.h"

namespace chatter::redis {
namespace {

int PollMillis(absl::Duration wait) {
  int64_t ms = absl::ToInt64Milliseconds(absl::Ceil(wait, absl::Milliseconds(1)));
  return static_cast<int>(std::clamp<int64_t>(ms, 0, 60000));
}

}  // namespace

Subscriber::Subscriber(RedisEndpoint endpoint, std::string channel, SubscriberOptions options,
                       SubscriberCallbacks callbacks)
    : endpoint_(std::move(endpoint)),
      channel_(std::move(channel)),
      options_(options),
      callbacks_(std::move(callbacks)),
      wake_fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      status_(absl::UnavailableError("redis subscription: not subscribed yet")) {}

Subscriber::~Subscriber() {
  Stop();
  if (wake_fd_ >= 0) close(wake_fd_);
}

void Subscriber::Start() {
  thread_ = std::thread([this] { Run(); });
}

void Subscriber::Stop() {
  if (!stopping_.exchange(true) && wake_fd_ >= 0) {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t written = write(wake_fd_, &one, sizeof(one));
  }
  if (thread_.joinable()) thread_.join();
}

absl::Status Subscriber::Status() const {
  std::lock_guard lock(mu_);
  return status_;
}

bool Subscriber::WaitUntilSubscribed(absl::Duration timeout) const {
  std::unique_lock lock(mu_);
  return changed_.wait_for(lock, absl::ToChronoMilliseconds(timeout),
                           [this] { return status_.ok(); });
}

void Subscriber::SetStatus(absl::Status status) {
  {
    std::lock_guard lock(mu_);
    status_ = std::move(status);
  }
  changed_.notify_all();
}

bool Subscriber::Pause(absl::Duration duration) {
  pollfd wake{.fd = wake_fd_, .events = POLLIN, .revents = 0};
  absl::Time until = absl::Now() + duration;
  while (!stopping_.load()) {
    absl::Duration left = until - absl::Now();
    if (left <= absl::ZeroDuration()) return true;
    poll(&wake, 1, PollMillis(left));
  }
  return false;
}

void Subscriber::Run() {
  absl::Duration backoff = options_.initial_backoff;
  while (!stopping_.load()) {
    absl::Status ended = Serve();
    if (stopping_.load()) break;
    if (ended.ok()) ended = absl::UnavailableError("redis subscription ended");
    if (!absl::IsUnavailable(ended)) ended = absl::UnavailableError(ended.message());
    // A subscription that was in place resets the backoff: this is a fresh failure.
    if (Status().ok()) backoff = options_.initial_backoff;
    SetStatus(ended);
    if (callbacks_.on_lost) callbacks_.on_lost(ended);
    if (!Pause(backoff)) break;
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
  SetStatus(absl::UnavailableError("redis subscription stopped"));
}

absl::Status Subscriber::Serve() {
  absl::StatusOr<internal::ContextPtr> connected =
      internal::Connect(endpoint_, options_.connection.connect_timeout,
                        options_.connection.command_timeout, options_.connection.client_name);
  if (!connected.ok()) return connected.status();
  redisContext* context = connected->get();
  internal::Append(context, {"SUBSCRIBE", channel_});
  if (absl::Status sent = internal::Flush(context); !sent.ok()) return sent;

  absl::Time last_heard = absl::Now();
  absl::Time ping_sent;
  bool pong_pending = false;
  pollfd fds[2] = {{.fd = internal::SocketOf(context), .events = POLLIN, .revents = 0},
                   {.fd = wake_fd_, .events = POLLIN, .revents = 0}};
  while (!stopping_.load()) {
    while (true) {
      absl::StatusOr<std::optional<Reply>> reply = internal::TakeReceivedReply(context);
      if (!reply.ok()) return reply.status();
      if (!reply->has_value()) break;
      if (absl::Status handled = HandleReply(**reply, pong_pending); !handled.ok()) {
        return handled;
      }
    }
    absl::Time now = absl::Now();
    if (pong_pending && now - ping_sent >= options_.ping_interval) {
      return absl::UnavailableError(absl::StrCat("redis subscription: no answer to PING within ",
                                                 absl::FormatDuration(options_.ping_interval)));
    }
    if (!pong_pending && now - last_heard >= options_.ping_interval) {
      internal::Append(context, {"PING"});
      if (absl::Status sent = internal::Flush(context); !sent.ok()) return sent;
      pong_pending = true;
      ping_sent = now;
    }
    absl::Time deadline =
        pong_pending ? ping_sent + options_.ping_interval : last_heard + options_.ping_interval;
    fds[0].revents = fds[1].revents = 0;
    int ready = poll(fds, 2, PollMillis(deadline - now));
    if (ready < 0 && errno != EINTR) return absl::UnavailableError("redis subscription: poll");
    if (fds[1].revents != 0) break;
    if (fds[0].revents != 0) {
      if (absl::Status read = internal::ReadAvailable(context); !read.ok()) return read;
      last_heard = absl::Now();
    }
  }
  return absl::OkStatus();
}

absl::Status Subscriber::HandleReply(Reply& reply, bool& pong_pending) {
  // E.g. NOAUTH or an ACL refusing the channel: reconnecting (with backoff) is all we can do.
  if (reply.is_error()) return ErrorReplyStatus("SUBSCRIBE", reply.str);
  if (reply.type != Reply::Type::kArray || reply.elements.empty()) return absl::OkStatus();
  const std::string& kind = reply.elements[0].str;
  if (kind == "message" && reply.elements.size() == 3) {
    if (callbacks_.on_message) callbacks_.on_message(std::move(reply.elements[2].str));
  } else if (kind == "subscribe") {
    SetStatus(absl::OkStatus());
    if (callbacks_.on_subscribed) callbacks_.on_subscribed(ever_subscribed_);
    ever_subscribed_ = true;
  } else if (kind == "pong") {
    pong_pending = false;
  }
  return absl::OkStatus();
}

}  // namespace chatter::redis
