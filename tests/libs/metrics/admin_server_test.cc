// End-to-end tests for AdminServer over real sockets, with a tiny blocking Beast client.
#include "libs/metrics/admin_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <string>

namespace chatter::metrics {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Reply = http::response<http::string_body>;

// One request/response on an open connection.
Reply Exchange(tcp::socket& socket, http::verb method, const std::string& target,
               bool keep_alive = false) {
  http::request<http::empty_body> request(method, target, 11);
  request.set(http::field::host, "localhost");
  request.keep_alive(keep_alive);
  http::write(socket, request);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.skip(method == http::verb::head);  // A HEAD reply announces a body it does not send.
  http::read(socket, buffer, parser);
  return parser.release();
}

class AdminServerTest : public ::testing::Test {
 protected:
  AdminServerTest() {
    registry_.GetCounter("requests_total", "Requests.", {{"code", "200"}}).Inc(2);
  }

  void SetUp() override {
    ASSERT_TRUE(server_.Start().ok());
    ASSERT_GT(server_.port(), 0);
  }

  tcp::socket Connect() {
    tcp::socket socket(io_);
    socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server_.port()));
    return socket;
  }

  Reply Fetch(http::verb method, const std::string& target) {
    tcp::socket socket = Connect();
    return Exchange(socket, method, target);
  }

  ReadinessReport Readiness() const {
    if (ready_) return {true, ""};
    return {false, "database: connecting"};
  }

  Registry registry_;
  std::atomic<bool> ready_{false};
  AdminServer server_{"127.0.0.1:0", registry_, [this] { return Readiness(); }};
  net::io_context io_;
};

TEST_F(AdminServerTest, ServesMetricsInTextFormat) {
  const Reply reply = Fetch(http::verb::get, "/metrics");
  EXPECT_EQ(reply.result_int(), 200);
  EXPECT_EQ(reply[http::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(reply.body(),
            "# HELP requests_total Requests.\n"
            "# TYPE requests_total counter\n"
            "requests_total{code=\"200\"} 2\n");
  EXPECT_EQ(Fetch(http::verb::get, "/metrics?name=x").body(), reply.body());
}

TEST_F(AdminServerTest, AnswersHealthz) {
  const Reply reply = Fetch(http::verb::get, "/healthz");
  EXPECT_EQ(reply.result_int(), 200);
  EXPECT_EQ(reply.body(), "ok");
}

TEST_F(AdminServerTest, ReadyzFollowsTheReadinessReport) {
  Reply reply = Fetch(http::verb::get, "/readyz");
  EXPECT_EQ(reply.result_int(), 503);
  EXPECT_EQ(reply.body(), "database: connecting");
  ready_ = true;
  reply = Fetch(http::verb::get, "/readyz");
  EXPECT_EQ(reply.result_int(), 200);
  EXPECT_EQ(reply.body(), "ready");
}

TEST_F(AdminServerTest, UnknownPathIs404AndOtherMethodsAre405) {
  const Reply missing = Fetch(http::verb::get, "/nope");
  EXPECT_EQ(missing.result_int(), 404);
  EXPECT_EQ(missing.body(), "not found");
  const Reply post = Fetch(http::verb::post, "/metrics");
  EXPECT_EQ(post.result_int(), 405);
  EXPECT_EQ(post[http::field::allow], "GET, HEAD");
}

TEST_F(AdminServerTest, HeadSendsGetsHeadersWithoutTheBody) {
  const std::string body = Fetch(http::verb::get, "/metrics").body();
  const Reply head = Fetch(http::verb::head, "/metrics");
  EXPECT_EQ(head.result_int(), 200);
  EXPECT_EQ(head[http::field::content_length], std::to_string(body.size()));
  EXPECT_EQ(head.body(), "");
}

TEST_F(AdminServerTest, KeepsAConnectionAliveForSeveralRequests) {
  tcp::socket socket = Connect();
  EXPECT_EQ(Exchange(socket, http::verb::get, "/healthz", true).body(), "ok");
  EXPECT_EQ(Exchange(socket, http::verb::get, "/readyz", true).result_int(), 503);
  EXPECT_EQ(Exchange(socket, http::verb::get, "/healthz", false).body(), "ok");
}

TEST_F(AdminServerTest, ASilentClientDoesNotHoldUpOthers) {
  tcp::socket silent = Connect();
  net::write(silent, net::buffer(std::string("GET /metr")));  // ...and never finishes.
  EXPECT_EQ(Fetch(http::verb::get, "/healthz").body(), "ok");
}

TEST_F(AdminServerTest, DropsAConnectionWhoseHeadersExceed8KiB) {
  tcp::socket socket = Connect();
  const std::string request =
      "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n";
  beast::error_code ec;
  net::write(socket, net::buffer(request), ec);
  std::string received(64, '\0');
  size_t bytes = 0;
  while (!ec) bytes += socket.read_some(net::buffer(received), ec);
  EXPECT_EQ(bytes, 0u) << "no reply expected, got: " << received;
  EXPECT_TRUE(ec == net::error::eof || ec == net::error::connection_reset) << ec.message();
}

TEST_F(AdminServerTest, StopClosesOpenConnectionsAndIsIdempotent) {
  tcp::socket socket = Connect();
  EXPECT_EQ(Exchange(socket, http::verb::get, "/healthz", true).body(), "ok");
  server_.Stop();
  char byte;
  beast::error_code ec;
  socket.read_some(net::buffer(&byte, 1), ec);
  EXPECT_TRUE(ec == net::error::eof || ec == net::error::connection_reset) << ec.message();
  server_.Stop();
  tcp::socket refused(io_);
  refused.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server_.port()), ec);
  EXPECT_EQ(ec, net::error::connection_refused);
}

