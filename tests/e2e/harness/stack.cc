// Stack: start order databases -> proxies -> services -> gateway -> /readyz 200; stop order
// gateway -> services.
#include "tests/e2e/harness/stack.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <random>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "chatter/auth/v1/auth.grpc.pb.h"
#include "libs/status/grpc_status.h"
#include "libs/status/status_macros.h"
#include "tests/e2e/harness/free_port.h"

#ifndef AUTH_SVC_BIN
#error "AUTH_SVC_BIN must name the auth-svc binary (see tests/e2e/CMakeLists.txt)"
#endif

namespace chatter::e2e {
namespace {

constexpr absl::Duration kReadyzPollInterval = absl::Milliseconds(50);
constexpr absl::Duration kReadyzRequestTimeout = absl::Seconds(3);

std::string RequiredEnv(const char* name, absl::Status& status) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    status = absl::FailedPreconditionError(
        absl::StrCat(name,
                     " is not set: end-to-end tests need a throwaway cluster (run them with "
                     "`tools/dev test -L e2e`)"));
    return "";
  }
  return value;
}

// Reads an integer field of a JSON log line's "fields".
absl::StatusOr<int> PortField(const nlohmann::json& line, const char* field) {
  const nlohmann::json& fields = line.value("fields", nlohmann::json::object());
  if (!fields.contains(field) || !fields[field].is_number_integer()) {
    return absl::InternalError(absl::StrCat("no integer fields.", field, " in ", line.dump()));
  }
  return fields[field].get<int>();
}

}  // namespace

std::string ComponentName(Component component) {
  switch (component) {
    case Component::kAuth:
      return "auth-svc";
    case Component::kChat:
      return "chat-svc";
    case Component::kRealtime:
      return "realtime-svc";
    case Component::kGateway:
      return "gateway";
  }
  return "unknown";
}

std::string BinaryPath(Component component) {
  switch (component) {
    case Component::kAuth:
      return AUTH_SVC_BIN;
    case Component::kChat:
      return CHAT_SVC_BIN;
    case Component::kRealtime:
      return REALTIME_SVC_BIN;
    case Component::kGateway:
      return GATEWAY_BIN;
  }
  return "";
}

absl::StatusOr<UrlAuthority> ParseUrlAuthority(const std::string& url, int default_port) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos)
    return absl::InvalidArgumentError(absl::StrCat("not a URL: ", url));
  size_t begin = scheme + 3;
  size_t end = url.find_first_of("/?", begin);
  if (end == std::string::npos) end = url.size();
  size_t at = url.rfind('@', end);
  if (at != std::string::npos && at >= begin) begin = at + 1;
  std::string authority = url.substr(begin, end - begin);
  UrlAuthority result;
  size_t colon = authority.rfind(':');
  if (colon == std::string::npos || authority.back() == ']') {
    result.host = authority;
    result.port = default_port;
  } else {
    result.host = authority.substr(0, colon);
    if (!absl::SimpleAtoi(authority.substr(colon + 1), &result.port)) {
      return absl::InvalidArgumentError(absl::StrCat("bad port in URL: ", url));
    }
  }
  if (result.host.empty()) return absl::InvalidArgumentError(absl::StrCat("no host in URL: ", url));
  return result;
}

std::string UrlWithAuthority(const std::string& url, const std::string& host_port) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  size_t begin = scheme + 3;
  size_t end = url.find_first_of("/?", begin);
  if (end == std::string::npos) end = url.size();
  size_t at = url.rfind('@', end);
  if (at != std::string::npos && at >= begin) begin = at + 1;
  return absl::StrCat(url.substr(0, begin), host_port, url.substr(end));
}

Stack::Stack(StackOptions options) : options_(std::move(options)), logs_("stack") {
  std::random_device random;
  redis_prefix_ = absl::StrCat("e2e-", random(), random(), ":");
  auto add = [this](Component component, int count) {
    for (int index = 0; index < count; ++index) {
      Slot slot;
      slot.id = {component, index};
      slots_.push_back(std::move(slot));
    }
  };
  add(Component::kAuth, 1);
  add(Component::kChat, std::max(1, options_.chat_instances));
  add(Component::kRealtime, std::max(1, options_.realtime_instances));
  add(Component::kGateway, std::max(1, options_.gateway_instances));
}

