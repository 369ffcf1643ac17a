// Beast listener and per-connection session.
#include "gateway/http/http_server.h"

#include <array>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gateway/edge/request_id.h"
#include "libs/config/config_reader.h"
#include "libs/log/log.h"

namespace chatter::gateway {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

// After a final response on a connection we close, our side is shut down and whatever the
// client still sends is read and dropped, for at most this long: closing a socket with unread
// data makes the kernel send a reset, which can destroy the response before the client reads it
// (RFC 9112 section 9.6). Typical case: a 413 sent while the body is still arriving.
constexpr std::chrono::seconds kLingerTimeout(1);
// Connections over the cap that are answered 503 at the same time; beyond, they are closed at
// once, so a flood of connections costs no more than refusing them silently would.
constexpr int kMaxConcurrentRefusals = 64;
// Bound on writing a refusal.
constexpr std::chrono::seconds kRefusalWriteTimeout(1);
// What a client that sent Expect: 100-continue waits for before sending its body.
constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";

std::chrono::steady_clock::duration ToChrono(absl::Duration duration) {
  return std::chrono::milliseconds(absl::ToInt64Milliseconds(duration));
}

// Shuts down our side of `stream`, drains what the client still sends until it closes or
// `linger` passes, then closes. Owns the stream meanwhile.
class LingeringClose : public std::enable_shared_from_this<LingeringClose> {
 public:
  static void Start(beast::tcp_stream stream, std::chrono::steady_clock::duration linger) {
    auto self = std::make_shared<LingeringClose>(std::move(stream));
    beast::error_code ec;
    self->stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return self->Close();
    self->stream_.expires_after(linger);
    self->Drain();
  }
  // Use Start(); public for std::make_shared only.
  explicit LingeringClose(beast::tcp_stream stream) : stream_(std::move(stream)) {}

 private:
  void Drain() {
    stream_.async_read_some(net::buffer(scratch_),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) return self->Close();  // EOF, reset or timeout.
                              self->Drain();
                            });
  }
  void Close() {
    beast::error_code ignored;
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  std::array<char, 4096> scratch_;
};

}  // namespace

