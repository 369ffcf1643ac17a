// Segment-wise path template matching.
#include "gateway/http/router.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace chatter::gateway {
namespace {

std::vector<absl::string_view> SplitPath(absl::string_view path) {
  return absl::StrSplit(path, '/', absl::SkipEmpty());
}

bool IsParameter(absl::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Exact segments rank before parameters, so "/v1/users/me" beats "/v1/users/{user_id}".
int Specificity(const std::vector<std::string>& segments) {
  int score = 0;
  for (const auto& segment : segments) score = score * 2 + (IsParameter(segment) ? 0 : 1);
  return score;
}

}  // namespace

void Router::Add(std::string method, std::string path_template, HttpHandler handler) {
  std::vector<std::string> segments;
  for (absl::string_view segment : SplitPath(path_template)) segments.emplace_back(segment);
  routes_.push_back(
      {std::move(method), std::move(path_template), std::move(segments), std::move(handler)});
  std::stable_sort(routes_.begin(), routes_.end(), [](const Route& a, const Route& b) {
    if (a.segments.size() != b.segments.size()) return a.segments.size() < b.segments.size();
    return Specificity(a.segments) > Specificity(b.segments);
  });
}

bool Router::MatchSegments(const Route& route, const std::vector<absl::string_view>& segments,
                           std::map<std::string, std::string>* params) {
  if (route.segments.size() != segments.size()) return false;
  for (size_t i = 0; i < segments.size(); ++i) {
    const std::string& pattern = route.segments[i];
    if (IsParameter(pattern)) {
      if (params) (*params)[pattern.substr(1, pattern.size() - 2)] = std::string(segments[i]);
    } else if (pattern != segments[i]) {
      return false;
    }
  }
  return true;
}

std::optional<RouteMatch> Router::Match(absl::string_view method, absl::string_view path) const {
  std::vector<absl::string_view> segments = SplitPath(path);
  for (const Route& route : routes_) {
    if (route.method != method) continue;
    RouteMatch match;
    if (MatchSegments(route, segments, &match.path_params)) {
      match.handler = &route.handler;
      match.route_template = route.path_template;
      return match;
    }
  }
  return std::nullopt;
}

std::vector<std::string> Router::AllowedMethods(absl::string_view path) const {
  std::vector<absl::string_view> segments = SplitPath(path);
  std::vector<std::string> methods;
  for (const Route& route : routes_) {
    if (MatchSegments(route, segments, nullptr)) methods.push_back(route.method);
  }
  std::sort(methods.begin(), methods.end());
  methods.erase(std::unique(methods.begin(), methods.end()), methods.end());
  if (std::find(methods.begin(), methods.end(), "GET") != methods.end()) {
    methods.insert(std::upper_bound(methods.begin(), methods.end(), "HEAD"), "HEAD");
  }
  return methods;
}

std::vector<std::string> Router::Describe() const {
  std::vector<std::string> out;
  for (const Route& route : routes_)
    out.push_back(absl::StrCat(route.method, " ", route.path_template));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace chatter::gateway
