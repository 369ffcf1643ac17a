// Pure helpers of the static-file route: turning a request path into a file name inside a
// bundle (or refusing it), and what each file is served with (content type, caching).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace chatter::gateway {

// `relative` is the part of a request path below a mount, still percent-encoded, without the
// query string ("", "index.html", "assets/app-1f2e.js", "rooms/"). Answers the decoded file name
// inside the bundle: "" and a trailing '/' name that directory's index.html. Refuses (as
// INVALID_ARGUMENT) what could step outside the bundle or name something ambiguous: "." and ".."
// segments (also percent-encoded), empty segments ("a//b"), an encoded '/', backslashes, NUL and
// other control characters, and malformed percent escapes.
absl::StatusOr<std::string> ResolveStaticPath(absl::string_view relative);

// The Content-Type for a file name, by its extension ("application/octet-stream" when unknown,
// which X-Content-Type-Options: nosniff keeps from being rendered).
absl::string_view StaticContentType(absl::string_view file_name);

// HTML and SVG can run scripts when opened, so they get the security headers.
bool IsStaticDocument(absl::string_view file_name);

// Cache-Control for a file of a bundle: Vite's content-hashed files under assets/ never change
// under their name (a year, immutable); everything else, HTML and the service worker (sw.js)
// above all, must be revalidated on every use (no-cache, cheap with the ETag).
absl::string_view StaticCacheControl(absl::string_view file_name);

// True for a name that looks like a request for a file rather than a route of a single-page app:
// anything under assets/, or a last segment with an extension we serve. A miss on one of these
// is a 404, not the app's index.html (a script answered with HTML fails in confusing ways).
bool LooksLikeStaticFile(absl::string_view file_name);

}  // namespace chatter::gateway
