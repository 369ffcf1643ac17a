// gRPC checks every server must pass, driven from the outside: the standard health service and
// server reflection (grpc.reflection.v1alpha, spoken through the generic stub because Debian's
// gRPC ships the reflection server but not its client headers).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpc/health/v1/health.pb.h"

namespace chatter::e2e {

// grpc.health.v1.Health/Check for `service` ("" asks about the whole server).
absl::StatusOr<grpc::health::v1::HealthCheckResponse::ServingStatus> CheckHealth(
    const std::string& address, const std::string& service,
    absl::Duration timeout = absl::Seconds(5));

// The fully qualified names of the services the server at `address` lists through reflection
// (ServerReflectionInfo with list_services).
absl::StatusOr<std::vector<std::string>> ListServicesByReflection(
    const std::string& address, absl::Duration timeout = absl::Seconds(5));

}  // namespace chatter::e2e
