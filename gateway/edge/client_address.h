// Which address a request comes from. Behind a load balancer the TCP peer is the balancer, and
// per-IP limits would throw every client into one bucket; so when the peer is a configured
// trusted proxy, the client is the right-most X-Forwarded-For entry that is not itself a
// trusted proxy. Entries left of it are whatever the client claimed and are never believed.
#pragma once

#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gateway/http/http_types.h"

namespace chatter::gateway {

// Every X-Forwarded-For line of `request`, joined in order with ", " (RFC 9110 5.3). A proxy
// may add its own line rather than append to the client's; reading only the first line would
// let the client's forged one win.
std::string ForwardedForOf(const HttpRequest& request);

class ClientAddressResolver {
 public:
  // `trusted_proxies`: CIDR blocks ("10.0.0.0/8", "fd00::/8") or single addresses.
  static absl::StatusOr<ClientAddressResolver> Create(
      const std::vector<std::string>& trusted_proxies);
  ClientAddressResolver() = default;  // Trusts no proxy: the peer is the client.

  // `peer`: the TCP peer's address; `forwarded_for`: the X-Forwarded-For header ("" if none).
  std::string Resolve(absl::string_view peer, absl::string_view forwarded_for) const;

 private:
  using Network = std::variant<boost::asio::ip::network_v4, boost::asio::ip::network_v6>;
  bool Trusted(absl::string_view address) const;
  std::vector<Network> trusted_;
};

}  // namespace chatter::gateway
