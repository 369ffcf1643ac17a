// One directory of static files (the landing page, or the web app's build), read into memory
// once at start and then only looked up.
//
// Why in memory and not read per request: the dist folders are small (well under the limits
// below), a lookup in a hash map never blocks an Asio thread on the disk, and a request can only
// ever reach a file that was found under the root at start, so no request can race a symlink
// swap or walk out of the root. The price is that a rebuilt site needs a gateway restart
// (tools/dev up builds before it starts the gateway).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace chatter::gateway {

struct StaticFile {
  std::string content;
  std::string content_type;
  std::string cache_control;
  std::string etag;       // A strong validator, quoted: "<fnv-1a 64 of the content>-<size>".
  bool document = false;  // HTML or SVG: served with the security headers.
};

struct StaticLimits {
  // A larger file is left out (answered 404) and reported in skipped().
  size_t max_file_bytes = 4 << 20;
  // Beyond these the bundle is refused: a root pointed at the wrong directory (a home, a
  // node_modules) should stop the start, not fill the gateway's memory.
  size_t max_total_bytes = 64 << 20;
  size_t max_files = 10000;
};

class StaticBundle {
 public:
  // Reads every regular file under `root`, recursively. Names starting with '.' (.git, .env) are
  // left out, directories behind symlinks are not entered, and a symlinked file is served only
  // when its target lies inside `root`. FAILED_PRECONDITION when `root` is not a readable
  // directory or the bundle exceeds the limits.
  static absl::StatusOr<StaticBundle> Load(const std::string& root, const StaticLimits& limits);

  // A file by its name inside the bundle ("index.html", "assets/app.js"); null when absent.
  const StaticFile* Find(absl::string_view name) const;

  size_t file_count() const { return files_.size(); }
  size_t total_bytes() const { return total_bytes_; }
  // Files left out and why ("big.bin: 5000000 bytes, over the 4194304-byte limit"), for the log.
  const std::vector<std::string>& skipped() const { return skipped_; }

 private:
  absl::flat_hash_map<std::string, StaticFile> files_;
  size_t total_bytes_ = 0;
  std::vector<std::string> skipped_;
};

}  // namespace chatter::gateway
