// The setup phase over REST: sign up every user, let the first member of each room create it,
// and the others join. Bounded parallelism, one keep-alive connection per worker.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/loadgen/options.h"
#include "tools/loadgen/report.h"
#include "tools/loadgen/rest_api.h"
#include "tools/loadgen/room_plan.h"

namespace chatter::loadgen {

struct SetupResult {
  std::vector<Account> accounts;      // By user index.
  std::vector<std::string> room_ids;  // By room index.
  SetupStats stats;
};

// "<prefix>-<user>" and its e-mail address.
std::string UsernameOf(const std::string& prefix, int user);
std::string EmailOf(const std::string& prefix, int user);

// Runs the phase on `io` (which other threads run) and blocks the calling thread, which must not
// be one of them, until it ends. Stops at the first error.
absl::StatusOr<SetupResult> RunSetup(boost::asio::io_context& io,
                                     const boost::asio::ip::tcp::resolver::results_type& endpoints,
                                     const Options& options, const RoomPlan& plan);

}  // namespace chatter::loadgen
