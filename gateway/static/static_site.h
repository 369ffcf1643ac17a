// The gateway's static files, off unless configured (CHATTER_GATEWAY_STATIC_ROOT,
// CHATTER_GATEWAY_APP_DIR): the landing page at "/" and the web app at "/app/", whose paths that
// are not files answer the app's index.html (single-page app routes). The dispatcher asks it
// only for GET and HEAD requests that no route matched, so the API, /ws and the probes always win.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gateway/http/dispatcher.h"
#include "gateway/http/http_types.h"
#include "gateway/static/static_bundle.h"

namespace chatter::gateway {

// CHATTER_GATEWAY_STATIC_ROOT and friends (docs/CONFIGURATION.md).
struct StaticFilesSettings {
  std::string site_dir;  // Served at "/"; "" = no landing page.
  std::string app_dir;   // Served at "/app/" with the single-page fallback; "" = no app.
  StaticLimits limits;
  bool enabled() const { return !site_dir.empty() || !app_dir.empty(); }
};

class StaticSite {
 public:
  // Loads the configured directories (one log line per mount, one per file left out); fails
  // like StaticBundle::Load, naming the setting.
  static absl::StatusOr<std::unique_ptr<StaticSite>> Load(const StaticFilesSettings& settings);

  // Either bundle may be absent: that mount is off (its paths are 404 as without static files).
  StaticSite(std::optional<StaticBundle> site, std::optional<StaticBundle> app);

  // Whether `path` (without the query string) belongs to a mount. Never the API's (/v1...), the
  // WebSocket's (/ws) or the probes' paths, whatever the bundles hold.
  bool Wants(absl::string_view path) const;

  // The answer to a GET of `request`: 200 with the file, 304 when If-None-Match names its ETag,
  // 301 from /app to /app/, 400 for a refused path, 404 for a missing file (the error envelope).
  HttpResponse Serve(const HttpRequest& request, absl::string_view request_id) const;

  // This site as the dispatcher's fallback (route label "static"); `this` must outlive it.
  FallbackRoute AsFallbackRoute() const;

  static constexpr absl::string_view kAppMount = "/app/";
  static constexpr absl::string_view kRouteLabel = "static";
  // Only 'self', plus WebSocket and fetch to the gateway; data: images and fonts because Vite
  // inlines small assets as data: URLs.
  static constexpr absl::string_view kContentSecurityPolicy =
      "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
      "font-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
      "frame-ancestors 'none'";

 private:
  static HttpResponse FileResponse(const StaticFile& file, const HttpRequest& request);

  std::optional<StaticBundle> site_;
  std::optional<StaticBundle> app_;
};

}  // namespace chatter::gateway
