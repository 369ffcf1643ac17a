// ChildProcess: fork/execve with a log file as stdout/stderr, and waitpid polling for exits.
#include "tests/e2e/harness/child_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"

namespace chatter::e2e {
namespace {

constexpr absl::Duration kPollInterval = absl::Milliseconds(10);

ExitStatus FromWaitStatus(int status) {
  ExitStatus result;
  if (WIFEXITED(status)) {
    result.exited = true;
    result.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  }
  return result;
}

// The child's environment: `env` plus the few harmless variables of ours it needs.
std::vector<std::string> ChildEnvironment(const ChildProcess::Env& env) {
  ChildProcess::Env merged;
  for (const char* name : {"PATH", "HOME", "LANG"}) {
    if (const char* value = std::getenv(name)) merged[name] = value;
  }
  for (const auto& [name, value] : env) merged[name] = value;
  std::vector<std::string> entries;
  for (const auto& [name, value] : merged) entries.push_back(absl::StrCat(name, "=", value));
  return entries;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

}  // namespace

std::string ExitStatus::ToString() const {
  if (exited) return absl::StrCat("exit code ", code);
  return absl::StrCat("killed by signal ", signal, " (", strsignal(signal), ")");
}

std::vector<std::string> SplitLines(absl::string_view text) {
  if (text.empty()) return {};
  if (text.back() == '\n') text.remove_suffix(1);
  return absl::StrSplit(text, '\n');
}

absl::StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Start(std::string name,
                                                                  std::string binary,
                                                                  std::vector<std::string> args,
                                                                  Env env,
                                                                  const std::string& log_dir) {
  // Everything the child needs is prepared before fork(): the test process has threads (gRPC,
  // Asio), so between fork() and execve() only async-signal-safe calls are allowed.
  std::string log_path = absl::StrCat(log_dir, "/", name, ".log");
  std::vector<std::string> argv_strings = {binary};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<std::string> env_strings = ChildEnvironment(env);
  std::vector<char*> argv = CStrings(argv_strings);
  std::vector<char*> envp = CStrings(env_strings);
  int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log_fd < 0) {
    return absl::InternalError(absl::StrCat("cannot open ", log_path, ": ", std::strerror(errno)));
  }
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  // The child reports a failed execve() through this pipe; a successful one closes it.
  int exec_pipe[2];
  if (null_fd < 0 || ::pipe2(exec_pipe, O_CLOEXEC) != 0) {
    int error = errno;
    ::close(log_fd);
    if (null_fd >= 0) ::close(null_fd);
    return absl::InternalError(absl::StrCat("cannot start ", name, ": ", std::strerror(error)));
  }
  const pid_t parent = ::getpid();

  pid_t pid = ::fork();
  if (pid == 0) {
    // A test that dies (crash, ctest timeout, ^C) takes its processes with it.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction default_action = {};
    default_action.sa_handler = SIG_DFL;
    for (int signal : {SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGQUIT}) {
      ::sigaction(signal, &default_action, nullptr);
    }
    ::dup2(null_fd, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    // Asio and gRPC sockets of the test are not close-on-exec: a child holding a copy of a
    // proxied connection would keep it open after the proxy closed it. Keeps only the exec pipe,
    // moved to fd 3 (close-on-exec).
    int report_fd = exec_pipe[1];
    if (report_fd != 3 && ::dup3(report_fd, 3, O_CLOEXEC) == 3) report_fd = 3;
    if (::syscall(SYS_close_range, 4U, ~0U, 0U) != 0) {
      for (int fd = 4; fd < 65536; ++fd) ::close(fd);
    }
    ::execve(argv[0], argv.data(), envp.data());
    int error = errno;
    ssize_t ignored = ::write(report_fd, &error, sizeof(error));
    (void)ignored;
    ::_exit(127);
  }
  int fork_error = errno;
  ::close(exec_pipe[1]);
  ::close(log_fd);
  ::close(null_fd);
  if (pid < 0) {
    ::close(exec_pipe[0]);
    return absl::InternalError(
        absl::StrCat("cannot fork for ", name, ": ", std::strerror(fork_error)));
  }
  int exec_error = 0;
  ssize_t n;
  while ((n = ::read(exec_pipe[0], &exec_error, sizeof(exec_error))) < 0 && errno == EINTR) {
  }
  ::close(exec_pipe[0]);
  if (n > 0) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return absl::InternalError(
        absl::StrCat("cannot start ", name, " (", binary, "): ", std::strerror(exec_error)));
  }
  return std::unique_ptr<ChildProcess>(new ChildProcess(std::move(name), pid, std::move(log_path)));
}

ChildProcess::ChildProcess(std::string name, pid_t pid, std::string log_path)
    : name_(std::move(name)), pid_(pid), log_path_(std::move(log_path)) {}

ChildProcess::~ChildProcess() {
  if (exit_status_) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
}

bool ChildProcess::Reap() {
  if (exit_status_) return true;
  int status = 0;
  pid_t result = ::waitpid(pid_, &status, WNOHANG);
  if (result == pid_) {
    exit_status_ = FromWaitStatus(status);
    return true;
  }
  return false;
}

bool ChildProcess::Running() { return !Reap(); }

std::optional<ExitStatus> ChildProcess::WaitExit(absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (!Reap()) {
    if (absl::Now() >= deadline) return std::nullopt;
    absl::SleepFor(kPollInterval);
  }
  return exit_status_;
}

void ChildProcess::Signal(int signal) {
  if (!Reap()) ::kill(pid_, signal);
}

ExitStatus ChildProcess::Stop(int signal, absl::Duration timeout) {
  if (Reap()) return *exit_status_;
  ::kill(pid_, signal);
  if (std::optional<ExitStatus> status = WaitExit(timeout)) return *status;
  ADD_FAILURE() << name_ << " (pid " << pid_ << ") did not exit within " << timeout << " of signal "
                << signal << "; killing it. Log tail:\n"
                << LogTail();
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  exit_status_ = FromWaitStatus(status);
  return *exit_status_;
}

std::string ChildProcess::Log() const {
  std::ifstream in(log_path_, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

std::string ChildProcess::LogTail(int lines) const {
  std::vector<std::string> all = SplitLines(Log());
  size_t first = all.size() > static_cast<size_t>(lines) ? all.size() - lines : 0;
  std::vector<std::string> tail(all.begin() + static_cast<std::ptrdiff_t>(first), all.end());
  return absl::StrCat("---- ", log_path_, " (last ", tail.size(), " lines) ----\n",
                      absl::StrJoin(tail, "\n"), "\n");
}

std::vector<nlohmann::json> ChildProcess::JsonLogLines() const {
  std::vector<nlohmann::json> result;
  for (const std::string& line : SplitLines(Log())) {
    nlohmann::json parsed = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_object()) result.push_back(std::move(parsed));
  }
  return result;
}

absl::StatusOr<nlohmann::json> ChildProcess::WaitForLogMessage(absl::string_view message,
                                                               absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (true) {
    for (nlohmann::json& line : JsonLogLines()) {
      if (line.value("message", "") == std::string(message)) return std::move(line);
    }
    if (!Running()) {
      return absl::FailedPreconditionError(absl::StrCat(name_, " ended (", exit_status_->ToString(),
                                                        ") before logging \"", message, "\"\n",
                                                        LogTail()));
    }
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat(name_, " did not log \"", message,
                                                      "\" within ", absl::FormatDuration(timeout),
                                                      "\n", LogTail()));
    }
    absl::SleepFor(kPollInterval);
  }
}

}  // namespace chatter::e2e
