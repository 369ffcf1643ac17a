// ChildProcess: one real binary run by an end-to-end test, with an environment of the test's
// choosing, its stdout and stderr in a log file, and bounded waits (no fixed sleeps) for its exit.
#pragma once

#include <sys/types.h>

#include <csignal>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace chatter::e2e {

// How a child ended.
struct ExitStatus {
  bool exited = false;  // true: ended by exit() with `code`; false: killed by `signal`
  int code = -1;
  int signal = 0;

  bool ExitedWith(int expected_code) const { return exited && code == expected_code; }
  std::string ToString() const;  // "exit code 2" or "killed by signal 9 (Killed)"
};

class ChildProcess {
 public:
  using Env = std::map<std::string, std::string>;

  // Starts `binary args...` with exactly `env` plus the test's PATH, HOME and LANG (nothing else
  // is inherited, so no secret of the caller leaks in), stdin from /dev/null and stdout+stderr
  // appended to `<log_dir>/<name>.log`. The child gets default signal dispositions, an empty
  // signal mask, its own process group, none of the test's file descriptors but 0-2, and is
  // SIGKILLed when the thread that started it ends (start children from the test's own thread),
  // so a test that is killed leaves no processes behind.
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Start(std::string name, std::string binary,
                                                             std::vector<std::string> args, Env env,
                                                             const std::string& log_dir);

  // SIGKILLs and reaps a child still running.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  const std::string& name() const { return name_; }
  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }

  // False once the child has ended (it is reaped then; exit_status() says how).
  bool Running();
  const std::optional<ExitStatus>& exit_status() const { return exit_status_; }

  // Waits up to `timeout` for the child to end; nullopt when it still runs.
  std::optional<ExitStatus> WaitExit(absl::Duration timeout);

  // Sends `signal` unless the child has ended; returns at once.
  void Signal(int signal);

  // Sends `signal` and waits up to `timeout` for the exit. A child that outlives the timeout is
  // SIGKILLed and a test failure (with the log tail) is added. Returns how it ended; a child that
  // had already ended just reports that.
  ExitStatus Stop(int signal = SIGTERM, absl::Duration timeout = absl::Seconds(10));

  // Everything the child has written so far, and its last `lines` lines.
  std::string Log() const;
  std::string LogTail(int lines = 30) const;
  // The log's lines that parse as JSON objects, in order (the binaries log one object a line).
  std::vector<nlohmann::json> JsonLogLines() const;

  // Polls the log until a JSON line with "message" == `message` appears and returns it; fails
  // early (with the log tail) when the child ends first, or after `timeout`.
  absl::StatusOr<nlohmann::json> WaitForLogMessage(absl::string_view message,
                                                   absl::Duration timeout);

 private:
  ChildProcess(std::string name, pid_t pid, std::string log_path);
  // waitpid(WNOHANG); records the status when the child has ended.
  bool Reap();

  std::string name_;
  pid_t pid_;
  std::string log_path_;
  std::optional<ExitStatus> exit_status_;
};

// Splits `text` into lines (without the newline); a trailing newline adds no empty line.
std::vector<std::string> SplitLines(absl::string_view text);

}  // namespace chatter::e2e
