// Every route the gateway serves, added in one place, so main.cc and the test that compares the
// routes with the OpenAPI document build exactly the same router.
#pragma once

#include "absl/status/status.h"
#include "gateway/backends/backend_readiness.h"
#include "gateway/http/router.h"
#include "gateway/transcoding/grpc_forwarder.h"
#include "gateway/transcoding/route_table.h"

namespace chatter::gateway {

// /healthz, /readyz, the GET /ws fallback (426 without an upgrade), one route per entry of
// `rest_routes` and /v1/openapi.json. Fails like AddRestRoutes. Everything must outlive `router`
// but `rest_routes`.
absl::Status AddGatewayRoutes(Router& router, const BackendReadiness& readiness,
                              const RouteTable& rest_routes, const GrpcForwarder& forwarder);

}  // namespace chatter::gateway
