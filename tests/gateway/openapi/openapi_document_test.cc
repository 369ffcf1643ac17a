// The OpenAPI document against the gateway itself: the router built exactly as main.cc builds it
// and the protos behind the REST routes. A route nobody documented, a documented route that does
// not exist, a missing security scheme or example, or a schema that drifted from the proto's
// fields fails here.
#include "gateway/openapi/openapi_document.h"

#include <google/protobuf/descriptor.h>
#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "chatter/auth/v1/auth.grpc.pb.h"
#include "chatter/chat/v1/chat.grpc.pb.h"
#include "chatter/realtime/v1/realtime.grpc.pb.h"
#include "gateway/backends/backend_readiness.h"
#include "gateway/gateway_routes.h"
#include "gateway/openapi/openapi_route.h"
#include "gateway/transcoding/grpc_forwarder.h"
#include "gateway/transcoding/route_table.h"

namespace chatter::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using nlohmann::json;

// The gateway's own routes (not from the protos), and whether each needs an access token. A new
// one fails the security test until it is listed here.
const std::map<std::string, bool> kOwnRoutes = {
    {"GET /healthz", false},
    {"GET /readyz", false},
    {"GET /v1/openapi.json", false},
    {"GET /ws", true},
};

const std::set<std::string> kHttpMethods = {"get",     "put",  "post",  "delete",
                                            "options", "head", "patch", "trace"};

std::string Key(const std::string& method, const std::string& path) {
  return absl::StrCat(method, " ", path);
}

const json& Document() {
  static const json* document = new json(json::parse(std::string(OpenApiDocument())));
  return *document;
}

// Follows a local "$ref" ("#/components/<kind>/<name>"); anything else is returned as it is.
const json& Resolve(const json& node) {
  if (!node.is_object() || !node.contains("$ref")) return node;
  std::string ref = node["$ref"];
  static const std::string kPrefix = "#/";
  if (ref.rfind(kPrefix, 0) != 0) {
    ADD_FAILURE() << "non-local $ref " << ref;
    return node;
  }
  const json* target = &Document();
  for (absl::string_view piece : absl::StrSplit(ref.substr(kPrefix.size()), '/')) {
    std::string part(piece);
    if (!target->is_object() || !target->contains(part)) {
      ADD_FAILURE() << "$ref " << ref << " resolves to nothing";
      return node;
    }
    target = &(*target)[part];
  }
  return Resolve(*target);
}

// Every documented operation, "METHOD /path" -> operation object.
std::map<std::string, json> DocumentedOperations() {
  std::map<std::string, json> out;
  for (const auto& [path, item] : Document().at("paths").items()) {
    for (const auto& [method, operation] : item.items()) {
      if (kHttpMethods.count(method)) out[Key(absl::AsciiStrToUpper(method), path)] = operation;
    }
  }
  return out;
}

// The schema behind `node` and whether it also admits null ({"anyOf":[X,{"type":"null"}]} or
// {"type":[X,"null"]}).
struct SchemaView {
  json schema;
  bool nullable = false;
};

SchemaView View(const json& node) {
  json schema = Resolve(node);
  bool nullable = false;
  for (const char* combinator : {"anyOf", "oneOf"}) {
    if (!schema.contains(combinator)) continue;
    json rest = json::array();
    for (const json& branch : schema[combinator]) {
      const json& resolved = Resolve(branch);
      if (resolved.value("type", json()) == "null") {
        nullable = true;
      } else {
        rest.push_back(resolved);
      }
    }
    if (nullable && rest.size() == 1) schema = rest[0];
  }
  if (schema.contains("type") && schema["type"].is_array()) {
    json types = json::array();
    for (const json& type : schema["type"]) {
      if (type == "null") {
        nullable = true;
      } else {
        types.push_back(type);
      }
    }
    schema["type"] = types.size() == 1 ? types[0] : types;
  }
  return {schema, nullable};
}

bool IsTimestamp(const Descriptor* type) {
  return type->full_name() == "google.protobuf.Timestamp";
}

std::string JsonTypeOf(const FieldDescriptor* field) {
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_UINT32:
    case FieldDescriptor::CPPTYPE_UINT64:
      return "integer";
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT:
      return "number";
    case FieldDescriptor::CPPTYPE_BOOL:
      return "boolean";
    case FieldDescriptor::CPPTYPE_ENUM:
    case FieldDescriptor::CPPTYPE_STRING:
      return "string";
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return IsTimestamp(field->message_type()) ? "string" : "object";
  }
  return "?";
}

std::set<std::string> Keys(const json& object) {
  std::set<std::string> out;
  if (!object.is_object()) return out;
  for (const auto& [key, value] : object.items()) out.insert(key);
  return out;
}

