// Serves every route of the table: one HTTP handler per route that checks identity and content
// type, binds the request, forwards it over gRPC and answers with the route's success status
// and JSON body, or the shared error envelope.
#pragma once

#include "absl/status/status.h"
#include "gateway/http/router.h"
#include "gateway/transcoding/grpc_forwarder.h"
#include "gateway/transcoding/route_table.h"

namespace chatter::gateway {

// Adds a handler to `router` for each route of `table`. Fails (adding nothing) when a route's
// backend has no channel in `forwarder`. The forwarder must outlive the router; the table need
// not (each handler keeps its own copy of its route).
absl::Status AddRestRoutes(Router& router, const RouteTable& table, const GrpcForwarder& forwarder);

}  // namespace chatter::gateway
