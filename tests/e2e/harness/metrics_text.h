// Reading Prometheus text in end-to-end tests.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace chatter::e2e {

// The sum of the samples of `name` whose labels include all of `labels`, in Prometheus text;
// nullopt when no sample matches.
std::optional<double> Sample(const std::string& text, const std::string& name,
                             const std::map<std::string, std::string>& labels = {});

}  // namespace chatter::e2e
