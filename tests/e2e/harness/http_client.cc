// The Beast client: async operations on a private io_context, with a tcp_stream deadline.
#include "tests/e2e/harness/http_client.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <optional>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace chatter::e2e {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

bool HttpReply::HasHeader(absl::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (absl::EqualsIgnoreCase(key, name)) return true;
  }
  return false;
}

std::string HttpReply::Header(absl::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (absl::EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

std::set<std::string> HttpReply::HeaderNamesStartingWith(absl::string_view prefix) const {
  std::set<std::string> names;
  for (const auto& [name, value] : headers) {
    if (absl::StartsWithIgnoreCase(name, prefix)) names.insert(absl::AsciiStrToLower(name));
  }
  return names;
}

HttpReply ToHttpReply(const http::response<http::string_body>& response) {
  HttpReply reply;
  reply.status = static_cast<int>(response.result_int());
  for (const auto& field : response) {
    reply.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  reply.body = response.body();
  return reply;
}

absl::StatusOr<HttpReply> HttpExchangeRaw(int port, std::string bytes, absl::Duration timeout) {
  net::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(std::chrono::milliseconds(absl::ToInt64Milliseconds(timeout)));
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  beast::error_code connect_ec, read_ec;
  bool read_done = false;

  tcp::endpoint endpoint(net::ip::address_v4::loopback(), static_cast<unsigned short>(port));
  stream.async_connect(endpoint, [&](beast::error_code ec) {
    connect_ec = ec;
    if (ec) return;
    // Write errors are ignored: a server may answer and close before reading everything.
    net::async_write(stream.socket(), net::buffer(bytes), [](beast::error_code, size_t) {});
    http::async_read(stream, buffer, parser, [&](beast::error_code ec, size_t) {
      read_ec = ec;
      read_done = true;
      beast::error_code ignored;
      stream.socket().close(ignored);
    });
  });
  io.run();

  if (connect_ec) {
    return absl::UnavailableError(
        absl::StrCat("connect to 127.0.0.1:", port, ": ", connect_ec.message()));
  }
  if (!read_done || read_ec == beast::error::timeout) {
    return absl::DeadlineExceededError(absl::StrCat("no HTTP response from 127.0.0.1:", port,
                                                    " within ", absl::FormatDuration(timeout)));
  }
  if (read_ec) {
    return absl::UnavailableError(
        absl::StrCat("reading the response from 127.0.0.1:", port, ": ", read_ec.message()));
  }
  return ToHttpReply(parser.get());
}

absl::StatusOr<HttpReply> HttpRequest(absl::string_view method, int port, absl::string_view target,
                                      const HttpHeaders& headers, std::string body,
                                      absl::Duration timeout) {
  std::string request = absl::StrCat(method, " ", target, " HTTP/1.1\r\nHost: 127.0.0.1:", port,
                                     "\r\nConnection: close\r\n");
  for (const auto& [name, value] : headers) absl::StrAppend(&request, name, ": ", value, "\r\n");
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    absl::StrAppend(&request, "Content-Length: ", body.size(), "\r\n");
  }
  absl::StrAppend(&request, "\r\n", body);
  return HttpExchangeRaw(port, std::move(request), timeout);
}

absl::StatusOr<HttpReply> HttpGet(int port, absl::string_view target, const HttpHeaders& headers,
                                  absl::Duration timeout) {
  return HttpRequest("GET", port, target, headers, "", timeout);
}

}  // namespace chatter::e2e