std::string Describe(const std::set<std::string>& names) {
  return absl::StrCat("{", absl::StrJoin(names, ", "), "}");
}

enum class Direction { kRequest, kResponse };

// Checks `node` (a documented schema) against `type`'s fields, recursively: the same property
// names (minus `skip`), JSON types as json_codec.cc writes them, and for responses every field
// required (the codec prints all of them) and null allowed where the codec prints null.
void CheckSchema(const json& node, const Descriptor* type, Direction direction,
                 const std::string& where, const std::set<std::string>& skip = {}) {
  SchemaView view = View(node);
  const json& schema = view.schema;
  ASSERT_EQ(schema.value("type", json()), "object") << where << ": " << schema.dump();
  std::set<std::string> fields;
  for (int i = 0; i < type->field_count(); ++i) {
    if (!skip.count(type->field(i)->name())) fields.insert(type->field(i)->name());
  }
  std::set<std::string> properties = Keys(schema.value("properties", json::object()));
  EXPECT_EQ(properties, fields) << where << " documents " << Describe(properties) << " but "
                                << type->full_name() << " has " << Describe(fields);
  EXPECT_EQ(schema.value("additionalProperties", json()), false)
      << where << ": the gateway refuses and never prints unknown fields";
  if (direction == Direction::kResponse) {
    std::set<std::string> required;
    for (const json& name : schema.value("required", json::array())) required.insert(name);
    EXPECT_EQ(required, fields) << where << ": the gateway always prints every field";
  }
  for (const std::string& name : fields) {
    if (!properties.count(name)) continue;
    const FieldDescriptor* field = type->FindFieldByName(name);
    std::string path = absl::StrCat(where, ".", name);
    SchemaView property = View(schema["properties"][name]);
    if (field->is_repeated()) {
      EXPECT_EQ(property.schema.value("type", json()), "array") << path;
      EXPECT_FALSE(property.nullable) << path << ": lists are printed as [] when empty";
      if (!property.schema.contains("items")) {
        ADD_FAILURE() << path << " has no items";
        continue;
      }
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
          !IsTimestamp(field->message_type())) {
        CheckSchema(property.schema["items"], field->message_type(), direction, path + "[]");
      } else {
        EXPECT_EQ(View(property.schema["items"]).schema.value("type", json()), JsonTypeOf(field))
            << path << "[]";
      }
      continue;
    }
    EXPECT_EQ(property.schema.value("type", json()), JsonTypeOf(field)) << path;
    bool is_message = field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
    if (is_message && IsTimestamp(field->message_type())) {
      EXPECT_EQ(property.schema.value("format", json()), "date-time") << path;
    } else if (is_message) {
      CheckSchema(property.schema, field->message_type(), direction, path);
    }
    // A proto3 `optional` scalar prints null when unset, other scalars never do. A message
    // field prints null when unset too, but most are always set (user, created_at): the
    // document says which, the codec cannot.
    bool prints_null = field->has_optional_keyword();
    if (direction == Direction::kResponse && !is_message) {
      EXPECT_EQ(property.nullable, prints_null)
          << path << (prints_null ? " is null when unset" : " is never null");
    }
  }
}

// The router of main.cc, with channels that are never used (gRPC connects lazily).
class OpenApiDocumentTest : public ::testing::Test {
 protected:
  OpenApiDocumentTest()
      : channel_(grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials())),
        readiness_({{"auth-svc", channel_, {}}, {"chat-svc", channel_, {}}}, absl::Seconds(1)),
        forwarder_({{auth::v1::AuthService::service_full_name(), channel_},
                    {chat::v1::ChatService::service_full_name(), channel_},
                    {realtime::v1::RealtimeService::service_full_name(), channel_}}) {}

  void SetUp() override {
    absl::StatusOr<RouteTable> table = RouteTable::FromFiles(PublicApiFiles());
    ASSERT_TRUE(table.ok()) << table.status();
    table_ = *std::move(table);
    absl::Status added = AddGatewayRoutes(router_, readiness_, table_, forwarder_);
    ASSERT_TRUE(added.ok()) << added;
  }

  std::shared_ptr<grpc::Channel> channel_;
  BackendReadiness readiness_;
  GrpcForwarder forwarder_;
  RouteTable table_;
  Router router_;
};

