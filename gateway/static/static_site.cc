// Serving the static mounts from their in-memory bundles.
#include "gateway/static/static_site.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gateway/static/static_paths.h"
#include "libs/log/log.h"

namespace chatter::gateway {
namespace {

namespace http = boost::beast::http;

bool IsPathOrBelow(absl::string_view path, absl::string_view prefix) {
  return path == prefix || absl::StartsWith(path, absl::StrCat(prefix, "/"));
}

// Paths whose answers must come from the gateway itself, never from a file that happens to be
// in a bundle under that name.
bool IsReserved(absl::string_view path) {
  return IsPathOrBelow(path, "/v1") || IsPathOrBelow(path, "/ws") || path == "/healthz" ||
         path == "/readyz" || path == "/metrics";
}

// If-None-Match: "*" or a list of (possibly weak) entity tags; weak comparison (RFC 9110 13.1.2).
bool MatchesIfNoneMatch(absl::string_view header, absl::string_view etag) {
  for (absl::string_view candidate : absl::StrSplit(header, ',')) {
    candidate = absl::StripAsciiWhitespace(candidate);
    absl::ConsumePrefix(&candidate, "W/");
    if (candidate == "*" || candidate == etag) return true;
  }
  return false;
}

// Loads one mount's directory, or nothing when `dir` is empty.
absl::StatusOr<std::optional<StaticBundle>> LoadMount(absl::string_view setting,
                                                      absl::string_view mount,
                                                      const std::string& dir,
                                                      const StaticLimits& limits) {
  if (dir.empty()) return std::nullopt;
  absl::StatusOr<StaticBundle> bundle = StaticBundle::Load(dir, limits);
  if (!bundle.ok()) {
    return absl::Status(bundle.status().code(),
                        absl::StrCat(setting, ": ", bundle.status().message()));
  }
  log::Info("serving static files", {{"mount", std::string(mount)},
                                     {"dir", dir},
                                     {"files", bundle->file_count()},
                                     {"bytes", bundle->total_bytes()}});
  for (const std::string& skipped : bundle->skipped()) {
    log::Warn("static file left out", {{"mount", std::string(mount)}, {"why", skipped}});
  }
  if (bundle->Find("index.html") == nullptr) {
    log::Warn("static mount has no index.html", {{"mount", std::string(mount)}, {"dir", dir}});
  }
  return std::optional<StaticBundle>(*std::move(bundle));
}

}  // namespace

absl::StatusOr<std::unique_ptr<StaticSite>> StaticSite::Load(const StaticFilesSettings& settings) {
  absl::StatusOr<std::optional<StaticBundle>> site =
      LoadMount("CHATTER_GATEWAY_STATIC_ROOT", "/", settings.site_dir, settings.limits);
  if (!site.ok()) return site.status();
  absl::StatusOr<std::optional<StaticBundle>> app =
      LoadMount("CHATTER_GATEWAY_APP_DIR", kAppMount, settings.app_dir, settings.limits);
  if (!app.ok()) return app.status();
  return std::make_unique<StaticSite>(*std::move(site), *std::move(app));
}

StaticSite::StaticSite(std::optional<StaticBundle> site, std::optional<StaticBundle> app)
    : site_(std::move(site)), app_(std::move(app)) {}

bool StaticSite::Wants(absl::string_view path) const {
  if (IsReserved(path)) return false;
  if (app_ && IsPathOrBelow(path, "/app")) return true;
  return site_.has_value();
}

HttpResponse StaticSite::Serve(const HttpRequest& request, absl::string_view request_id) const {
  absl::string_view target = ToAbsl(request.target());
  size_t query_start = target.find('?');
  absl::string_view path = target.substr(0, query_start);
  absl::string_view query =
      query_start == absl::string_view::npos ? absl::string_view() : target.substr(query_start);
  auto not_found = [&] {
    return ErrorResponse(absl::NotFoundError(absl::StrCat("no file at ", path)), request_id);
  };
  if (!Wants(path)) return not_found();
  // Without the slash the app's relative URLs would resolve against "/".
  if (app_ && path == "/app") {
    HttpResponse response = TextResponse(301, "moved to /app/");
    response.set(http::field::location, absl::StrCat(kAppMount, query));
    return response;
  }
  const StaticBundle* bundle = nullptr;
  absl::string_view relative;
  bool single_page_app = false;
  if (app_ && absl::StartsWith(path, kAppMount)) {
    bundle = &*app_;
    relative = path.substr(kAppMount.size());
    single_page_app = true;
  } else if (site_ && absl::StartsWith(path, "/")) {
    bundle = &*site_;
    relative = path.substr(1);
  } else {
    return not_found();
  }
  absl::StatusOr<std::string> name = ResolveStaticPath(relative);
  if (!name.ok()) {
    return ErrorResponse(
        absl::InvalidArgumentError(absl::StrCat("refused path: ", name.status().message())),
        request_id);
  }
  const StaticFile* file = bundle->Find(*name);
  if (file == nullptr && single_page_app && !LooksLikeStaticFile(*name)) {
    file = bundle->Find("index.html");
  }
  if (file == nullptr) return not_found();
  return FileResponse(*file, request);
}

HttpResponse StaticSite::FileResponse(const StaticFile& file, const HttpRequest& request) {
  HttpResponse response{http::status::ok, 11};
  response.set(http::field::etag, file.etag);
  response.set(http::field::cache_control, file.cache_control);
  response.set("X-Content-Type-Options", "nosniff");
  if (file.document) {
    response.set("Content-Security-Policy", std::string(kContentSecurityPolicy));
    response.set("Referrer-Policy", "no-referrer");
    response.set(http::field::x_frame_options, "DENY");
  }
  absl::string_view if_none_match = ToAbsl(request[http::field::if_none_match]);
  if (!if_none_match.empty() && MatchesIfNoneMatch(if_none_match, file.etag)) {
    response.result(http::status::not_modified);
    response.prepare_payload();
    return response;
  }
  response.set(http::field::content_type, file.content_type);
  // A copy per response: the transport's body type owns its bytes. Files are small and this is
  // a memcpy, not a disk read.
  response.body() = file.content;
  response.prepare_payload();
  return response;
}

FallbackRoute StaticSite::AsFallbackRoute() const {
  return FallbackRoute{
      .route = std::string(kRouteLabel),
      .wants = [this](absl::string_view path) { return Wants(path); },
      .handler = [this](const HttpRequest& request, const RequestContext& context,
                        Responder respond) { respond(Serve(request, context.request_id)); }};
}

}  // namespace chatter::gateway
