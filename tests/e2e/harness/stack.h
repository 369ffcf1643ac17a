// Stack: the real auth-svc, chat-svc, realtime-svc and gateway binaries started for one test on
// ports the kernel picks, with fresh databases (one per service) on CHATTER_TEST_PG_URL's cluster
// and the Redis of CHATTER_TEST_REDIS_URL, optionally behind TcpProxy so a test can cut them.
#pragma once

#include <array>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "tests/e2e/harness/child_process.h"
#include "tests/e2e/harness/http_client.h"
#include "tests/e2e/harness/tcp_proxy.h"
#include "tests/e2e/harness/temp_dir.h"
#include "tests/libs/pg/test_database.h"

namespace chatter::e2e {

enum class Component { kAuth = 0, kChat = 1, kRealtime = 2, kGateway = 3 };
inline constexpr std::array<Component, 3> kServices = {Component::kAuth, Component::kChat,
                                                       Component::kRealtime};
inline constexpr std::array<Component, 4> kComponents = {Component::kAuth, Component::kChat,
                                                         Component::kRealtime, Component::kGateway};

// "auth-svc", "chat-svc", "realtime-svc", "gateway": process, log and readiness names alike.
std::string ComponentName(Component component);
// The built binary (from the build tree).
std::string BinaryPath(Component component);

// A URL like postgresql://user@host:port/db split around its host and port.
struct UrlAuthority {
  std::string host;
  int port = 0;
};
absl::StatusOr<UrlAuthority> ParseUrlAuthority(const std::string& url, int default_port);
// `url` with its host:port replaced by `host_port`.
std::string UrlWithAuthority(const std::string& url, const std::string& host_port);

// One running copy of a component: realtime-svc and the gateway may run several (index 0, 1, ...).
struct InstanceId {
  Component component;
  int index = 0;
};

struct StackOptions {
  // auth-svc and chat-svc reach PostgreSQL through postgres_proxy().
  bool proxy_postgres = false;
  // realtime-svc reaches Redis through redis_proxy().
  bool proxy_redis = false;
  // Extra or overriding settings (docs/CONFIGURATION.md) per component, applied last, e.g.
  // {{Component::kGateway, {{"CHATTER_CORS_ORIGINS", "http://localhost:*"}}}}.
  std::map<Component, ChildProcess::Env> env = {};
  // Settings for one instance only (e.g. a fault hook in chat-svc 1), applied after `env`.
  std::vector<std::pair<InstanceId, ChildProcess::Env>> instance_env = {};
  // How many realtime-svc processes and gateways to run. They share Redis (one key prefix per
  // stack). Gateway i is pointed at realtime-svc i % realtime_instances first and at the others
  // after it, so it fails over when that one dies. chat-svc publishes to every instance, first
  // to instance 0.
  int realtime_instances = 1;
  int gateway_instances = 1;
  // How many chat-svc processes, on one database. Gateway i calls chat-svc i % chat_instances
  // (and the others after it when that one is down);
  // chat-svc i publishes to realtime-svc i % realtime_instances first; realtime-svc reads block
  // relations from chat-svc 0.
  int chat_instances = 1;
  // Bound on the whole start, including the first 200 from the gateway's /readyz.
  absl::Duration start_timeout = absl::Seconds(30);
  // Bound on each process's exit after SIGTERM in Stop().
  absl::Duration stop_timeout = absl::Seconds(10);
};

// The service principals every stack's auth-svc knows (AuthTestEnv), each process using its own
// (CHATTER_SERVICE_CLIENT_ID/_SECRET); tests may act as them to check who may call what.
struct ServicePrincipal {
  const char* client_id;
  const char* secret;
};
inline constexpr ServicePrincipal kChatPrincipal = {"chat-svc", "e2e-chat-svc-secret-0123456789"};
inline constexpr ServicePrincipal kRealtimePrincipal = {"realtime-svc",
                                                        "e2e-realtime-secret-0123456789"};
inline constexpr ServicePrincipal kGatewayPrincipal = {"gateway", "e2e-gateway-secret-0123456789"};
// Principals of the platform's own backends, for chat-svc's server API (ChatAdmin): registered at
// every stack's auth-svc, allowed nothing until a test sets chat-svc's CHATTER_CHAT_ADMIN_ACL.
inline constexpr ServicePrincipal kPlatformPrincipal = {"platform-e2e",
                                                        "e2e-platform-secret-0123456789"};
inline constexpr ServicePrincipal kPlatformReaderPrincipal = {"platform-reader-e2e",
                                                              "e2e-platform-reader-secret-012345"};

// Settings every stack gives auth-svc besides addresses and its database: a fresh random JWT
// signing key (CHATTER_JWT_SIGNING_KEYS) and cheap argon2id parameters, so sign-ups in tests
// take milliseconds.
ChildProcess::Env AuthTestEnv();

class Stack {
 public:
  // Creates the databases, starts the proxies, then auth-svc, realtime-svc and chat-svc in that
  // order (each later one is pointed at the earlier ones: token keys and service tokens from
  // auth-svc, events to realtime-svc; each service migrates its database), then the gateway, and
  // waits until the gateway's /readyz answers 200. Errors carry the log tails of every process, and
  // the logs are kept.
  static absl::StatusOr<std::unique_ptr<Stack>> Start(StackOptions options = {});

