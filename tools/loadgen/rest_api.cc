// REST calls and their retry rule for the load generator's setup (see rest_api.h).
#include "tools/loadgen/rest_api.h"

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"

namespace chatter::loadgen {
namespace http = boost::beast::http;

namespace {

// 429 says when to come back, so waiting for it is cheap; a refused or failing server (transport
// error, 503) gets a few quick tries only.
constexpr int kMaxRateLimitedAttempts = 30;
constexpr int kMaxUnavailableAttempts = 5;
constexpr absl::Duration kMaxBackoff = absl::Seconds(2);
constexpr absl::Duration kMaxRetryAfter = absl::Seconds(30);

absl::Duration Backoff(int attempt) {
  return std::min(absl::Milliseconds(100) * (1 << std::min(attempt - 1, 10)), kMaxBackoff);
}

nlohmann::json ParseObject(const std::string& body) {
  nlohmann::json json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  return json.is_object() ? json : nlohmann::json::object();
}

std::string StringAt(const nlohmann::json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

std::optional<absl::Duration> RetryDelay(const HttpResponse& response, int attempt) {
  if (response.status == 429) {
    if (attempt >= kMaxRateLimitedAttempts) return std::nullopt;
    int seconds = response.retry_after_seconds.value_or(1);
    return std::clamp(absl::Seconds(seconds), absl::Milliseconds(100), kMaxRetryAfter);
  }
  if (response.status == 0 || response.status == 503) {
    if (attempt >= kMaxUnavailableAttempts) return std::nullopt;
    return Backoff(attempt);
  }
  return std::nullopt;
}

absl::Status StatusFromResponse(const std::string& call, const HttpResponse& response,
                                int expected_status) {
  if (response.status == expected_status) return absl::OkStatus();
  if (response.status == 0) {
    return absl::UnavailableError(absl::StrCat(call, ": ", response.transport_error));
  }
  nlohmann::json error = ParseObject(response.body).value("error", nlohmann::json::object());
  std::string code = error.is_object() ? StringAt(error, "code") : "";
  std::string message = error.is_object() ? StringAt(error, "message") : "";
  if (code.empty()) message = response.body.substr(0, 200);
  return absl::UnknownError(
      absl::StrCat(call, ": HTTP ", response.status, " ", code, code.empty() ? "" : ": ", message));
}

absl::StatusOr<Account> ParseAccount(const std::string& body) {
  nlohmann::json json = ParseObject(body);
  Account account;
  account.access_token = StringAt(json, "access_token");
  if (auto user = json.find("user"); user != json.end() && user->is_object()) {
    account.user_id = StringAt(*user, "id");
  }
  if (account.access_token.empty() || account.user_id.empty()) {
    return absl::DataLossError(
        absl::StrCat("no access_token or user.id in: ", body.substr(0, 200)));
  }
  return account;
}

absl::StatusOr<std::string> ParseRoomId(const std::string& body) {
  std::string id = StringAt(ParseObject(body), "id");
  if (id.empty()) return absl::DataLossError(absl::StrCat("no room id in: ", body.substr(0, 200)));
  return id;
}

net::awaitable<RestApi::Outcome> RestApi::Call(const HttpRequest& request) {
  Outcome outcome;
  net::steady_timer timer(co_await net::this_coro::executor);
  while (true) {
    ++outcome.attempts;
    ++requests_;
    outcome.response = co_await http_.Send(request);
    std::optional<absl::Duration> delay = RetryDelay(outcome.response, outcome.attempts);
    if (!delay) co_return outcome;
    ++retries_;
    timer.expires_after(absl::ToChronoNanoseconds(*delay));
    boost::system::error_code ignored;
    co_await timer.async_wait(Await(ignored));
  }
}

net::awaitable<absl::StatusOr<Account>> RestApi::Signup(const std::string& username,
                                                        const std::string& email,
                                                        const std::string& password) {
  nlohmann::json body = {{"username", username}, {"email", email}, {"password", password}};
  // Requests are named locals: GCC 12 destroys some temporaries of a co_await expression twice.
  HttpRequest request{http::verb::post, "/v1/auth/signup", body.dump(), ""};
  Outcome signup = co_await Call(request);
  if (signup.response.status == 409 && signup.attempts > 1) {
    nlohmann::json login = {{"username", username}, {"password", password}};
    HttpRequest login_request{http::verb::post, "/v1/auth/login", login.dump(), ""};
    Outcome again = co_await Call(login_request);
    absl::Status status = StatusFromResponse("POST /v1/auth/login", again.response, 200);
    if (!status.ok()) co_return status;
    co_return ParseAccount(again.response.body);
  }
  absl::Status status = StatusFromResponse("POST /v1/auth/signup", signup.response, 201);
  if (!status.ok()) co_return status;
  co_return ParseAccount(signup.response.body);
}

net::awaitable<absl::StatusOr<std::string>> RestApi::CreateRoom(const std::string& access_token,
                                                                const std::string& name) {
  nlohmann::json body = {{"name", name}, {"visibility", "public"}};
  HttpRequest request{http::verb::post, "/v1/rooms", body.dump(), access_token};
  Outcome created = co_await Call(request);
  absl::Status status = StatusFromResponse("POST /v1/rooms", created.response, 201);
  if (!status.ok()) co_return status;
  co_return ParseRoomId(created.response.body);
}

net::awaitable<absl::Status> RestApi::JoinRoom(const std::string& access_token,
                                               const std::string& room_id) {
  std::string target = absl::StrCat("/v1/rooms/", room_id, "/join");
  HttpRequest request{http::verb::post, target, "", access_token};
  Outcome joined = co_await Call(request);
  co_return StatusFromResponse(absl::StrCat("POST ", target), joined.response, 200);
}

}  // namespace chatter::loadgen
