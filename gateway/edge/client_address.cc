// Trusted-proxy aware client addresses.
#include "gateway/edge/client_address.h"

#include <boost/asio/ip/address.hpp>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace chatter::gateway {
namespace ip = boost::asio::ip;

namespace {

// At most this many X-Forwarded-For hops are examined: a longer chain is a client's invention.
constexpr int kMaxHops = 16;

std::optional<ip::address> ParseAddress(absl::string_view text) {
  boost::system::error_code ec;
  ip::address address = ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  // An IPv4 client reaching an IPv6 socket shows up as ::ffff:a.b.c.d; key it as a.b.c.d.
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  }
  return address;
}

// An address, also when a proxy wrote it with a port: "1.2.3.4:5678", "[2001:db8::1]:443".
std::optional<ip::address> ParseHop(absl::string_view hop) {
  if (std::optional<ip::address> plain = ParseAddress(hop)) return plain;
  if (absl::ConsumePrefix(&hop, "[")) {
    size_t close = hop.find(']');
    if (close == absl::string_view::npos) return std::nullopt;
    return ParseAddress(hop.substr(0, close));
  }
  size_t colon = hop.find(':');
  if (colon == absl::string_view::npos || hop.find(':', colon + 1) != absl::string_view::npos) {
    return std::nullopt;
  }
  return ParseAddress(hop.substr(0, colon));
}

}  // namespace

std::string ForwardedForOf(const HttpRequest& request) {
  std::string joined;
  auto [first, last] = request.equal_range("X-Forwarded-For");
  for (auto field = first; field != last; ++field) {
    if (!joined.empty()) joined += ", ";
    joined += std::string(ToAbsl(field->value()));
  }
  return joined;
}

absl::StatusOr<ClientAddressResolver> ClientAddressResolver::Create(
    const std::vector<std::string>& trusted_proxies) {
  ClientAddressResolver resolver;
  for (const std::string& entry : trusted_proxies) {
    std::string cidr = entry;
    if (cidr.find('/') == std::string::npos) {
      cidr += cidr.find(':') == std::string::npos ? "/32" : "/128";
    }
    boost::system::error_code ec;
    if (cidr.find(':') == std::string::npos) {
      ip::network_v4 network = ip::make_network_v4(cidr, ec);
      if (!ec) resolver.trusted_.push_back(network.canonical());
    } else {
      ip::network_v6 network = ip::make_network_v6(cidr, ec);
      if (!ec) resolver.trusted_.push_back(network.canonical());
    }
    if (ec) {
      return absl::InvalidArgumentError(
          absl::StrCat("trusted proxy \"", entry, "\" is not an address or CIDR block"));
    }
  }
  return resolver;
}

bool ClientAddressResolver::Trusted(absl::string_view text) const {
  std::optional<ip::address> address = ParseAddress(text);
  if (!address) return false;
  for (const Network& network : trusted_) {
    if (address->is_v4()) {
      if (const auto* v4 = std::get_if<ip::network_v4>(&network)) {
        ip::network_v4 host(address->to_v4(), 32);
        if (host == *v4 || host.is_subnet_of(*v4)) return true;
      }
    } else if (const auto* v6 = std::get_if<ip::network_v6>(&network)) {
      ip::network_v6 host(address->to_v6(), 128);
      if (host == *v6 || host.is_subnet_of(*v6)) return true;
    }
  }
  return false;
}

std::string ClientAddressResolver::Resolve(absl::string_view peer,
                                           absl::string_view forwarded_for) const {
  std::optional<ip::address> peer_address = ParseAddress(peer);
  std::string client = peer_address ? peer_address->to_string() : std::string(peer);
  if (trusted_.empty() || !Trusted(client) || forwarded_for.empty()) return client;
  std::vector<absl::string_view> hops = absl::StrSplit(forwarded_for, ',');
  int examined = 0;
  for (auto hop = hops.rbegin(); hop != hops.rend() && examined < kMaxHops; ++hop, ++examined) {
    std::optional<ip::address> address = ParseHop(absl::StripAsciiWhitespace(*hop));
    // A hop that is not an address was not written by a proxy we trust: stop at the last
    // address we could vouch for.
    if (!address) return client;
    client = address->to_string();
    if (!Trusted(client)) return client;
  }
  return client;
}

}  // namespace chatter::gateway