Stack::Slot& Stack::SlotOf(InstanceId id) {
  return const_cast<Slot&>(static_cast<const Stack*>(this)->SlotOf(id));
}

const Stack::Slot& Stack::SlotOf(InstanceId id) const {
  for (const Slot& slot : slots_) {
    if (slot.id.component == id.component && slot.id.index == id.index) return slot;
  }
  ADD_FAILURE() << "the stack has no " << SlotName(id);
  std::abort();
}

int Stack::InstanceCount(Component component) const {
  int count = 0;
  for (const Slot& slot : slots_) count += slot.id.component == component ? 1 : 0;
  return count;
}

std::string Stack::SlotName(InstanceId id) {
  std::string name = ComponentName(id.component);
  return id.index == 0 ? name : absl::StrCat(name, ".", id.index);
}

absl::StatusOr<std::unique_ptr<Stack>> Stack::Start(StackOptions options) {
  std::unique_ptr<Stack> stack(new Stack(std::move(options)));
  if (stack->logs_.path().empty()) return absl::InternalError("no log directory");
  if (absl::Status started = stack->StartAll(); !started.ok()) {
    stack->logs_.Keep();
    return absl::Status(started.code(),
                        absl::StrCat(started.message(), "\n(logs in ", stack->logs_.path(), ")"));
  }
  return stack;
}

absl::Status Stack::StartAll() {
  absl::Time deadline = absl::Now() + options_.start_timeout;
  absl::Status env_status;
  std::string redis_url = RequiredEnv("CHATTER_TEST_REDIS_URL", env_status);
  RequiredEnv("CHATTER_TEST_PG_URL", env_status);
  CHATTER_RETURN_IF_ERROR(env_status);
  redis_url_ = redis_url;
  CHATTER_ASSIGN_OR_RETURN(pg::TestDatabase auth_db, pg::TestDatabase::Create());
  auth_db_.emplace(std::move(auth_db));
  CHATTER_ASSIGN_OR_RETURN(pg::TestDatabase chat_db, pg::TestDatabase::Create());
  chat_db_.emplace(std::move(chat_db));

  if (options_.proxy_postgres) {
    CHATTER_ASSIGN_OR_RETURN(UrlAuthority pg, ParseUrlAuthority(auth_db_->url(), 5432));
    CHATTER_ASSIGN_OR_RETURN(postgres_proxy_, TcpProxy::Start(pg.host, pg.port));
  }
  if (options_.proxy_redis) {
    CHATTER_ASSIGN_OR_RETURN(UrlAuthority redis, ParseUrlAuthority(redis_url, 6379));
    CHATTER_ASSIGN_OR_RETURN(redis_proxy_, TcpProxy::Start(redis.host, redis.port));
    redis_url_ = UrlWithAuthority(redis_url, redis_proxy_->address());
  }

  // auth-svc first: the other services fetch the token verification keys from it (and are not
  // ready without them). realtime-svc and chat-svc call each other (block relations; events), so
  // chat-svc's port is picked before realtime-svc starts. Each service migrates its own database
  // before serving.
  for (Slot& slot : slots_) {
    if (slot.id.component == Component::kChat) slot.ports.main = FreePort();
  }
  for (Component component :
       {Component::kAuth, Component::kRealtime, Component::kChat, Component::kGateway}) {
    for (Slot& slot : slots_) {
      if (slot.id.component != component) continue;
      slot.env = component == Component::kGateway ? GatewayEnv(slot.id.index) : ServiceEnv(slot.id);
      CHATTER_ASSIGN_OR_RETURN(
          slot.process, ChildProcess::Start(SlotName(slot.id), BinaryPath(component), {}, slot.env,
                                            logs_.path()));
    }
    for (Slot& slot : slots_) {
      if (slot.id.component == component) {
        CHATTER_RETURN_IF_ERROR(Launch(slot, deadline - absl::Now()));
      }
    }
  }

  for (int gateway = 0; gateway < InstanceCount(Component::kGateway); ++gateway) {
    int port = gateway_port(gateway);
    absl::Status ready = absl::OkStatus();
    while (true) {
      absl::StatusOr<HttpReply> reply = HttpGet(port, "/readyz", {}, kReadyzRequestTimeout);
      if (reply.ok() && reply->status == 200) break;
      if (absl::Now() >= deadline) {
        return absl::DeadlineExceededError(absl::StrCat(
            SlotName({Component::kGateway, gateway}), " /readyz not 200 within the start timeout; ",
            reply.ok() ? absl::StrCat(reply->status, " ", reply->body) : reply.status().ToString(),
            "\n", LogTails()));
      }
      absl::SleepFor(kReadyzPollInterval);
    }
  }
  return absl::OkStatus();
}