TEST_F(OpenApiDocumentTest, DocumentsExactlyTheRoutesTheGatewayServes) {
  std::vector<std::string> served = router_.Describe();
  std::set<std::string> routes(served.begin(), served.end());
  ASSERT_EQ(routes.size(), served.size()) << "a route is added twice";
  std::set<std::string> documented;
  for (const auto& [key, operation] : DocumentedOperations()) documented.insert(key);

  std::vector<std::string> undocumented, unrouted;
  for (const std::string& route : routes) {
    if (!documented.count(route)) undocumented.push_back(route);
  }
  for (const std::string& operation : documented) {
    if (!routes.count(operation)) unrouted.push_back(operation);
  }
  EXPECT_TRUE(undocumented.empty()) << "served but missing from gateway/openapi/openapi.json: "
                                    << absl::StrJoin(undocumented, ", ");
  EXPECT_TRUE(unrouted.empty()) << "documented in gateway/openapi/openapi.json but not served: "
                                << absl::StrJoin(unrouted, ", ");
  // Every REST route of the protos is among them, and the gateway's own routes too.
  EXPECT_EQ(routes.size(), table_.routes().size() + kOwnRoutes.size());
}

TEST_F(OpenApiDocumentTest, ServesTheDocumentAsJsonWithoutAToken) {
  std::optional<RouteMatch> match = router_.Match("GET", kOpenApiPath);
  ASSERT_TRUE(match.has_value());
  HttpResponse response;
  (*match->handler)(HttpRequest{boost::beast::http::verb::get, kOpenApiPath, 11}, RequestContext{},
                    [&response](HttpResponse r) { response = std::move(r); });
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response[boost::beast::http::field::content_type], "application/json");
  EXPECT_EQ(response.body(), std::string(OpenApiDocument()));
  json parsed = json::parse(response.body());
  EXPECT_EQ(parsed.at("openapi").get<std::string>().substr(0, 2), "3.");
  EXPECT_FALSE(parsed.at("info").at("title").get<std::string>().empty());
}

TEST_F(OpenApiDocumentTest, AuthenticatedOperationsListBothSchemesAndPublicOnesNone) {
  const json& schemes = Document().at("components").at("securitySchemes");
  EXPECT_EQ(schemes.at("bearerAuth").at("type"), "http");
  EXPECT_EQ(absl::AsciiStrToLower(schemes.at("bearerAuth").at("scheme").get<std::string>()),
            "bearer");
  EXPECT_EQ(schemes.at("xAuthToken").at("type"), "apiKey");
  EXPECT_EQ(schemes.at("xAuthToken").at("in"), "header");
  EXPECT_EQ(schemes.at("xAuthToken").at("name"), "X-Auth-Token");

  for (const auto& [key, operation] : DocumentedOperations()) {
    bool needs_token;
    std::string method = key.substr(0, key.find(' '));
    std::string path = key.substr(key.find(' ') + 1);
    if (const RouteSpec* route = table_.Find(method, path)) {
      needs_token = route->authenticated;
    } else if (auto own = kOwnRoutes.find(key); own != kOwnRoutes.end()) {
      needs_token = own->second;
    } else {
      ADD_FAILURE() << key << ": not a REST route; add it to kOwnRoutes saying whether it needs "
                    << "a token";
      continue;
    }
    ASSERT_TRUE(operation.contains("security")) << key << " must say its security, [] if none";
    const json& security = operation["security"];
    if (!needs_token) {
      EXPECT_EQ(security, json::array()) << key << " is public";
      continue;
    }
    // Alternatives: each requirement object names one scheme, either one suffices.
    EXPECT_NE(std::find(security.begin(), security.end(), json{{"bearerAuth", json::array()}}),
              security.end())
        << key << " needs bearerAuth";
    EXPECT_NE(std::find(security.begin(), security.end(), json{{"xAuthToken", json::array()}}),
              security.end())
        << key << " needs xAuthToken";
    EXPECT_TRUE(operation.at("responses").contains("401")) << key << " can answer 401";
  }
}

TEST_F(OpenApiDocumentTest, EveryOperationHasAnExampleResponse) {
  for (const auto& [key, operation] : DocumentedOperations()) {
    int with_example = 0;
    for (const auto& [status, reference] : operation.at("responses").items()) {
      const json& response = Resolve(reference);
      EXPECT_TRUE(response.contains("description")) << key << " " << status;
      bool has_content = response.contains("content");
      bool has_example = false;
      const json content = response.value("content", json::object());
      for (const auto& [media, body] : content.items()) {
        if (body.contains("example") || !body.value("examples", json::object()).empty()) {
          has_example = true;
        }
      }
      if (has_example) ++with_example;
      if (status[0] == '2' && has_content) {
        EXPECT_TRUE(has_example) << key << " " << status << " has a body but no example";
      }
    }
    EXPECT_GT(with_example, 0) << key << " has no example response";
  }
}