TEST_F(AdminServerTest, StartingTwiceFails) {
  const absl::Status again = server_.Start();
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(again.message(), "admin server on 127.0.0.1:0 already started");
}

TEST_F(AdminServerTest, ReportsAPortInUse) {
  const std::string address = "127.0.0.1:" + std::to_string(server_.port());
  AdminServer second(address, registry_, nullptr);
  const absl::Status status = second.Start();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(status.message(),
            "admin server cannot listen on " + address + ": Address already in use");
}

TEST(AdminServerAddressTest, RejectsMalformedAndNonIpAddresses) {
  Registry registry;
  AdminServer named("localhost:0", registry, nullptr);
  absl::Status status = named.Start();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "listen address \"localhost:0\": host must be an IP address");
  AdminServer portless("127.0.0.1", registry, nullptr);
  status = portless.Start();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "listen address \"127.0.0.1\" is not host:port, as 127.0.0.1:9101 or [::1]:9101");
  EXPECT_EQ(portless.port(), 0);
  portless.Stop();  // Stopping a server that never started is fine too.
}

TEST(AdminServerAddressTest, ListensOnAllInterfaces) {
  Registry registry;
  AdminServer server("0.0.0.0:0", registry, nullptr);
  ASSERT_TRUE(server.Start().ok());
  EXPECT_GT(server.port(), 0);
}

TEST(AdminServerAddressTest, ListensOnIpv6Loopback) {
  Registry registry;
  AdminServer server("[::1]:0", registry, nullptr);  // No readiness callback: always ready.
  const absl::Status status = server.Start();
  if (status.code() == absl::StatusCode::kUnavailable) {
    GTEST_SKIP() << "no IPv6 loopback here: " << status;
  }
  ASSERT_TRUE(status.ok()) << status;
  net::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(net::ip::make_address("::1"), server.port()));
  const Reply reply = Exchange(socket, http::verb::get, "/readyz");
  EXPECT_EQ(reply.result_int(), 200);
  EXPECT_EQ(reply.body(), "ready");
}

}  // namespace
}  // namespace chatter::metrics
