// The gateway's route list.
#include "gateway/gateway_routes.h"

#include "gateway/health_routes.h"
#include "gateway/openapi/openapi_route.h"
#include "gateway/transcoding/rest_routes.h"
#include "gateway/ws/ws_endpoint.h"

namespace chatter::gateway {

absl::Status AddGatewayRoutes(Router& router, const BackendReadiness& readiness,
                              const RouteTable& rest_routes, const GrpcForwarder& forwarder) {
  if (absl::Status added = AddRestRoutes(router, rest_routes, forwarder); !added.ok()) {
    return added;
  }
  AddHealthRoutes(router, readiness);
  AddWebSocketFallbackRoute(router);
  AddOpenApiRoute(router);
  return absl::OkStatus();
}

}  // namespace chatter::gateway
