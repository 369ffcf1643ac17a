// Unit tests of the end-to-end harness itself (no database needed): child processes, the TCP
// proxy's cut and restore, the HTTP client's failure modes and the URL helpers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "tests/e2e/harness/child_process.h"
#include "tests/e2e/harness/free_port.h"
#include "tests/e2e/harness/http_client.h"
#include "tests/e2e/harness/stack.h"
#include "tests/e2e/harness/tcp_proxy.h"
#include "tests/e2e/harness/temp_dir.h"

namespace chatter::e2e {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

absl::StatusOr<std::unique_ptr<ChildProcess>> Shell(const std::string& script,
                                                    ChildProcess::Env env, TempDir& dir) {
  return ChildProcess::Start("sh", "/bin/sh", {"-c", script}, std::move(env), dir.path());
}

TEST(ChildProcessTest, ReportsExitCodeAndCapturesBothStreams) {
  TempDir dir("harness");
  auto child = Shell("echo '{\"message\":\"hi\"}'; echo oops >&2; exit 3", {}, dir);
  ASSERT_TRUE(child.ok()) << child.status();
  std::optional<ExitStatus> status = (*child)->WaitExit(absl::Seconds(5));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ExitedWith(3)) << status->ToString();
  EXPECT_FALSE((*child)->Running());
  EXPECT_EQ((*child)->Log(), "{\"message\":\"hi\"}\noops\n");
  ASSERT_EQ((*child)->JsonLogLines().size(), 1u);
  EXPECT_EQ((*child)->JsonLogLines()[0]["message"], "hi");
}

TEST(ChildProcessTest, InheritsOnlyPathHomeAndLang) {
  TempDir dir("harness");
  ::setenv("CHATTER_HARNESS_SECRET", "do-not-leak", 1);
  auto child =
      Shell("echo \"[$CHATTER_HARNESS_SECRET][$MINE][${PATH:+path}]\"", {{"MINE", "yes"}}, dir);
  ::unsetenv("CHATTER_HARNESS_SECRET");
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_TRUE((*child)->WaitExit(absl::Seconds(5)).has_value());
  EXPECT_EQ((*child)->Log(), "[][yes][path]\n");
}

TEST(ChildProcessTest, StopSendsTheSignalAndReportsIt) {
  TempDir dir("harness");
  auto child = Shell("exec sleep 30", {}, dir);
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_TRUE((*child)->Running());
  ExitStatus status = (*child)->Stop(SIGTERM, absl::Seconds(5));
  EXPECT_FALSE(status.exited);
  EXPECT_EQ(status.signal, SIGTERM);
  EXPECT_EQ((*child)->Stop().signal, SIGTERM);  // Already ended: just reports.
}

TEST(ChildProcessTest, WaitForLogMessageFailsEarlyWhenTheChildEnds) {
  TempDir dir("harness");
  auto child = Shell("echo '{\"message\":\"starting\"}'; exit 2", {}, dir);
  ASSERT_TRUE(child.ok()) << child.status();
  absl::StatusOr<nlohmann::json> line = (*child)->WaitForLogMessage("serving", absl::Seconds(20));
  EXPECT_EQ(line.status().code(), absl::StatusCode::kFailedPrecondition) << line.status();
  EXPECT_THAT(line.status().message(), HasSubstr("exit code 2"));
}

TEST(ChildProcessTest, MissingBinaryIsAnError) {
  TempDir dir("harness");
  auto child = ChildProcess::Start("ghost", "/nonexistent/ghost", {}, {}, dir.path());
  EXPECT_EQ(child.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(child.status().message(), HasSubstr("No such file"));
}

// True once `pid` has ended (gone, or a zombie nobody reaped yet).
bool Ended(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  size_t paren = line.rfind(')');
  return paren != std::string::npos && line.size() > paren + 2 && line[paren + 2] == 'Z';
}

TEST(ChildProcessTest, ChildrenDieWithTheTestProcess) {
  TempDir dir("harness");
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  pid_t test_process = ::fork();
  ASSERT_GE(test_process, 0);
  if (test_process == 0) {  // Plays a test that starts a child and is then killed.
    auto child = Shell("exec sleep 30", {}, dir);
    pid_t pid = child.ok() ? (*child)->pid() : 0;
    ssize_t written = ::write(pipe_fds[1], &pid, sizeof(pid));
    (void)written;
    ::pause();
    ::_exit(0);
  }
  pid_t grandchild = 0;
  ASSERT_EQ(::read(pipe_fds[0], &grandchild, sizeof(grandchild)),
            static_cast<ssize_t>(sizeof(grandchild)));
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
  ASSERT_GT(grandchild, 0);
  EXPECT_FALSE(Ended(grandchild));
  ::kill(test_process, SIGKILL);
  ::waitpid(test_process, nullptr, 0);
  absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (!Ended(grandchild) && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(10));
  EXPECT_TRUE(Ended(grandchild)) << "pid " << grandchild << " outlived its test process";
  if (!Ended(grandchild)) ::kill(grandchild, SIGKILL);
}

// A one-thread echo server on 127.0.0.1: everything read is written back.
class EchoServer {
 public:
  EchoServer() : acceptor_(io_, tcp::endpoint(net::ip::address_v4::loopback(), 0)) {
    Accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~EchoServer() {
    io_.stop();
    thread_.join();
  }
  int port() const { return acceptor_.local_endpoint().port(); }

 private:
  void Accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec) return;
      auto peer = std::make_shared<tcp::socket>(std::move(socket));
      auto buffer = std::make_shared<std::array<char, 256>>();
      Echo(peer, buffer);
      Accept();
    });
  }
  void Echo(std::shared_ptr<tcp::socket> peer, std::shared_ptr<std::array<char, 256>> buffer) {
    peer->async_read_some(net::buffer(*buffer), [=, this](boost::system::error_code ec, size_t n) {
      if (ec) return;
      net::write(*peer, net::buffer(buffer->data(), n), ec);
      if (!ec) Echo(peer, buffer);
    });
  }

  net::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

