// Serves the embedded OpenAPI document.
#include "gateway/openapi/openapi_route.h"

#include "gateway/openapi/openapi_document.h"

namespace chatter::gateway {

void AddOpenApiRoute(Router& router) {
  router.Add("GET", kOpenApiPath, [](const HttpRequest&, const RequestContext&, Responder respond) {
    respond(JsonResponse(200, std::string(OpenApiDocument())));
  });
}

}  // namespace chatter::gateway
