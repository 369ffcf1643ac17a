// A Redis pub/sub subscription kept alive on its own thread and connection: SUBSCRIBE, hand each
// message to a callback, PING an idle connection to notice a silent peer, and reconnect with
// exponential backoff after any failure. Status() says whether the subscription is in place, for
// readiness.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/redis/redis_connection.h"
#include "libs/redis/redis_reply.h"
#include "libs/redis/redis_url.h"

namespace chatter::redis {

struct SubscriberOptions {
  // connect_timeout bounds connecting; command_timeout bounds sending SUBSCRIBE/PING.
  ConnectionOptions connection;
  // A connection silent this long gets a PING; no answer within the same time drops it.
  absl::Duration ping_interval = absl::Seconds(5);
  absl::Duration initial_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(5);
};

struct SubscriberCallbacks {
  // Every message of the channel, in order, on the subscriber thread. Must not block: while it
  // runs, nothing else is read.
  std::function<void(std::string payload)> on_message;
  // The subscription is in place; `reconnected` is false the first time. Messages published
  // while it was not are lost (pub/sub keeps nothing).
  std::function<void(bool reconnected)> on_subscribed;
  // The subscription was lost, or a connect attempt failed.
  std::function<void(const absl::Status& error)> on_lost;
};

class Subscriber {
 public:
  Subscriber(RedisEndpoint endpoint, std::string channel, SubscriberOptions options,
             SubscriberCallbacks callbacks);
  ~Subscriber();
  Subscriber(const Subscriber&) = delete;
  Subscriber& operator=(const Subscriber&) = delete;

  void Start();
  // Ends the thread promptly (it waits on the socket and a wakeup descriptor, never on a
  // timeout). Idempotent.
  void Stop();

  // OK while subscribed; UNAVAILABLE with the last error otherwise.
  absl::Status Status() const;
  // True once subscribed within `timeout` (for tests and start-up ordering).
  bool WaitUntilSubscribed(absl::Duration timeout) const;

 private:
  void Run();
  // One connection's life: connect, subscribe, deliver until an error or Stop().
  absl::Status Serve();
  // Waits `duration` unless stopped first; false when stopping.
  bool Pause(absl::Duration duration);
  void SetStatus(absl::Status status);
  // An error reply from the server ends the connection.
  absl::Status HandleReply(Reply& reply, bool& pong_pending);

  RedisEndpoint endpoint_;
  std::string channel_;
  SubscriberOptions options_;
  SubscriberCallbacks callbacks_;
  int wake_fd_ = -1;  // eventfd: readable once Stop() was called.
  std::atomic<bool> stopping_{false};
  bool ever_subscribed_ = false;  // Subscriber thread only.
  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  absl::Status status_;  // Guarded by mu_.
  std::thread thread_;
};

}  // namespace chatter::redis
