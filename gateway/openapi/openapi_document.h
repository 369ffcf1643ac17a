// The gateway's OpenAPI document (gateway/openapi/openapi.json), compiled into the binary by
// chatter_embed_text so it always matches the routes of the same build.
#pragma once

#include "absl/strings/string_view.h"

namespace chatter::gateway {

// The document's JSON text, exactly as in the source tree.
absl::string_view OpenApiDocument();

}  // namespace chatter::gateway