// Starts the slot's process with its env unless already started, then reads its ports from the
// "serving" line it logs once both of its listeners are bound.
absl::Status Stack::Launch(Slot& slot, absl::Duration timeout) {
  Component component = slot.id.component;
  if (slot.process == nullptr || slot.process->exit_status().has_value()) {
    CHATTER_ASSIGN_OR_RETURN(
        slot.process,
        ChildProcess::Start(SlotName(slot.id), BinaryPath(component), {}, slot.env, logs_.path()));
  }
  absl::StatusOr<nlohmann::json> serving = slot.process->WaitForLogMessage("serving", timeout);
  if (!serving.ok()) {
    return absl::Status(serving.status().code(),
                        absl::StrCat(serving.status().message(), "\n", LogTails()));
  }
  const char* main_field = component == Component::kGateway ? "http_port" : "grpc_port";
  CHATTER_ASSIGN_OR_RETURN(slot.ports.main, PortField(*serving, main_field));
  CHATTER_ASSIGN_OR_RETURN(slot.ports.admin, PortField(*serving, "admin_port"));
  return absl::OkStatus();
}

std::string Stack::InstanceAddresses(Component component, int first) const {
  int count = InstanceCount(component);
  std::vector<std::string> addresses;
  for (int i = 0; i < count; ++i) addresses.push_back(grpc_address(component, (first + i) % count));
  return absl::StrJoin(addresses, ",");
}

ChildProcess::Env Stack::ServiceEnv(InstanceId id) const {
  Component service = id.component;
  int chat_port = SlotOf({Component::kChat}).ports.main;
  ChildProcess::Env env = {
      {"CHATTER_GRPC_LISTEN", service == Component::kChat
                                  ? absl::StrCat("127.0.0.1:", SlotOf(id).ports.main)
                                  : std::string("127.0.0.1:0")},
      {"CHATTER_ADMIN_LISTEN", "127.0.0.1:0"},
      {"CHATTER_SHUTDOWN_GRACE_MS", "5000"},
  };
  if (service == Component::kAuth || service == Component::kChat) {
    std::string url = database(service).url();
    if (postgres_proxy_) url = UrlWithAuthority(url, postgres_proxy_->address());
    // emplace, not operator[]= with a literal: GCC 12 warns falsely (-Wrestrict) on the latter.
    env.emplace("CHATTER_DATABASE_URL", url);
    env.emplace("CHATTER_DB_POOL_SIZE", "4");
  }
  if (service == Component::kAuth) {
    env.merge(AuthTestEnv());
  } else {
    env.emplace("CHATTER_AUTH_ADDR", grpc_address(Component::kAuth));
    const ServicePrincipal& principal =
        service == Component::kChat ? kChatPrincipal : kRealtimePrincipal;
    env.emplace("CHATTER_SERVICE_CLIENT_ID", principal.client_id);
    env.emplace("CHATTER_SERVICE_CLIENT_SECRET", principal.secret);
  }
  if (service == Component::kRealtime) {
    env.emplace("CHATTER_REDIS_URL", redis_url_);
    env.emplace("CHATTER_REDIS_PREFIX", redis_prefix_);
    env.emplace("CHATTER_CHAT_ADDR", absl::StrCat("127.0.0.1:", chat_port));
  }
  if (service == Component::kChat) {
    // Room events onto the bus directly, as in production (RedisEventSink).
    env.emplace("CHATTER_REDIS_URL", redis_url_);
    env.emplace("CHATTER_REDIS_PREFIX", redis_prefix_);
    env.emplace(
        "CHATTER_REALTIME_ADDR",
        InstanceAddresses(Component::kRealtime, id.index % InstanceCount(Component::kRealtime)));
  }
  return WithOverrides(id, std::move(env));
}