  // Kills whatever still runs (Stop() is the clean way), then drops the databases. Logs are
  // kept when the test failed.
  ~Stack();
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;

  int gateway_port(int instance = 0) const {
    return SlotOf({Component::kGateway, instance}).ports.main;
  }
  std::string gateway_url(int instance = 0) const;  // "http://127.0.0.1:<port>"
  // The gRPC address ("127.0.0.1:<port>") of a service.
  std::string grpc_address(Component service, int instance = 0) const;
  // A service token of `principal` from auth-svc's IssueServiceToken, as services get theirs.
  absl::StatusOr<std::string> IssueServiceToken(const ServicePrincipal& principal) const;
  // The admin HTTP port (/metrics, /healthz, /readyz) of any component.
  int admin_port(Component component, int instance = 0) const {
    return SlotOf({component, instance}).ports.admin;
  }

  ChildProcess& process(Component component, int instance = 0) {
    return *SlotOf({component, instance}).process;
  }
  // Null unless asked for in StackOptions.
  TcpProxy* postgres_proxy() { return postgres_proxy_.get(); }
  TcpProxy* redis_proxy() { return redis_proxy_.get(); }
  const pg::TestDatabase& database(Component service) const;  // kAuth or kChat
  const std::string& log_dir() const { return logs_.path(); }

  // Polls GET /readyz on the gateway until `accept(reply)` holds and returns that reply;
  // DEADLINE_EXCEEDED (with the last reply and the log tails) after `timeout`.
  absl::StatusOr<HttpReply> WaitForReadyz(const std::function<bool(const HttpReply&)>& accept,
                                          absl::Duration timeout);

  // Ends `component` with `signal` (SIGKILL by default) on purpose: Stop() will not expect it to
  // have exited cleanly. Returns how it ended.
  ExitStatus Kill(Component component, int signal = SIGKILL) {
    return Kill(InstanceId{component}, signal);
  }
  ExitStatus Kill(InstanceId instance, int signal = SIGKILL);
  // Starts a component that Kill() ended again, on the same ports, and waits for its "serving"
  // log line.
  absl::Status Restart(Component component) { return Restart(InstanceId{component}); }
  absl::Status Restart(InstanceId instance);

  // SIGTERM to the gateway, then to the three services; adds a test failure (with the log tail)
  // for every process not ended by Kill() that does not exit with code 0 in time. Idempotent.
  void Stop();

  // The last lines of every process's log, for failure messages.
  std::string LogTails() const;

 private:
  struct Ports {
    int main = 0;  // gRPC for services, public HTTP for the gateway
    int admin = 0;
  };
  // Everything about one process of the stack.
  struct Slot {
    InstanceId id;
    ChildProcess::Env env;
    Ports ports;
    bool killed = false;
    std::unique_ptr<ChildProcess> process;
  };

  explicit Stack(StackOptions options);
  Slot& SlotOf(InstanceId id);
  const Slot& SlotOf(InstanceId id) const;
  int InstanceCount(Component component) const;
  absl::Status StartAll();
  absl::Status Launch(Slot& slot, absl::Duration timeout);
  ChildProcess::Env ServiceEnv(InstanceId service) const;
  ChildProcess::Env GatewayEnv(int instance) const;
  ChildProcess::Env WithOverrides(InstanceId instance, ChildProcess::Env env) const;
  // "realtime-svc" for instance 0, "realtime-svc.1" for the next: log and process names.
  static std::string SlotName(InstanceId id);
  // The comma-separated gRPC addresses of every instance of `component`, instance `first`
  // first (a client fails over to the next when its first dies).
  std::string InstanceAddresses(Component component, int first) const;

  StackOptions options_;
  TempDir logs_;  // First: destroyed last, after every process wrote its last line.
  std::optional<pg::TestDatabase> auth_db_;
  std::optional<pg::TestDatabase> chat_db_;
  std::string redis_url_;
  std::unique_ptr<TcpProxy> postgres_proxy_;
  std::unique_ptr<TcpProxy> redis_proxy_;
  std::string redis_prefix_;  // Unique per stack: tests share one Redis.
  std::vector<Slot> slots_;   // Last: processes end first.
  bool stopped_ = false;
};

}  // namespace chatter::e2e
