// TcpProxy: one io_context thread; each connection pumps bytes both ways until either side ends.
#include "tests/e2e/harness/tcp_proxy.h"

#include <array>
#include <boost/asio.hpp>
#include <future>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"

namespace chatter::e2e {
namespace net = boost::asio;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

namespace {

// One client connection and its upstream twin. Lives while an operation holds a shared_ptr.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket client, net::io_context& io) : client_(std::move(client)), upstream_(io) {}

  void Start(const tcp::endpoint& target) {
    upstream_.async_connect(target, [self = shared_from_this()](error_code ec) {
      if (ec) return self->Close();
      self->Pump(self->client_, self->upstream_, self->to_upstream_);
      self->Pump(self->upstream_, self->client_, self->to_client_);
    });
  }

  // Closes both sockets; pending operations end with operation_aborted.
  void Close() {
    error_code ignored;
    client_.close(ignored);
    upstream_.close(ignored);
  }

 private:
  using Buffer = std::array<char, 16 * 1024>;

  void Pump(tcp::socket& from, tcp::socket& to, Buffer& buffer) {
    from.async_read_some(net::buffer(buffer), [self = shared_from_this(), &from, &to, &buffer](
                                                  error_code ec, size_t n) {
      if (ec) return self->Close();
      net::async_write(to, net::buffer(buffer.data(), n),
                       [self, &from, &to, &buffer](error_code write_ec, size_t) {
                         if (write_ec) return self->Close();
                         self->Pump(from, to, buffer);
                       });
    });
  }

  tcp::socket client_;
  tcp::socket upstream_;
  Buffer to_upstream_;
  Buffer to_client_;
};

}  // namespace

class TcpProxy::Impl {
 public:
  Impl(tcp::endpoint target, std::atomic<int>& forwarded)
      : target_(std::move(target)),
        forwarded_(forwarded),
        acceptor_(io_),
        work_(io_.get_executor()) {}

  ~Impl() {
    if (!thread_.joinable()) return;  // Listen() failed: nothing runs.
    RunOnLoop([this] {
      error_code ignored;
      acceptor_.close(ignored);
      CloseAll();
    });
    work_.reset();
    thread_.join();
  }

  absl::StatusOr<int> Listen() {
    error_code ec;
    tcp::endpoint endpoint(net::ip::address_v4::loopback(), 0);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) return absl::UnavailableError(absl::StrCat("proxy cannot listen: ", ec.message()));
    int port = acceptor_.local_endpoint().port();
    Accept();
    thread_ = std::thread([this] { io_.run(); });
    return port;
  }

  void SetCut(bool cut) {
    RunOnLoop([this, cut] {
      cut_ = cut;
      if (cut) CloseAll();
    });
  }

 private:
  // Runs `f` on the proxy's thread and waits for it, so callers see its effect on return.
  template <typename F>
  void RunOnLoop(F f) {
    std::promise<void> done;
    net::post(io_, [&] {
      f();
      done.set_value();
    });
    done.get_future().wait();
  }

  void Accept() {
    acceptor_.async_accept([this](error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
      if (!ec) {
        if (cut_) {
          error_code ignored;
          socket.close(ignored);
        } else {
          auto connection = std::make_shared<Connection>(std::move(socket), io_);
          connections_.push_back(connection);
          ++forwarded_;
          connection->Start(target_);
        }
      }
      Accept();
    });
  }

  void CloseAll() {
    for (const std::weak_ptr<Connection>& weak : connections_) {
      if (std::shared_ptr<Connection> connection = weak.lock()) connection->Close();
    }
    connections_.clear();
  }

  const tcp::endpoint target_;
  std::atomic<int>& forwarded_;
  net::io_context io_;
  tcp::acceptor acceptor_;
  net::executor_work_guard<net::io_context::executor_type> work_;
  std::thread thread_;
  // Touched on the proxy's thread only.
  bool cut_ = false;
  std::vector<std::weak_ptr<Connection>> connections_;
};

absl::StatusOr<std::unique_ptr<TcpProxy>> TcpProxy::Start(const std::string& target_host,
                                                          int target_port) {
  net::io_context resolver_io;
  tcp::resolver resolver(resolver_io);
  error_code ec;
  auto results = resolver.resolve(target_host, std::to_string(target_port), ec);
  if (ec || results.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("proxy cannot resolve ", target_host, ":", target_port, ": ", ec.message()));
  }
  auto proxy = std::unique_ptr<TcpProxy>(new TcpProxy(nullptr));
  proxy->impl_ = std::make_unique<Impl>(results.begin()->endpoint(), proxy->forwarded_);
  absl::StatusOr<int> port = proxy->impl_->Listen();
  if (!port.ok()) return port.status();
  proxy->port_ = *port;
  return proxy;
}

TcpProxy::TcpProxy(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

TcpProxy::~TcpProxy() = default;

std::string TcpProxy::address() const { return absl::StrCat("127.0.0.1:", port_); }

void TcpProxy::Cut() { impl_->SetCut(true); }

void TcpProxy::Restore() { impl_->SetCut(false); }

}  // namespace chatter::e2e
