// GET /healthz (the process runs) and GET /readyz (every backend answers its health check).
#pragma once

#include "gateway/backends/backend_readiness.h"
#include "gateway/http/router.h"

namespace chatter::gateway {

void AddHealthRoutes(Router& router, const BackendReadiness& readiness);

}  // namespace chatter::gateway
