// A thread-safe Redis client: a fixed pool of Connections, each call on one of them. Calls block
// (bounded by the connection timeouts): use it on worker or synchronous-RPC threads, never on an
// event loop or in a gRPC reactor callback.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/redis/redis_connection.h"
#include "libs/redis/redis_script.h"

namespace chatter::redis {

class Client {
 public:
  // `connections` >= 1: how many calls may run at once; more wait up to the command timeout for
  // a free connection, then fail with UNAVAILABLE.
  Client(RedisEndpoint endpoint, ConnectionOptions options, int connections);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // See Connection::Command / Pipeline.
  absl::StatusOr<Reply> Command(const std::vector<std::string>& args);
  absl::StatusOr<std::vector<Reply>> Pipeline(
      const std::vector<std::vector<std::string>>& commands);

  // EVALSHA, loading the script when the server does not know it yet. An error raised by the
  // script is INTERNAL; UNAVAILABLE when Redis cannot be reached.
  absl::StatusOr<Reply> Eval(const Script& script, const ScriptCall& call);
  // Runs `script` once per call, pipelined in one round trip. The outer status fails only when
  // Redis cannot be reached; each inner one is that run's reply or error.
  absl::StatusOr<std::vector<absl::StatusOr<Reply>>> EvalMany(const Script& script,
                                                              const std::vector<ScriptCall>& calls);

 private:
  absl::StatusOr<std::unique_ptr<Connection>> Acquire();
  void Release(std::unique_ptr<Connection> connection);
  template <typename F>
  auto WithConnection(F&& body) -> decltype(body(std::declval<Connection&>()));

  ConnectionOptions options_;
  int size_;
  std::mutex mu_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;  // Guarded by mu_.
};

}  // namespace chatter::redis
