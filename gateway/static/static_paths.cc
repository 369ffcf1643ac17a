// Request path resolution, content types and cache policy of the static files.
#include "gateway/static/static_paths.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace chatter::gateway {
namespace {

struct TypeEntry {
  absl::string_view extension;
  absl::string_view content_type;
};

// The types a landing page and a Vite build produce; anything else is octet-stream.
constexpr TypeEntry kContentTypes[] = {
    {"html", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"webp", "image/webp"},
    {"gif", "image/gif"},
    {"ico", "image/x-icon"},
    {"json", "application/json"},
    {"webmanifest", "application/manifest+json"},
    {"txt", "text/plain; charset=utf-8"},
    {"woff2", "font/woff2"},
    {"woff", "font/woff"},
    {"map", "application/json"},
    {"wasm", "application/wasm"},
};

absl::string_view Extension(absl::string_view file_name) {
  size_t slash = file_name.rfind('/');
  absl::string_view base =
      slash == absl::string_view::npos ? file_name : file_name.substr(slash + 1);
  size_t dot = base.rfind('.');
  if (dot == absl::string_view::npos || dot == 0) return {};
  return base.substr(dot + 1);
}

absl::string_view BaseName(absl::string_view file_name) {
  size_t slash = file_name.rfind('/');
  return slash == absl::string_view::npos ? file_name : file_name.substr(slash + 1);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes one segment (never containing a raw '/'). An encoded '/' would make one segment two
// after decoding, so it is refused rather than guessed at.
absl::StatusOr<std::string> DecodeSegment(absl::string_view segment) {
  std::string out;
  out.reserve(segment.size());
  for (size_t i = 0; i < segment.size(); ++i) {
    char c = segment[i];
    if (c == '%') {
      if (i + 2 >= segment.size() || HexValue(segment[i + 1]) < 0 || HexValue(segment[i + 2]) < 0) {
        return absl::InvalidArgumentError("malformed percent escape in path");
      }
      int high = HexValue(segment[i + 1]);
      int low = HexValue(segment[i + 2]);
      c = static_cast<char>(high * 16 + low);
      i += 2;
    }
    if (c == '/') return absl::InvalidArgumentError("encoded '/' in path");
    if (c == '\\') return absl::InvalidArgumentError("backslash in path");
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError("control character in path");
    }
    out.push_back(c);
  }
  if (out == "." || out == "..") return absl::InvalidArgumentError("dot segment in path");
  return out;
}

}  // namespace

absl::StatusOr<std::string> ResolveStaticPath(absl::string_view relative) {
  bool directory = relative.empty() || absl::EndsWith(relative, "/");
  if (directory && !relative.empty()) relative.remove_suffix(1);
  std::vector<std::string> segments;
  if (!relative.empty()) {
    for (absl::string_view segment : absl::StrSplit(relative, '/')) {
      if (segment.empty()) return absl::InvalidArgumentError("empty segment in path");
      absl::StatusOr<std::string> decoded = DecodeSegment(segment);
      if (!decoded.ok()) return decoded.status();
      segments.push_back(*std::move(decoded));
    }
  }
  if (directory) segments.push_back("index.html");
  return absl::StrJoin(segments, "/");
}

absl::string_view StaticContentType(absl::string_view file_name) {
  std::string extension = absl::AsciiStrToLower(Extension(file_name));
  for (const TypeEntry& entry : kContentTypes) {
    if (entry.extension == extension) return entry.content_type;
  }
  return "application/octet-stream";
}

bool IsStaticDocument(absl::string_view file_name) {
  std::string extension = absl::AsciiStrToLower(Extension(file_name));
  return extension == "html" || extension == "svg";
}

absl::string_view StaticCacheControl(absl::string_view file_name) {
  if (absl::StartsWith(file_name, "assets/") && BaseName(file_name) != "sw.js" &&
      !absl::EndsWith(file_name, ".html")) {
    return "public, max-age=31536000, immutable";
  }
  return "no-cache";
}

bool LooksLikeStaticFile(absl::string_view file_name) {
  if (absl::StartsWith(file_name, "assets/")) return true;
  absl::string_view extension = Extension(file_name);
  if (extension.empty()) return false;
  return StaticContentType(file_name) != "application/octet-stream";
}

}  // namespace chatter::gateway