class HttpServer::Session : public std::enable_shared_from_this<HttpServer::Session> {
 public:
  Session(tcp::socket socket, HttpServer& server)
      : stream_(std::move(socket)), server_(server), counts_(server.counts_) {
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) client_ip_ = endpoint.address().to_string();
    ++counts_->connections;
  }
  ~Session() { --counts_->connections; }

  void Start() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::ReadHeader, shared_from_this()));
  }

 private:
  // A new parser per request: limits, then the header within its own timeout. The body limit
  // is the parser's too, so a Content-Length beyond it fails as soon as the header is complete.
  void NewParser() {
    parser_.emplace();
    parser_->body_limit(server_.options_.max_body_bytes);
    parser_->header_limit(server_.options_.max_header_bytes);
  }

  // On a kept-alive connection: waits up to the idle timeout for the next request's first bytes
  // (unless the client pipelined them already), and only then starts the header clock.
  void AwaitNextRequest() {
    if (buffer_.size() > 0) return ReadHeader();
    stream_.expires_after(ToChrono(server_.options_.keep_alive_idle_timeout));
    stream_.async_read_some(
        buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, size_t bytes) {
          if (ec) return self->Close();  // Idle timeout, or the client closed: both normal.
          self->buffer_.commit(bytes);
          self->ReadHeader();
        });
  }

  void ReadHeader() {
    NewParser();
    stream_.expires_after(ToChrono(server_.options_.header_timeout));
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, size_t) {
    if (ec) return OnReadError(ec, /*header_read=*/ec == http::error::body_limit);
    const HttpRequest& header = parser_->get();
    absl::string_view expect = ToAbsl(header[http::field::expect]);
    if (expect.empty() || parser_->is_done()) return ReadBody();
    if (!absl::EqualsIgnoreCase(expect, "100-continue")) {
      return WriteTransportError(417,
                                 absl::FailedPreconditionError(absl::StrCat(
                                     "unsupported Expect: ", expect, " (only 100-continue)")),
                                 /*header_read=*/true);
    }
    // HTTP/1.0 clients do not know 100 (RFC 9110 section 10.1.1): they just send the body.
    if (header.version() < 11) return ReadBody();
    // The announced body is within the limit (a longer Content-Length failed above with 413).
    stream_.expires_after(ToChrono(server_.options_.write_timeout));
    net::async_write(stream_, net::buffer(kContinue, sizeof(kContinue) - 1),
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->Close();
                       self->ReadBody();
                     });
  }

  void ReadBody() {
    if (parser_->is_done()) return OnRequest();
    stream_.expires_after(ToChrono(server_.options_.body_timeout));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->OnReadError(ec, /*header_read=*/true);
                       self->OnRequest();
                     });
  }

  // `header_read`: the parser holds the request's whole header (so the answer keeps the
  // client's request id and origin).
  void OnReadError(beast::error_code ec, bool header_read) {
    if (ec == beast::error::timeout) return OnTimeout(header_read);
    if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
        ec == net::error::connection_reset || ec == net::error::eof) {
      return Close();
    }
    if (ec == http::error::body_limit) {
      return WriteTransportError(
          413,
          absl::InvalidArgumentError(
              absl::StrCat("request body exceeds ", server_.options_.max_body_bytes, " bytes")),
          header_read);
    }
    if (ec == http::error::header_limit) {
      return WriteTransportError(431, absl::InvalidArgumentError("request headers too large"),
                                 false);
    }
    WriteTransportError(
        400, absl::InvalidArgumentError(absl::StrCat("malformed HTTP request: ", ec.message())),
        header_read);
  }

  // The stream closed the socket on timeout, so no answer can go out: the line in the log is
  // all that is left of the request. A connection that never sent anything is not news.
  void OnTimeout(bool header_read) {
    if (!header_read && !parser_->got_some() && buffer_.size() == 0) return Close();
    log::Fields fields = {
        {"phase", header_read ? "body" : "header"},
        {"timeout_ms", absl::ToInt64Milliseconds(header_read ? server_.options_.body_timeout
                                                             : server_.options_.header_timeout)},
        {"client_ip", client_ip_}};
    std::string request_id;
    if (header_read) {
      absl::string_view incoming = ToAbsl(parser_->get()[kRequestIdHeader]);
      if (IsSaneRequestId(incoming)) request_id = std::string(incoming);
      fields["method"] = std::string(parser_->get().method_string());
    }
    log::Write(log::Level::kInfo, request_id, "http request timed out; connection closed", fields);
    Close();
  }

  void WriteTransportError(int http_status, const absl::Status& status, bool header_read) {
    Write(server_.dispatcher_.TransportError(http_status, status,
                                             header_read ? &parser_->get() : nullptr, client_ip_));
  }

  void OnRequest() {
    HttpRequest request = parser_->release();
    if (server_.upgrades_ != nullptr && server_.upgrades_->Wants(request)) {
      stream_.expires_never();  // The new protocol sets its own timeouts.
      server_.upgrades_->Upgrade(std::move(stream_), std::move(request), client_ip_);
      return;
    }
    keep_alive_ = request.keep_alive();
    ++counts_->in_flight;
    // No clock runs while the handler works: backend calls have their own deadlines.
    stream_.expires_never();
    auto self = shared_from_this();
    server_.dispatcher_.Dispatch(std::move(request), client_ip_, [self](HttpResponse response) {
      // Handlers may answer from a gRPC thread: hop back onto this connection's strand.
      net::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        --self->counts_->in_flight;
        response.keep_alive(self->keep_alive_ && response.keep_alive());
        self->Write(std::move(response));
      });
    });
  }

  void Write(HttpResponse response) {
    if (!response.keep_alive()) keep_alive_ = false;
    response.keep_alive(keep_alive_);
    auto message = std::make_shared<HttpResponse>(std::move(response));
    stream_.expires_after(ToChrono(server_.options_.write_timeout));
    http::async_write(stream_, *message,
                      [self = shared_from_this(), message](beast::error_code ec, size_t) {
                        if (ec) return self->Close();
                        if (!self->keep_alive_) {
                          return LingeringClose::Start(std::move(self->stream_), kLingerTimeout);
                        }
                        self->AwaitNextRequest();
                      });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  HttpServer& server_;
  std::shared_ptr<Counts> counts_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string client_ip_;
  bool keep_alive_ = true;
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
      int open = counts_->connections.load() + (upgrades_ ? upgrades_->open_connections() : 0);
      if (open >= options_.max_connections) {
        Refuse(std::move(socket));
      } else {
        std::make_shared<Session>(std::move(socket), *this)->Start();
      }
    }
    Accept();
  });
}

void HttpServer::Refuse(tcp::socket socket) {
  // Over the cap: say so (the client may retry) rather than queue without bound, but never let
  // the answers themselves pile up.
  if (refusals_.fetch_add(1) >= kMaxConcurrentRefusals) {
    --refusals_;
    beast::error_code ignored;
    socket.close(ignored);
    return;
  }
  beast::error_code ec;
  auto endpoint = socket.remote_endpoint(ec);
  std::string client_ip = ec ? "" : endpoint.address().to_string();
  auto response = std::make_shared<HttpResponse>(dispatcher_.TransportError(
      503,
      absl::UnavailableError(absl::StrCat("too many open connections (limit ",
                                          options_.max_connections, "); retry shortly")),
      nullptr, client_ip));
  response->set(boost::beast::http::field::retry_after, "1");
  auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
  stream->expires_after(kRefusalWriteTimeout);
  http::async_write(*stream, *response, [this, stream, response](beast::error_code ec, size_t) {
    --refusals_;
    if (ec) {
      beast::error_code ignored;
      stream->socket().close(ignored);
      return;
    }
    LingeringClose::Start(std::move(*stream), kLingerTimeout);
  });
}

void HttpServer::StopAccepting() {
  net::post(acceptor_.get_executor(), [this] {
    beast::error_code ec;
    acceptor_.close(ec);
  });
}

}  // namespace chatter::gateway