TEST_F(OpenApiDocumentTest, ErrorsUseTheEnvelope) {
  const json& envelope = Resolve(json{{"$ref", "#/components/schemas/ErrorEnvelope"}});
  EXPECT_EQ(Keys(envelope.at("properties")), (std::set<std::string>{"error", "request_id"}));
  const json& error = Resolve(envelope["properties"]["error"]);
  EXPECT_EQ(Keys(error.at("properties")), (std::set<std::string>{"code", "message", "details"}));
  const json& detail = Resolve(Resolve(error["properties"]["details"]).at("items"));
  EXPECT_EQ(Keys(detail.at("properties")), (std::set<std::string>{"field", "reason"}));

  for (const auto& [key, operation] : DocumentedOperations()) {
    for (const auto& [status, reference] : operation.at("responses").items()) {
      if (status != "default" && status[0] != '4' && status[0] != '5') continue;
      const json& response = Resolve(reference);
      if (key != "GET /readyz") {  // /readyz's 503 is its own report.
        EXPECT_EQ(response.at("content").at("application/json").at("schema"),
                  (json{{"$ref", "#/components/schemas/ErrorEnvelope"}}))
            << key << " " << status;
      }
      if (status == "429") {
        EXPECT_TRUE(response.at("headers").contains("Retry-After")) << key << " 429";
      }
    }
  }
}

TEST_F(OpenApiDocumentTest, RestOperationsMatchTheirRpc) {
  const auto operations = DocumentedOperations();
  for (const RouteSpec& route : table_.routes()) {
    std::string key = Key(route.method, route.path_template);
    auto found = operations.find(key);
    if (found == operations.end()) continue;  // Reported by DocumentsExactlyTheRoutes...
    const json& operation = found->second;
    SCOPED_TRACE(key);
    EXPECT_EQ(operation.value("operationId", ""), route.rpc->name());
    EXPECT_EQ(operation.value("x-grpc-method", ""), route.grpc_method_path.substr(1));

    // Success statuses: the route's, plus its repeat status.
    std::set<std::string> expected = {std::to_string(route.success_status)};
    if (route.repeat_status != 0) expected.insert(std::to_string(route.repeat_status));
    std::set<std::string> documented;
    for (const auto& [status, response] : operation.at("responses").items()) {
      if (status[0] == '2') documented.insert(status);
    }
    EXPECT_EQ(documented, expected);

    // Parameters: path ones exactly the template's; query ones exactly the other request fields
    // when there is no body.
    std::set<std::string> path_params, query_params;
    for (const json& reference : operation.value("parameters", json::array())) {
      const json& parameter = Resolve(reference);
      if (parameter.at("in") == "path") path_params.insert(parameter.at("name"));
      if (parameter.at("in") == "query") query_params.insert(parameter.at("name"));
    }
    std::set<std::string> template_params(route.path_params.begin(), route.path_params.end());
    EXPECT_EQ(path_params, template_params);
    const Descriptor* input = route.rpc->input_type();
    if (route.body.empty()) {
      std::set<std::string> fields;
      for (int i = 0; i < input->field_count(); ++i) {
        if (!template_params.count(input->field(i)->name())) fields.insert(input->field(i)->name());
      }
      EXPECT_EQ(query_params, fields) << "query parameters";
      EXPECT_FALSE(operation.contains("requestBody"));
    } else {
      EXPECT_TRUE(query_params.empty());
      ASSERT_TRUE(operation.contains("requestBody"));
      const json& body = Resolve(operation["requestBody"]).at("content").at("application/json");
      EXPECT_FALSE(body.value("examples", json::object()).empty()) << "request example";
      CheckSchema(body.at("schema"), input, Direction::kRequest, key + " request", template_params);
    }

    // The response body: the whole output message, or its response_body field.
    for (const std::string& status : expected) {
      const json& response = Resolve(operation.at("responses").at(status));
      if (status == "204") {
        EXPECT_FALSE(response.contains("content")) << "204 has no body";
        continue;
      }
      const Descriptor* output = route.rpc->output_type();
      if (!route.response_body.empty()) {
        output = output->FindFieldByName(route.response_body)->message_type();
      }
      CheckSchema(response.at("content").at("application/json").at("schema"), output,
                  Direction::kResponse, absl::StrCat(key, " ", status));
    }
  }
}

// Every "$ref" anywhere in the document resolves.
void CheckRefs(const json& node, const std::string& where) {
  if (node.is_object()) {
    if (node.contains("$ref")) Resolve(node);
    for (const auto& [key, value] : node.items()) CheckRefs(value, where + "/" + key);
  } else if (node.is_array()) {
    for (const json& value : node) CheckRefs(value, where);
  }
}

TEST_F(OpenApiDocumentTest, EveryReferenceResolves) { CheckRefs(Document(), ""); }

}  // namespace
}  // namespace chatter::gateway
