// Asio coroutine support for the load generator. Boost 1.74's awaitable.hpp uses std::exchange
// without including <utility>, so every coroutine file includes Asio through this header.
#pragma once

// clang-format off
#include <utility>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
// clang-format on

namespace chatter::loadgen {

namespace net = boost::asio;

// `co_await op(..., Await(ec))` stores the error in `ec` instead of throwing.
inline auto Await(boost::system::error_code& ec) {
  return net::redirect_error(net::use_awaitable, ec);
}

}  // namespace chatter::loadgen
