// Every generated file, and the documents the services serve.
#include <boost/json/object.hpp>

#include <algorithm>
#include <cctype>

#include "model/contracts/contracts.hpp"
#include "model/contracts/describe.hpp"
#include "model/contracts/text.hpp"

namespace cc::contracts {
namespace {

constexpr std::string_view kEnvelope[] = {"envelope.schema.json"};
constexpr OwnedFolder kOwned[] = {{"events/schemas", kEnvelope}};

}  // namespace

const std::string& command_openapi_text() {
    static const std::string text = json_text(command_openapi(model::aggregates()));
    return text;
}

const std::string& query_openapi_text() {
    static const std::string text = json_text(query_openapi(model::aggregates()));
    return text;
}

std::vector<std::string> undocumented_routes(
    const boost::json::object& openapi,
    std::span<const std::pair<std::string, std::string>> routes) {
    std::vector<std::string> out;
    const auto* paths = openapi.if_contains("paths");
    for (const auto& [method, pattern] : routes) {
        std::string lower = method;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        const boost::json::value* item =
            paths && paths->is_object() ? paths->as_object().if_contains(pattern) : nullptr;
        if (item == nullptr || !item->is_object() || !item->as_object().contains(lower))
            out.push_back(method + " " + pattern);
    }
    return out;
}

std::set<std::string> query_parameters(const boost::json::object& openapi, std::string_view method,
                                       const std::string& pattern) {
    std::set<std::string> names;
    std::string lower(method);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const auto* operation = [&]() -> const boost::json::value* {
        const auto* paths = openapi.if_contains("paths");
        if (paths == nullptr || !paths->is_object()) return nullptr;
        const auto* item = paths->as_object().if_contains(pattern);
        if (item == nullptr || !item->is_object()) return nullptr;
        return item->as_object().if_contains(lower);
    }();
    if (operation == nullptr || !operation->is_object()) return names;
    const auto* parameters = operation->as_object().if_contains("parameters");
    if (parameters == nullptr || !parameters->is_array()) return names;
    const auto resolve = [&](const boost::json::value& p) -> const boost::json::value* {
        const auto* ref = p.is_object() ? p.as_object().if_contains("$ref") : nullptr;
        if (ref == nullptr) return &p;
        constexpr std::string_view kPrefix = "#/components/parameters/";
        const std::string_view target = ref->as_string();
        if (!target.starts_with(kPrefix)) return nullptr;
        const auto* components = openapi.if_contains("components");
        const auto* all = components && components->is_object()
                              ? components->as_object().if_contains("parameters")
                              : nullptr;
        return all && all->is_object() ? all->as_object().if_contains(target.substr(kPrefix.size()))
                                       : nullptr;
    };
    for (const auto& each : parameters->as_array()) {
        const auto* parameter = resolve(each);
        if (parameter == nullptr || !parameter->is_object()) continue;
        const auto& p = parameter->as_object();
        const auto* in = p.if_contains("in");
        const auto* name = p.if_contains("name");
        if (in && in->is_string() && in->as_string() == "query" && name && name->is_string())
            names.emplace(name->as_string());
    }
    return names;
}

std::span<const OwnedFolder> owned_folders() {
    return kOwned;
}

Result<std::vector<File>> generate(std::string_view readme) {
    std::vector<File> files;
    for (const auto& schema : event_schemas())
        files.push_back({"events/schemas/" + schema.file_name, json_text(schema.schema)});
    files.push_back({"events/asyncapi.yaml", yaml_text(asyncapi(), kGenerated)});
    files.push_back({"openapi/command-service.json", command_openapi_text()});
    files.push_back({"openapi/query-service.json", query_openapi_text()});
    auto spliced = splice_permissions(readme, permissions_table(model::aggregates()));
    if (!spliced) return std::move(spliced).error();
    files.push_back({"README.md", std::move(*spliced)});
    return files;
}

}  // namespace cc::contracts
