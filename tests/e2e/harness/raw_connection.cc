// RawConnection over POSIX sockets and poll(2); responses parsed with Beast's parser.
#include "tests/e2e/harness/raw_connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace chatter::e2e {
namespace http = boost::beast::http;

absl::StatusOr<std::unique_ptr<RawConnection>> RawConnection::Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::UnavailableError(absl::StrCat("socket: ", strerror(errno)));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    int error = errno;
    close(fd);
    return absl::UnavailableError(
        absl::StrCat("connect to 127.0.0.1:", port, ": ", strerror(error)));
  }
  return std::unique_ptr<RawConnection>(new RawConnection(fd));
}

RawConnection::~RawConnection() { close(fd_); }

absl::Status RawConnection::Send(absl::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t sent = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return absl::UnavailableError(absl::StrCat("send: ", strerror(errno)));
    bytes.remove_prefix(static_cast<size_t>(sent));
  }
  return absl::OkStatus();
}

int RawConnection::ReadSome(absl::Duration timeout) {
  pollfd readable{.fd = fd_, .events = POLLIN, .revents = 0};
  int wait_ms = static_cast<int>(std::max<int64_t>(0, absl::ToInt64Milliseconds(timeout)));
  int ready = poll(&readable, 1, wait_ms);
  if (ready == 0 || (ready < 0 && errno == EINTR)) return -1;
  if (ready < 0) return 0;
  char buffer[16384];
  ssize_t got = recv(fd_, buffer, sizeof(buffer), 0);
  if (got <= 0) return 0;  // End of stream, or reset: either way the server ended it.
  pending_.append(buffer, static_cast<size_t>(got));
  return static_cast<int>(got);
}

absl::StatusOr<HttpReply> RawConnection::ReadResponse(absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  http::response_parser<http::string_body> parser;
  parser.eager(true);
  parser.body_limit(64 << 20);
  while (!parser.is_done()) {
    if (!pending_.empty()) {
      boost::beast::error_code ec;
      size_t used = parser.put(boost::asio::buffer(pending_), ec);
      pending_.erase(0, used);
      if (ec && ec != http::error::need_more) {
        return absl::UnavailableError(absl::StrCat("unparseable response: ", ec.message()));
      }
      if (parser.is_done()) break;
      if (used > 0 && !pending_.empty()) continue;
    }
    absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError(
          absl::StrCat("no complete response within ", absl::FormatDuration(timeout)));
    }
    int got = ReadSome(left);
    if (got == 0) {
      return absl::UnavailableError(absl::StrCat("connection ended before a complete response (",
                                                 pending_.size(), " bytes pending)"));
    }
  }
  return ToHttpReply(parser.get());
}

RawConnection::Ending RawConnection::ReadUntilClosed(absl::Duration timeout, absl::string_view drip,
                                                     absl::Duration drip_interval) {
  absl::Time start = absl::Now();
  absl::Time deadline = start + timeout;
  absl::Time next_drip = start;
  pending_.clear();
  Ending ending;
  while (true) {
    absl::Time now = absl::Now();
    if (now >= deadline) break;
    if (!drip.empty() && now >= next_drip) {
      // A failed send means the server is gone; the read below sees it.
      send(fd_, drip.data(), 1, MSG_NOSIGNAL);
      drip.remove_prefix(1);
      next_drip = now + drip_interval;
    }
    absl::Time wake = drip.empty() ? deadline : std::min(deadline, next_drip);
    if (ReadSome(wake - absl::Now()) == 0) {
      ending.closed = true;
      break;
    }
  }
  ending.received = std::move(pending_);
  pending_.clear();
  ending.elapsed = absl::Now() - start;
  return ending;
}

}  // namespace chatter::e2e
