// Client addresses behind trusted proxies: only hops written by a trusted proxy are believed.
#include "gateway/edge/client_address.h"

#include <gtest/gtest.h>

#include <boost/asio/ip/address.hpp>
#include <random>

namespace chatter::gateway {
namespace {

ClientAddressResolver Trusting(std::vector<std::string> proxies) {
  absl::StatusOr<ClientAddressResolver> resolver = ClientAddressResolver::Create(proxies);
  EXPECT_TRUE(resolver.ok()) << resolver.status();
  return resolver.value_or(ClientAddressResolver());
}

TEST(ClientAddressResolver, WithoutTrustedProxiesThePeerIsTheClient) {
  ClientAddressResolver resolver;
  EXPECT_EQ(resolver.Resolve("203.0.113.9", "198.51.100.1"), "203.0.113.9");
}

TEST(ClientAddressResolver, AnUntrustedPeerCannotClaimAnotherAddress) {
  ClientAddressResolver resolver = Trusting({"10.0.0.0/8"});
  EXPECT_EQ(resolver.Resolve("203.0.113.9", "198.51.100.1"), "203.0.113.9");
}

TEST(ClientAddressResolver, BehindATrustedProxyTheRightmostUntrustedHopIsTheClient) {
  ClientAddressResolver resolver = Trusting({"10.0.0.0/8", "192.0.2.7"});
  EXPECT_EQ(resolver.Resolve("10.1.2.3", "198.51.100.1"), "198.51.100.1");
  // The client prepended a made-up hop; proxies append, so it sits to the left and is ignored.
  EXPECT_EQ(resolver.Resolve("10.1.2.3", "1.2.3.4, 198.51.100.1"), "198.51.100.1");
  // Two trusted proxies in a row (a CDN then the load balancer).
  EXPECT_EQ(resolver.Resolve("10.1.2.3", "198.51.100.1, 192.0.2.7"), "198.51.100.1");
  EXPECT_EQ(resolver.Resolve("10.1.2.3", " 198.51.100.1 ,10.9.9.9 "), "198.51.100.1");
}

TEST(ClientAddressResolver, GarbageStopsAtTheLastAddressVouchedFor) {
  ClientAddressResolver resolver = Trusting({"10.0.0.0/8"});
  EXPECT_EQ(resolver.Resolve("10.1.2.3", "not-an-ip"), "10.1.2.3");
  EXPECT_EQ(resolver.Resolve("10.1.2.3", "198.51.100.1, 10.0.0.5, junk"), "10.1.2.3");
  EXPECT_EQ(resolver.Resolve("10.1.2.3", ""), "10.1.2.3");
  // Only trusted hops: the left-most of them is as far as anyone can see.
  EXPECT_EQ(resolver.Resolve("10.1.2.3", "10.0.0.1, 10.0.0.2"), "10.0.0.1");
}

TEST(ClientAddressResolver, HopsWrittenWithAPortStillCount) {
  ClientAddressResolver resolver = Trusting({"10.0.0.0/8"});
  EXPECT_EQ(resolver.Resolve("10.1.2.3", "198.51.100.1:43210"), "198.51.100.1");
  EXPECT_EQ(resolver.Resolve("10.1.2.3", "[2001:db8::7]:443"), "2001:db8::7");
  EXPECT_EQ(resolver.Resolve("10.1.2.3", "[2001:db8::7"), "10.1.2.3");
}

TEST(ForwardedForOf, JoinsEveryLineInOrder) {
  HttpRequest request{boost::beast::http::verb::get, "/", 11};
  EXPECT_EQ(ForwardedForOf(request), "");
  // A client's forged line first, then the line its proxy added (rather than appending).
  request.insert("X-Forwarded-For", "6.6.6.6");
  request.insert("X-Forwarded-For", "198.51.100.1, 10.0.0.2");
  EXPECT_EQ(ForwardedForOf(request), "6.6.6.6, 198.51.100.1, 10.0.0.2");
  ClientAddressResolver resolver = Trusting({"10.0.0.0/8"});
  EXPECT_EQ(resolver.Resolve("10.1.2.3", ForwardedForOf(request)), "198.51.100.1");
}

TEST(ClientAddressResolver, IPv6AndMappedIPv4) {
  ClientAddressResolver resolver = Trusting({"fd00::/8", "127.0.0.1"});
  EXPECT_EQ(resolver.Resolve("fd12::1", "2001:db8::5"), "2001:db8::5");
  EXPECT_EQ(resolver.Resolve("::ffff:127.0.0.1", "198.51.100.1"), "198.51.100.1");
  EXPECT_EQ(resolver.Resolve("::ffff:203.0.113.9", ""), "203.0.113.9");
}

TEST(ClientAddressResolver, RefusesEntriesThatAreNotAddresses) {
  EXPECT_FALSE(ClientAddressResolver::Create({"10.0.0.0/33"}).ok());
  EXPECT_FALSE(ClientAddressResolver::Create({"proxy.internal"}).ok());
  EXPECT_TRUE(ClientAddressResolver::Create({"10.0.0.0/8", "::1", "192.0.2.1"}).ok());
}

// X-Forwarded-For is client-controlled text: whatever it holds, the answer is the peer or a
// well-formed address, never a copy of the junk (it becomes a Redis key and a log field).
TEST(ClientAddressResolver, FuzzedForwardedForYieldsOnlyAddresses) {
  ClientAddressResolver resolver = Trusting({"10.0.0.0/8", "::1"});
  std::mt19937 random(20261128);
  using namespace std::string_literals;  // The alphabet holds a NUL byte.
  const std::string alphabet = "0123456789abcdef.:, /\t\x00\xff[]%"s;
  const std::vector<std::string> pieces = {
      "10.0.0.1", "198.51.100.7", "::1", "2001:db8::1", "::ffff:10.1.1.1", "999.1.1.1", "", " ",
      ","};
  for (int round = 0; round < 20000; ++round) {
    std::string header;
    int parts = std::uniform_int_distribution<int>(0, 6)(random);
    for (int i = 0; i < parts; ++i) {
      if (random() % 2 == 0) {
        header += pieces[random() % pieces.size()];
      } else {
        int length = std::uniform_int_distribution<int>(0, 12)(random);
        for (int j = 0; j < length; ++j) header += alphabet[random() % alphabet.size()];
      }
      if (random() % 3 != 0) header += ",";
    }
    std::string client = resolver.Resolve("10.9.9.9", header);
    boost::system::error_code ec;
    boost::asio::ip::make_address(client, ec);
    ASSERT_FALSE(ec) << "header \"" << header << "\" gave \"" << client << "\"";
  }
}

}  // namespace
}  // namespace chatter::gateway
