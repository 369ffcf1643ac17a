// Loading a directory of static files into memory.
#include "gateway/static/static_bundle.h"

#include <filesystem>
#include <fstream>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gateway/static/static_paths.h"

namespace chatter::gateway {
namespace {

namespace fs = std::filesystem;

// FNV-1a: enough to tell two versions of a file apart for revalidation; not a security boundary.
uint64_t Fnv1a64(absl::string_view data) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

// True when `path` (canonical) is `root` (canonical) or below it.
bool IsInside(const fs::path& path, const fs::path& root) {
  fs::path relative = path.lexically_relative(root);
  return !relative.empty() && *relative.begin() != "..";
}

absl::StatusOr<std::string> ReadFile(const fs::path& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::UnavailableError(absl::StrCat("cannot open ", path.string()));
  std::string content;
  char buffer[64 * 1024];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    content.append(buffer, static_cast<size_t>(in.gcount()));
    if (content.size() > max_bytes) {
      return absl::OutOfRangeError(absl::StrCat(path.string(), ": over the ", max_bytes,
                                                "-byte limit (it grew while being read)"));
    }
  }
  if (in.bad()) return absl::UnavailableError(absl::StrCat("cannot read ", path.string()));
  return content;
}

StaticFile Describe(const std::string& name, std::string content) {
  StaticFile file;
  file.etag = absl::StrFormat("\"%016x-%x\"", Fnv1a64(content), content.size());
  file.content = std::move(content);
  file.content_type = std::string(StaticContentType(name));
  file.cache_control = std::string(StaticCacheControl(name));
  file.document = IsStaticDocument(name);
  return file;
}

}  // namespace

absl::StatusOr<StaticBundle> StaticBundle::Load(const std::string& root,
                                                const StaticLimits& limits) {
  std::error_code error;
  fs::path canonical_root = fs::canonical(root, error);
  if (error || !fs::is_directory(canonical_root, error)) {
    return absl::FailedPreconditionError(
        absl::StrCat("static root ", root, " is not a readable directory"));
  }
  StaticBundle bundle;
  fs::recursive_directory_iterator it(canonical_root, fs::directory_options::none, error);
  if (error) {
    return absl::FailedPreconditionError(absl::StrCat("cannot list ", root, ": ", error.message()));
  }
  for (; it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (error) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot list ", root, ": ", error.message()));
    }
    const fs::directory_entry& entry = *it;
    std::string name = entry.path().lexically_relative(canonical_root).generic_string();
    if (entry.path().filename().string().front() == '.') {
      if (entry.is_directory(error)) it.disable_recursion_pending();
      continue;
    }
    fs::path target = entry.path();
    if (entry.is_symlink(error)) {
      target = fs::canonical(entry.path(), error);
      if (error || !IsInside(target, canonical_root)) {
        bundle.skipped_.push_back(absl::StrCat(name, ": a symlink to outside the root"));
        continue;
      }
      if (fs::is_directory(target, error)) {
        bundle.skipped_.push_back(absl::StrCat(name, ": a symlink to a directory"));
        continue;
      }
    }
    if (!fs::is_regular_file(target, error)) continue;  // Directories, sockets, fifos.
    uintmax_t size = fs::file_size(target, error);
    if (error) {
      bundle.skipped_.push_back(absl::StrCat(name, ": ", error.message()));
      continue;
    }
    if (size > limits.max_file_bytes) {
      bundle.skipped_.push_back(absl::StrCat(name, ": ", size, " bytes, over the ",
                                             limits.max_file_bytes, "-byte limit"));
      continue;
    }
    if (bundle.files_.size() + 1 > limits.max_files ||
        bundle.total_bytes_ + size > limits.max_total_bytes) {
      return absl::FailedPreconditionError(
          absl::StrCat("static root ", root, " holds more than ", limits.max_files, " files or ",
                       limits.max_total_bytes, " bytes; is it the right directory?"));
    }
    absl::StatusOr<std::string> content = ReadFile(target, limits.max_file_bytes);
    if (!content.ok()) {
      bundle.skipped_.push_back(absl::StrCat(name, ": ", content.status().message()));
      continue;
    }
    bundle.total_bytes_ += content->size();
    bundle.files_.emplace(name, Describe(name, *std::move(content)));
  }
  return bundle;
}

const StaticFile* StaticBundle::Find(absl::string_view name) const {
  auto it = files_.find(name);
  return it == files_.end() ? nullptr : &it->second;
}

}  // namespace chatter::gateway
