// Pooled Redis client with script support.
#include "libs/redis/redis_client.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace chatter::redis {
namespace {

std::vector<std::string> EvalShaArgs(const std::string& sha, const ScriptCall& call) {
  std::vector<std::string> args = {"EVALSHA", sha, absl::StrCat(call.keys.size())};
  args.insert(args.end(), call.keys.begin(), call.keys.end());
  args.insert(args.end(), call.args.begin(), call.args.end());
  return args;
}

absl::StatusOr<std::string> Load(Connection& connection, const Script& script) {
  absl::StatusOr<Reply> reply = connection.Command({"SCRIPT", "LOAD", script.source()});
  if (!reply.ok()) return reply.status();
  absl::StatusOr<std::string> sha = reply->String();
  if (sha.ok()) script.set_sha(*sha);
  return sha;
}

absl::StatusOr<std::string> KnownSha(Connection& connection, const Script& script) {
  if (std::optional<std::string> sha = script.sha()) return *std::move(sha);
  return Load(connection, script);
}

bool IsNoScript(const Reply& reply) {
  return reply.is_error() && absl::StartsWith(reply.str, "NOSCRIPT");
}

absl::StatusOr<Reply> ScriptResult(Reply reply) {
  if (reply.is_error()) return ErrorReplyStatus("EVALSHA", reply.str);
  return reply;
}

}  // namespace

Client::Client(RedisEndpoint endpoint, ConnectionOptions options, int connections)
    : options_(options), size_(std::max(1, connections)) {
  for (int i = 0; i < size_; ++i) idle_.push_back(std::make_unique<Connection>(endpoint, options));
}

Client::~Client() = default;

absl::StatusOr<std::unique_ptr<Connection>> Client::Acquire() {
  std::unique_lock lock(mu_);
  bool free = available_.wait_for(lock, absl::ToChronoMilliseconds(options_.command_timeout),
                                  [this] { return !idle_.empty(); });
  if (!free) {
    return absl::UnavailableError(absl::StrCat("redis: all ", size_, " connections busy"));
  }
  std::unique_ptr<Connection> connection = std::move(idle_.back());
  idle_.pop_back();
  return connection;
}

void Client::Release(std::unique_ptr<Connection> connection) {
  {
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(connection));
  }
  available_.notify_one();
}

template <typename F>
auto Client::WithConnection(F&& body) -> decltype(body(std::declval<Connection&>())) {
  absl::StatusOr<std::unique_ptr<Connection>> connection = Acquire();
  if (!connection.ok()) return connection.status();
  auto result = body(**connection);
  Release(*std::move(connection));
  return result;
}

absl::StatusOr<Reply> Client::Command(const std::vector<std::string>& args) {
  return WithConnection([&](Connection& connection) { return connection.Command(args); });
}

absl::StatusOr<std::vector<Reply>> Client::Pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  return WithConnection([&](Connection& connection) { return connection.Pipeline(commands); });
}

absl::StatusOr<Reply> Client::Eval(const Script& script, const ScriptCall& call) {
  return WithConnection([&](Connection& connection) -> absl::StatusOr<Reply> {
    absl::StatusOr<std::string> sha = KnownSha(connection, script);
    if (!sha.ok()) return sha.status();
    absl::StatusOr<std::vector<Reply>> reply = connection.Pipeline({EvalShaArgs(*sha, call)});
    if (!reply.ok()) return reply.status();
    if (IsNoScript(reply->front())) {
      sha = Load(connection, script);
      if (!sha.ok()) return sha.status();
      reply = connection.Pipeline({EvalShaArgs(*sha, call)});
      if (!reply.ok()) return reply.status();
    }
    return ScriptResult(std::move(reply->front()));
  });
}

absl::StatusOr<std::vector<absl::StatusOr<Reply>>> Client::EvalMany(
    const Script& script, const std::vector<ScriptCall>& calls) {
  return WithConnection(
      [&](Connection& connection) -> absl::StatusOr<std::vector<absl::StatusOr<Reply>>> {
        absl::StatusOr<std::string> sha = KnownSha(connection, script);
        if (!sha.ok()) return sha.status();
        std::vector<std::vector<std::string>> commands;
        commands.reserve(calls.size());
        for (const ScriptCall& call : calls) commands.push_back(EvalShaArgs(*sha, call));
        absl::StatusOr<std::vector<Reply>> replies = connection.Pipeline(commands);
        if (!replies.ok()) return replies.status();
        // After a Redis restart the script cache is empty and every run fails with NOSCRIPT
        // without having run: load the script and rerun just those.
        std::vector<size_t> rerun;
        for (size_t i = 0; i < replies->size(); ++i) {
          if (IsNoScript((*replies)[i])) rerun.push_back(i);
        }
        if (!rerun.empty()) {
          sha = Load(connection, script);
          if (!sha.ok()) return sha.status();
          std::vector<std::vector<std::string>> again;
          for (size_t i : rerun) again.push_back(EvalShaArgs(*sha, calls[i]));
          absl::StatusOr<std::vector<Reply>> rerun_replies = connection.Pipeline(again);
          if (!rerun_replies.ok()) return rerun_replies.status();
          for (size_t j = 0; j < rerun.size(); ++j) {
            (*replies)[rerun[j]] = std::move((*rerun_replies)[j]);
          }
        }
        std::vector<absl::StatusOr<Reply>> results;
        results.reserve(replies->size());
        for (Reply& reply : *replies) results.push_back(ScriptResult(std::move(reply)));
        return results;
      });
}

}  // namespace chatter::redis
