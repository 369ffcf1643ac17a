// A keep-alive HTTP/1.1 client for one connection at a time, driven by Asio coroutines: the
// setup phase gives each of its workers one, so signups reuse their TCP connections.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/verb.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "tools/loadgen/asio_coro.h"

namespace chatter::loadgen {

struct HttpRequest {
  boost::beast::http::verb method = boost::beast::http::verb::get;
  std::string target;  // Below the base URL's path prefix, e.g. "/v1/rooms".
  std::string body;    // JSON; empty for none.
  std::string access_token;
};

struct HttpResponse {
  int status = 0;  // 0 when the exchange failed below HTTP (see transport_error).
  std::string body;
  std::optional<int> retry_after_seconds;
  std::string transport_error;
};

class HttpClient {
 public:
  // `executor` should be a strand (or an implicit one: one coroutine using the client).
  HttpClient(net::any_io_executor executor, boost::asio::ip::tcp::resolver::results_type endpoints,
             std::string host_header, std::string path_prefix, absl::Duration timeout);

  // Connects first when there is no open connection; a failed exchange drops the connection,
  // so the next call starts a fresh one.
  net::awaitable<HttpResponse> Send(const HttpRequest& request);

 private:
  void Disconnect();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  const boost::asio::ip::tcp::resolver::results_type endpoints_;
  const std::string host_header_;
  const std::string path_prefix_;
  const std::chrono::nanoseconds timeout_;
};

}  // namespace chatter::loadgen
