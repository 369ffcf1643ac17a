// Beast listener and per-connection session.
#include "gateway/http/http_server.h"

#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

#include "absl/strings/str_cat.h"
#include "libs/config/config_reader.h"
#include "libs/log/log.h"

namespace chatter::gateway {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {
std::chrono::steady_clock::duration ToChrono(absl::Duration duration) {
  return std::chrono::milliseconds(absl::ToInt64Milliseconds(duration));
}
}  // namespace

class HttpServer::Session : public std::enable_shared_from_this<HttpServer::Session> {
 public:
  Session(tcp::socket socket, HttpServer& server) : stream_(std::move(socket)), server_(server) {
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) client_ip_ = endpoint.address().to_string();
    ++server_.connections_;
  }
  ~Session() { --server_.connections_; }

  void Start() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::Read, shared_from_this()));
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->body_limit(server_.options_.max_body_bytes);
    parser_->header_limit(server_.options_.max_header_bytes);
    // The first request on a connection gets the request timeout; later ones may idle first.
    stream_.expires_after(ToChrono(first_request_ ? server_.options_.request_read_timeout
                                                  : server_.options_.keep_alive_idle_timeout));
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, size_t) {
    first_request_ = false;
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset ||
        ec == net::error::eof) {
      return Close();
    }
    if (ec == http::error::body_limit) {
      return Write(server_.dispatcher_.TransportError(
          413, absl::InvalidArgumentError(absl::StrCat(
                   "request body exceeds ", server_.options_.max_body_bytes, " bytes"))));
    }
    if (ec == http::error::header_limit) {
      return Write(server_.dispatcher_.TransportError(
          431, absl::InvalidArgumentError("request headers too large"), nullptr, client_ip_));
    }
    if (ec) {
      return Write(server_.dispatcher_.TransportError(
          400, absl::InvalidArgumentError("malformed HTTP request"), nullptr, client_ip_));
    }
    HttpRequest request = parser_->release();
    if (server_.upgrades_ != nullptr && server_.upgrades_->Wants(request)) {
      stream_.expires_never();  // The new protocol sets its own timeouts.
      server_.upgrades_->Upgrade(std::move(stream_), std::move(request), client_ip_);
      return;
    }
    keep_alive_ = request.keep_alive();
    ++server_.in_flight_;
    auto self = shared_from_this();
    server_.dispatcher_.Dispatch(std::move(request), client_ip_, [self](HttpResponse response) {
      // Handlers may answer from a gRPC thread: hop back onto this connection's strand.
      net::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        --self->server_.in_flight_;
        response.keep_alive(self->keep_alive_ && response.keep_alive());
        self->Write(std::move(response));
      });
    });
  }

  void Write(HttpResponse response) {
    if (!response.keep_alive()) keep_alive_ = false;
    response.keep_alive(keep_alive_);
    auto message = std::make_shared<HttpResponse>(std::move(response));
    stream_.expires_after(ToChrono(server_.options_.request_read_timeout));
    http::async_write(stream_, *message,
                      [self = shared_from_this(), message](beast::error_code ec, size_t) {
                        if (ec || !self->keep_alive_) return self->Close();
                        self->Read();
                      });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  HttpServer& server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string client_ip_;
  bool keep_alive_ = true;
  bool first_request_ = true;
};

HttpServer::HttpServer(net::io_context& io, HttpServerOptions options, Dispatcher& dispatcher,
                       UpgradeHandler* upgrades)
    : io_(io),
      options_(std::move(options)),
      dispatcher_(dispatcher),
      upgrades_(upgrades),
      acceptor_(net::make_strand(io)) {}

HttpServer::~HttpServer() = default;

absl::Status HttpServer::Start() {
  auto host_port = config::ParseHostPort(options_.listen_address);
  if (!host_port) return absl::InvalidArgumentError("listen address must be host:port");
  beast::error_code ec;
  auto address = net::ip::make_address(host_port->host, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("bad listen host ", host_port->host));
  tcp::endpoint endpoint(address, host_port->port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options_.listen_address, ": ", ec.message()));
  }
  port_ = acceptor_.local_endpoint().port();
  Accept();
  return absl::OkStatus();
}

void HttpServer::Accept() {
  acceptor_.async_accept(net::make_strand(io_), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) {
      int open = connections_.load() + (upgrades_ ? upgrades_->open_connections() : 0);
      if (open >= options_.max_connections) {
        // Over the cap: refuse at once rather than queue without bound.
        beast::error_code ignored;
        socket.close(ignored);
        log::Warn("connection refused: too many open connections",
                  {{"limit", options_.max_connections}});
      } else {
        std::make_shared<Session>(std::move(socket), *this)->Start();
      }
    }
    Accept();
  });
}

void HttpServer::StopAccepting() {
  net::post(acceptor_.get_executor(), [this] {
    beast::error_code ec;
    acceptor_.close(ec);
  });
}

}  // namespace chatter::gateway
