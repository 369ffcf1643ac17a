// GET /v1/openapi.json: the embedded OpenAPI document, public (no token), so tools and browsers
// can fetch the contract from the gateway they talk to.
#pragma once

#include "gateway/http/router.h"

namespace chatter::gateway {

inline constexpr char kOpenApiPath[] = "/v1/openapi.json";

void AddOpenApiRoute(Router& router);

}  // namespace chatter::gateway