ChildProcess::Env Stack::GatewayEnv(int instance) const {
  ChildProcess::Env env = {
      {"CHATTER_HTTP_LISTEN", "127.0.0.1:0"},
      {"CHATTER_ADMIN_LISTEN", "127.0.0.1:0"},
      {"CHATTER_AUTH_ADDR", grpc_address(Component::kAuth)},
      {"CHATTER_CHAT_ADDR",
       InstanceAddresses(Component::kChat, instance % InstanceCount(Component::kChat))},
      {"CHATTER_REALTIME_ADDR",
       InstanceAddresses(Component::kRealtime, instance % InstanceCount(Component::kRealtime))},
      {"CHATTER_SERVICE_CLIENT_ID", kGatewayPrincipal.client_id},
      {"CHATTER_SERVICE_CLIENT_SECRET", kGatewayPrincipal.secret},
      {"CHATTER_SHUTDOWN_GRACE_MS", "5000"},
      // Rate limits are shared through the stack's Redis as in production, but high enough
      // that tests which sign up and log in dozens of users from 127.0.0.1 never meet them;
      // rate-limit tests override them.
      {"CHATTER_REDIS_URL", redis_url_},
      {"CHATTER_REDIS_PREFIX", redis_prefix_},
      // Room events from the bus, as tools/dev and deploy/ run it (tests of the stream path
      // override it).
      {"CHATTER_GATEWAY_EVENTS_FROM_BUS", "true"},
      {"CHATTER_RATE_LIMIT_IP_PER_MINUTE", "100000"},
      {"CHATTER_RATE_LIMIT_IP_BURST", "100000"},
      {"CHATTER_RATE_LIMIT_USER_PER_MINUTE", "100000"},
      {"CHATTER_RATE_LIMIT_USER_BURST", "100000"},
      {"CHATTER_RATE_LIMIT_LOGIN_PER_MINUTE", "1000000"},
      {"CHATTER_RATE_LIMIT_LOGIN_BURST", "100000"},
      {"CHATTER_RATE_LIMIT_SIGNUP_PER_HOUR", "1000000"},
      {"CHATTER_RATE_LIMIT_SIGNUP_BURST", "100000"},
  };
  return WithOverrides({Component::kGateway, instance}, std::move(env));
}

ChildProcess::Env Stack::WithOverrides(InstanceId instance, ChildProcess::Env env) const {
  auto overrides = options_.env.find(instance.component);
  if (overrides != options_.env.end()) {
    for (const auto& [name, value] : overrides->second) env[name] = value;
  }
  for (const auto& [id, settings] : options_.instance_env) {
    if (id.component != instance.component || id.index != instance.index) continue;
    for (const auto& [name, value] : settings) env[name] = value;
  }
  return env;
}

absl::StatusOr<std::string> Stack::IssueServiceToken(const ServicePrincipal& principal) const {
  auto auth = auth::v1::AuthService::NewStub(
      grpc::CreateChannel(grpc_address(Component::kAuth), grpc::InsecureChannelCredentials()));
  auth::v1::IssueServiceTokenRequest request;
  request.set_client_id(principal.client_id);
  request.set_client_secret(principal.secret);
  auth::v1::IssueServiceTokenResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::Status status = auth->IssueServiceToken(&context, request, &response);
  if (!status.ok()) return status::FromGrpcStatus(status);
  return response.access_token();
}

ChildProcess::Env AuthTestEnv() {
  // An Ed25519 seed: 32 random bytes, base64url without padding, as `auth-svc genkey` prints.
  std::random_device random;
  std::string seed(32, '\0');
  for (char& byte : seed) byte = static_cast<char>(random() & 0xff);
  return {
      {"CHATTER_JWT_SIGNING_KEYS", absl::StrCat("e2e:", absl::WebSafeBase64Escape(seed))},
      {"CHATTER_ARGON2_OPS_LIMIT", "1"},
      {"CHATTER_ARGON2_MEM_KIB", "8192"},
      {"CHATTER_SERVICE_CLIENTS",
       absl::StrJoin({kChatPrincipal, kRealtimePrincipal, kGatewayPrincipal, kPlatformPrincipal,
                      kPlatformReaderPrincipal},
                     ",",
                     [](std::string* out, const ServicePrincipal& principal) {
                       absl::StrAppend(out, principal.client_id, ":", principal.secret);
                     })},
  };
}

