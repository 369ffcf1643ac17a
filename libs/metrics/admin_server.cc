// AdminServer: a Beast listener with one small session class and a three-route table.
#include "libs/metrics/admin_server.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string_view>
#include <thread>

#include "libs/config/config_reader.h"

namespace chatter::metrics {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
using Readiness = std::function<ReadinessReport()>;

constexpr size_t kMaxHeaderBytes = 8 * 1024;
// Nothing here takes a body; a small one may still arrive with a request we answer 405.
constexpr size_t kMaxBodyBytes = 8 * 1024;
constexpr auto kIoTimeout = std::chrono::seconds(10);
// Pause after a failed accept (e.g. out of descriptors) instead of spinning on the error.
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);
constexpr char kTextPlain[] = "text/plain; charset=utf-8";
constexpr char kMetricsContentType[] = "text/plain; version=0.0.4; charset=utf-8";

Response MakeResponse(const Request& request, http::status status, const char* content_type,
                      std::string body) {
  Response response(status, request.version());
  response.set(http::field::content_type, content_type);
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  if (request.method() == http::verb::head) {
    // The headers GET would send, including its Content-Length, without the body.
    const size_t length = response.body().size();
    response.body().clear();
    response.content_length(length);
  }
  return response;
}

Response Route(const Request& request, const Registry& registry, const Readiness& readiness) {
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    Response response =
        MakeResponse(request, http::status::method_not_allowed, kTextPlain, "method not allowed");
    response.set(http::field::allow, "GET, HEAD");
    return response;
  }
  const std::string_view target(request.target().data(), request.target().size());
  const std::string_view path = target.substr(0, target.find('?'));
  if (path == "/metrics") {
    return MakeResponse(request, http::status::ok, kMetricsContentType, registry.RenderText());
  }
  if (path == "/healthz") return MakeResponse(request, http::status::ok, kTextPlain, "ok");
  if (path == "/readyz") {
    ReadinessReport report = readiness ? readiness() : ReadinessReport{true, ""};
    if (report.ready) return MakeResponse(request, http::status::ok, kTextPlain, "ready");
    return MakeResponse(request, http::status::service_unavailable, kTextPlain,
                        report.detail.empty() ? "not ready" : std::move(report.detail));
  }
  return MakeResponse(request, http::status::not_found, kTextPlain, "not found");
}

// One connection: read a request, answer it, and again while the client keeps it alive.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const Registry& registry, const Readiness& readiness)
      : stream_(std::move(socket)), registry_(registry), readiness_(readiness) {}

  void Start() { ReadRequest(); }

 private:
  void ReadRequest() {
    parser_.emplace();
    parser_->header_limit(kMaxHeaderBytes);
    parser_->body_limit(kMaxBodyBytes);
    stream_.expires_after(kIoTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, size_t /*bytes*/) {
    // Timeout, hang-up, or an oversized or malformed request: drop the connection (the socket
    // closes with the session); such a client gains nothing from an answer.
    if (ec) return;
    response_ = Route(parser_->get(), registry_, readiness_);
    stream_.expires_after(kIoTimeout);
    http::async_write(stream_, response_,
                      beast::bind_front_handler(&Session::OnWrite, shared_from_this()));
  }

  void OnWrite(beast::error_code ec, size_t /*bytes*/) {
    if (ec) return;
    if (response_.keep_alive()) return ReadRequest();
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_{kMaxHeaderBytes + kMaxBodyBytes};
  std::optional<http::request_parser<http::string_body>> parser_;
  Response response_;
  const Registry& registry_;
  const Readiness& readiness_;
};

absl::Status Listen(tcp::acceptor& acceptor, const tcp::endpoint& endpoint,
                    std::string_view where) {
  beast::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(
        std::string("admin server cannot listen on ").append(where).append(": ") + ec.message());
  }
  return absl::OkStatus();
}

}  // namespace

struct AdminServer::Running {
  Running(const Registry& registry, const Readiness& readiness)
      : registry(registry), readiness(readiness) {}

  void Accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted) return;
      if (ec) {
        accept_retry.expires_after(kAcceptRetryDelay);
        accept_retry.async_wait([this](beast::error_code wait_ec) {
          if (!wait_ec) Accept();
        });
        return;
      }
      std::make_shared<Session>(std::move(socket), registry, readiness)->Start();
      Accept();
    });
  }

  const Registry& registry;
  const Readiness& readiness;
  // Declared first so it is destroyed last, after everything registered with it.
  net::io_context io_context{1};
  tcp::acceptor acceptor{io_context};
  net::steady_timer accept_retry{io_context};
  std::thread thread;
};

AdminServer::AdminServer(std::string listen_host_port, const Registry& registry,
                         std::function<ReadinessReport()> readiness)
    : listen_host_port_(std::move(listen_host_port)),
      registry_(registry),
      readiness_(std::move(readiness)) {}

AdminServer::~AdminServer() { Stop(); }

absl::Status AdminServer::Start() {
  if (running_ != nullptr) {
    return absl::FailedPreconditionError("admin server on " + listen_host_port_ +
                                         " already started");
  }
  const std::optional<config::HostAndPort> host_port = config::ParseHostPort(listen_host_port_);
  if (!host_port.has_value()) {
    return absl::InvalidArgumentError("listen address \"" + listen_host_port_ +
                                      "\" is not host:port, as 127.0.0.1:9101 or [::1]:9101");
  }
  beast::error_code ec;
  const net::ip::address address = net::ip::make_address(host_port->host, ec);
  if (ec) {
    return absl::InvalidArgumentError("listen address \"" + listen_host_port_ +
                                      "\": host must be an IP address");
  }
  auto running = std::make_unique<Running>(registry_, readiness_);
  const absl::Status listening =
      Listen(running->acceptor, tcp::endpoint(address, host_port->port), listen_host_port_);
  if (!listening.ok()) return listening;
  port_ = running->acceptor.local_endpoint(ec).port();
  running->Accept();
  running->thread = std::thread([io_context = &running->io_context] { io_context->run(); });
  running_ = std::move(running);
  return absl::OkStatus();
}

void AdminServer::Stop() {
  if (running_ == nullptr) return;
  running_->io_context.stop();
  running_->thread.join();
  // Destroying the io_context destroys its pending handlers, and with them every session and
  // its socket, so idle keep-alive clients see the connection close now.
  running_.reset();
}

}  // namespace chatter::metrics
