// A tiny synchronous HTTP/1.1 client over Boost.Beast for end-to-end tests: one request per
// connection, every step bounded by a timeout, raw bytes allowed (to send malformed HTTP).
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace chatter::e2e {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpReply {
  int status = 0;
  HttpHeaders headers;  // In the order received.
  std::string body;

  // Case-insensitive lookups; Header() is "" when absent.
  bool HasHeader(absl::string_view name) const;
  std::string Header(absl::string_view name) const;
  // Names of the headers starting with `prefix` (any case), lower-cased.
  std::set<std::string> HeaderNamesStartingWith(absl::string_view prefix) const;
};

// A response Beast parsed, as an HttpReply.
HttpReply ToHttpReply(
    const boost::beast::http::response<boost::beast::http::string_body>& response);

inline constexpr absl::Duration kDefaultHttpTimeout = absl::Seconds(5);

// Sends `method target` to 127.0.0.1:`port` with `headers` (Host and, for a body, Content-Length
// are added), "Connection: close", and returns the response. UNAVAILABLE when the connection or
// the exchange fails, DEADLINE_EXCEEDED after `timeout`.
absl::StatusOr<HttpReply> HttpRequest(absl::string_view method, int port, absl::string_view target,
                                      const HttpHeaders& headers = {}, std::string body = "",
                                      absl::Duration timeout = kDefaultHttpTimeout);

absl::StatusOr<HttpReply> HttpGet(int port, absl::string_view target,
                                  const HttpHeaders& headers = {},
                                  absl::Duration timeout = kDefaultHttpTimeout);

// Writes `bytes` as they are and parses whatever HTTP response comes back. Reading starts at
// once, so a server that answers before consuming the whole request (413) is still heard.
absl::StatusOr<HttpReply> HttpExchangeRaw(int port, std::string bytes,
                                          absl::Duration timeout = kDefaultHttpTimeout);

}  // namespace chatter::e2e