// Sends `text` and reads as much back; "" when the connection ends first.
std::string RoundTrip(tcp::socket& socket, const std::string& text) {
  boost::system::error_code ec;
  net::write(socket, net::buffer(text), ec);
  if (ec) return "";
  std::string reply(text.size(), '\0');
  net::read(socket, net::buffer(reply), ec);
  return ec ? "" : reply;
}

TEST(TcpProxyTest, ForwardsCutsAndRestores) {
  EchoServer echo;
  absl::StatusOr<std::unique_ptr<TcpProxy>> proxy = TcpProxy::Start("127.0.0.1", echo.port());
  ASSERT_TRUE(proxy.ok()) << proxy.status();
  net::io_context io;
  tcp::endpoint endpoint(net::ip::address_v4::loopback(), (*proxy)->port());

  tcp::socket before(io);
  before.connect(endpoint);
  EXPECT_EQ(RoundTrip(before, "ping"), "ping");
  EXPECT_EQ((*proxy)->forwarded_connections(), 1);

  (*proxy)->Cut();
  EXPECT_EQ(RoundTrip(before, "ping"), "");  // The open connection was closed.
  tcp::socket during(io);
  during.connect(endpoint);  // Accepted, then closed at once.
  EXPECT_EQ(RoundTrip(during, "ping"), "");

  (*proxy)->Restore();
  tcp::socket after(io);
  after.connect(endpoint);
  EXPECT_EQ(RoundTrip(after, "pong"), "pong");
  EXPECT_EQ((*proxy)->forwarded_connections(), 2);
}

TEST(HttpClientTest, NothingListeningIsUnavailable) {
  absl::StatusOr<HttpReply> reply = HttpGet(FreePort(), "/healthz", {}, absl::Seconds(2));
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kUnavailable) << reply.status();
}

TEST(HttpClientTest, SilentServerIsDeadlineExceeded) {
  EchoServer echo;  // Echoes the request back, which never completes an HTTP response.
  absl::StatusOr<HttpReply> reply = HttpExchangeRaw(echo.port(), "x", absl::Milliseconds(200));
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kDeadlineExceeded) << reply.status();
}

TEST(UrlTest, AuthorityIsFoundAndReplaced) {
  absl::StatusOr<UrlAuthority> pg =
      ParseUrlAuthority("postgresql://postgres:pw@127.0.0.1:5433/db?sslmode=disable", 5432);
  ASSERT_TRUE(pg.ok()) << pg.status();
  EXPECT_EQ(pg->host, "127.0.0.1");
  EXPECT_EQ(pg->port, 5433);
  absl::StatusOr<UrlAuthority> redis = ParseUrlAuthority("redis://localhost", 6379);
  ASSERT_TRUE(redis.ok()) << redis.status();
  EXPECT_EQ(redis->host, "localhost");
  EXPECT_EQ(redis->port, 6379);
  EXPECT_FALSE(ParseUrlAuthority("not a url", 1).ok());

  EXPECT_EQ(UrlWithAuthority("postgresql://postgres:pw@127.0.0.1:5433/db?x=1", "127.0.0.1:9"),
            "postgresql://postgres:pw@127.0.0.1:9/db?x=1");
  EXPECT_EQ(UrlWithAuthority("redis://127.0.0.1:6379", "127.0.0.1:9"), "redis://127.0.0.1:9");
}

TEST(SplitLinesTest, TrailingNewlineAddsNoLine) {
  EXPECT_THAT(SplitLines("a\nb\n"), ElementsAre("a", "b"));
  EXPECT_THAT(SplitLines("a"), ElementsAre("a"));
  EXPECT_TRUE(SplitLines("").empty());
}

}  // namespace
}  // namespace chatter::e2e
