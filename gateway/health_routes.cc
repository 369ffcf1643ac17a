// Health and readiness routes.
#include "gateway/health_routes.h"

namespace chatter::gateway {

void AddHealthRoutes(Router& router, const BackendReadiness& readiness) {
  router.Add("GET", "/healthz", [](const HttpRequest&, const RequestContext&, Responder respond) {
    respond(TextResponse(200, "ok"));
  });
  router.Add("GET", "/readyz",
             [&readiness](const HttpRequest&, const RequestContext&, Responder respond) {
               readiness.Check([respond = std::move(respond)](ReadinessReport report) {
                 respond(JsonResponse(report.ready ? 200 : 503, report.ToJson()));
               });
             });
}

}  // namespace chatter::gateway