Stack::~Stack() {
  // ChildProcess destructors SIGKILL leftovers; databases are dropped after that.
  for (Slot& slot : slots_) slot.process.reset();
}

std::string Stack::gateway_url(int instance) const {
  return absl::StrCat("http://127.0.0.1:", gateway_port(instance));
}

std::string Stack::grpc_address(Component service, int instance) const {
  return absl::StrCat("127.0.0.1:", SlotOf({service, instance}).ports.main);
}

const pg::TestDatabase& Stack::database(Component service) const {
  return service == Component::kChat ? *chat_db_ : *auth_db_;
}

absl::StatusOr<HttpReply> Stack::WaitForReadyz(const std::function<bool(const HttpReply&)>& accept,
                                               absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  std::string last = "no answer yet";
  while (true) {
    absl::StatusOr<HttpReply> reply = HttpGet(gateway_port(), "/readyz", {}, kReadyzRequestTimeout);
    if (reply.ok() && accept(*reply)) return reply;
    last = reply.ok() ? absl::StrCat(reply->status, " ", reply->body) : reply.status().ToString();
    if (absl::Now() >= deadline) break;
    absl::SleepFor(kReadyzPollInterval);
  }
  return absl::DeadlineExceededError(absl::StrCat("gateway /readyz not as expected within ",
                                                  absl::FormatDuration(timeout),
                                                  "; last answer: ", last, "\n", LogTails()));
}

ExitStatus Stack::Kill(InstanceId instance, int signal) {
  Slot& slot = SlotOf(instance);
  slot.killed = true;
  return slot.process->Stop(signal, options_.stop_timeout);
}

absl::Status Stack::Restart(InstanceId instance) {
  Slot& slot = SlotOf(instance);
  if (slot.process->Running()) {
    return absl::FailedPreconditionError(
        absl::StrCat(SlotName(instance), " still runs; Kill() it first"));
  }
  Component component = instance.component;
  slot.env[component == Component::kGateway ? "CHATTER_HTTP_LISTEN" : "CHATTER_GRPC_LISTEN"] =
      absl::StrCat("127.0.0.1:", slot.ports.main);
  slot.env["CHATTER_ADMIN_LISTEN"] = absl::StrCat("127.0.0.1:", slot.ports.admin);
  // The new process appends to the same log; "serving" must come from it, so use a new name.
  CHATTER_ASSIGN_OR_RETURN(slot.process,
                           ChildProcess::Start(absl::StrCat(SlotName(instance), ".restarted"),
                                               BinaryPath(component), {}, slot.env, logs_.path()));
  slot.killed = false;
  return Launch(slot, options_.start_timeout);
}

void Stack::Stop() {
  if (stopped_) return;
  stopped_ = true;
  // All of a group get SIGTERM at once, then each gets the whole timeout to exit.
  auto stop = [this](bool gateways) {
    std::vector<Slot*> signalled;
    for (Slot& slot : slots_) {
      if ((slot.id.component == Component::kGateway) != gateways) continue;
      if (slot.process == nullptr || slot.killed) continue;
      slot.process->Signal(SIGTERM);
      signalled.push_back(&slot);
    }
    for (Slot* slot : signalled) {
      ChildProcess& child = *slot->process;
      std::optional<ExitStatus> status = child.WaitExit(options_.stop_timeout);
      if (!status) {
        ADD_FAILURE() << child.name() << " did not exit within "
                      << absl::FormatDuration(options_.stop_timeout) << " of SIGTERM\n"
                      << child.LogTail();
        status = child.Stop(SIGKILL, options_.stop_timeout);
      }
      EXPECT_TRUE(status->ExitedWith(0))
          << child.name() << " ended with " << status->ToString() << " after SIGTERM\n"
          << child.LogTail();
    }
  };
  stop(/*gateways=*/true);
  stop(/*gateways=*/false);
}

std::string Stack::LogTails() const {
  std::string tails;
  for (const Slot& slot : slots_) {
    if (slot.process != nullptr) absl::StrAppend(&tails, slot.process->LogTail(20));
  }
  return tails;
}

}  // namespace chatter::e2e
