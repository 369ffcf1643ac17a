// Keep-alive HTTP/1.1 exchanges over Beast (see http_client.h).
#include "tools/loadgen/http_client.h"

#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace chatter::loadgen {
namespace beast = boost::beast;
namespace http = beast::http;

namespace {
constexpr uint64_t kMaxResponseBodyBytes = 1 << 20;
}  // namespace

HttpClient::HttpClient(net::any_io_executor executor,
                       boost::asio::ip::tcp::resolver::results_type endpoints,
                       std::string host_header, std::string path_prefix, absl::Duration timeout)
    : stream_(std::move(executor)),
      endpoints_(std::move(endpoints)),
      host_header_(std::move(host_header)),
      path_prefix_(std::move(path_prefix)),
      timeout_(absl::ToChronoNanoseconds(timeout)) {}

void HttpClient::Disconnect() {
  beast::error_code ignored;
  stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.close();
  buffer_.clear();
}

net::awaitable<HttpResponse> HttpClient::Send(const HttpRequest& request) {
  HttpResponse response;
  beast::error_code ec;
  if (!stream_.socket().is_open()) {
    stream_.expires_after(timeout_);
    co_await stream_.async_connect(endpoints_, Await(ec));
    if (ec) {
      Disconnect();
      response.transport_error = absl::StrCat("connect: ", ec.message());
      co_return response;
    }
  }

  http::request<http::string_body> message{request.method, path_prefix_ + request.target, 11};
  message.set(http::field::host, host_header_);
  message.set(http::field::user_agent, "chatter-loadgen");
  message.keep_alive(true);
  if (!request.access_token.empty()) {
    message.set(http::field::authorization, "Bearer " + request.access_token);
  }
  if (!request.body.empty()) {
    message.set(http::field::content_type, "application/json");
    message.body() = request.body;
  }
  message.prepare_payload();

  stream_.expires_after(timeout_);
  co_await http::async_write(stream_, message, Await(ec));
  if (ec) {
    Disconnect();
    response.transport_error = absl::StrCat("write: ", ec.message());
    co_return response;
  }
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxResponseBodyBytes);
  co_await http::async_read(stream_, buffer_, parser, Await(ec));
  if (ec) {
    Disconnect();
    response.transport_error = absl::StrCat("read: ", ec.message());
    co_return response;
  }
  http::response<http::string_body> reply = parser.release();
  response.status = static_cast<int>(reply.result_int());
  response.body = std::move(reply.body());
  if (auto it = reply.find(http::field::retry_after); it != reply.end()) {
    int seconds = 0;
    if (absl::SimpleAtoi(absl::string_view(it->value().data(), it->value().size()), &seconds)) {
      response.retry_after_seconds = seconds;
    }
  }
  if (!reply.keep_alive()) Disconnect();
  co_return response;
}

}  // namespace chatter::loadgen
