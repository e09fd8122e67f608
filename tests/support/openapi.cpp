#include "tests/support/openapi.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cctype>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>

#include "tests/support/json_schema.hpp"

namespace cc::testing {
namespace {

namespace json = boost::json;

struct Loaded {
    json::value document;
    SchemaSet schemas;
};

// Documents are parsed and their schemas compiled once per test binary.
std::shared_ptr<Loaded> load(const std::filesystem::path& file) {
    static std::mutex mutex;
    static std::map<std::filesystem::path, std::shared_ptr<Loaded>> cache;
    std::lock_guard lock(mutex);
    if (auto found = cache.find(file); found != cache.end()) return found->second;
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    auto loaded = std::make_shared<Loaded>();
    boost::system::error_code error;
    loaded->document = json::parse(text.str(), error);
    if (error) throw SchemaError(file.string() + ": not JSON: " + error.message());
    loaded->schemas.add(file.filename().string(), loaded->document);
    cache.emplace(file, loaded);
    return loaded;
}

std::string keys_of(const json::object& object) {
    std::string out;
    for (const auto& [key, value] : object) out += (out.empty() ? "" : ", ") + std::string(key);
    return out.empty() ? "none" : out;
}

// Follows a chain of local `$ref`s (OpenAPI lets path items and responses be
// references), keeping the JSON pointer of where it ends.
const json::value* follow(const json::value& document, const json::value* node,
                          std::string& pointer, std::string& problem) {
    for (int hops = 0; node != nullptr && node->is_object() && hops < 16; ++hops) {
        const auto* ref = node->as_object().if_contains("$ref");
        if (ref == nullptr) return node;
        if (!ref->is_string() || !ref->as_string().starts_with("#/")) {
            problem = "only local $refs are supported here, not " + json::serialize(*ref);
            return nullptr;
        }
        pointer = std::string(ref->as_string()).substr(1);
        std::error_code ignored;
        node = document.find_pointer(pointer, ignored);
        if (node == nullptr) problem = "$ref " + json::serialize(*ref) + " points at nothing";
    }
    return node;
}

}  // namespace

OpenApiCheck expect_matches_openapi(std::string_view service, std::string_view method,
                                    std::string_view path_template, int status,
                                    const json::value& body, std::string_view media_type,
                                    std::source_location where) {
    const auto document =
        std::filesystem::path(CC_SOURCE_DIR) / "openapi" / (std::string(service) + ".json");
    return expect_matches_openapi_document(document, method, path_template, status, body,
                                           media_type, where);
}

OpenApiCheck expect_matches_openapi_document(const std::filesystem::path& file,
                                             std::string_view method,
                                             std::string_view path_template, int status,
                                             const json::value& body, std::string_view media_type,
                                             std::source_location where) {
    std::string upper(method), lower(method);
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto operation_name = file.filename().string() + ": " + upper + " " +
                                std::string(path_template) + " " + std::to_string(status);
    const auto fail = [&](const std::string& message) {
        ADD_FAILURE_AT(where.file_name(), static_cast<int>(where.line()))
            << operation_name << ": " << message;
        return OpenApiCheck::checked;
    };
    if (!std::filesystem::exists(file)) {
        std::cout << "[ OPENAPI  ] " << file.string() << " does not exist: " << upper << " "
                  << path_template << " " << status << " not checked\n";
        return OpenApiCheck::no_document;
    }
    try {
        const auto loaded = load(file);
        const auto& document = loaded->document;
        const auto* paths =
            document.is_object() ? document.as_object().if_contains("paths") : nullptr;
        if (paths == nullptr || !paths->is_object()) return fail("the document has no paths");
        std::string pointer = "/paths/" + pointer_token(path_template);
        std::string problem;
        const auto* path_item =
            follow(document, paths->as_object().if_contains(path_template), pointer, problem);
        if (path_item == nullptr || !path_item->is_object()) {
            return fail(problem.empty()
                            ? "no such path (paths: " + keys_of(paths->as_object()) + ")"
                            : problem);
        }
        const auto* operation = path_item->as_object().if_contains(lower);
        if (operation == nullptr || !operation->is_object()) {
            return fail("no " + upper + " operation on this path");
        }
        const auto* responses = operation->as_object().if_contains("responses");
        if (responses == nullptr || !responses->is_object()) return fail("no responses");
        const auto& by_status = responses->as_object();
        const auto exact = std::to_string(status);
        const auto range = exact.substr(0, 1) + "XX";
        std::string key;
        for (const auto& candidate : {exact, range, std::string("default")}) {
            if (by_status.contains(candidate)) {
                key = candidate;
                break;
            }
        }
        if (key.empty()) return fail("no such response (documented: " + keys_of(by_status) + ")");
        pointer += "/" + lower + "/responses/" + pointer_token(key);
        const auto* response = follow(document, by_status.if_contains(key), pointer, problem);
        if (response == nullptr || !response->is_object()) return fail(problem);
        const auto* content = response->as_object().if_contains("content");
        if (content == nullptr) {
            if (!body.is_null()) return fail("the document describes no body, but there is one");
            return OpenApiCheck::checked;
        }
        if (!content->is_object()) return fail("content is not an object");
        const std::string media(
            media_type.empty() ? (status >= 400 ? "application/problem+json" : "application/json")
                               : media_type);
        const auto* described = content->as_object().if_contains(media);
        if (described == nullptr) {
            return fail("no " + media + " content (documented: " + keys_of(content->as_object()) +
                        ")");
        }
        if (!described->is_object() || !described->as_object().contains("schema")) {
            return OpenApiCheck::checked;  // a media type without a schema allows any body
        }
        pointer += "/content/" + pointer_token(media) + "/schema";
        const auto violations = loaded->schemas.validate(body, file.filename().string(), pointer);
        if (!violations.empty()) {
            std::string message = "the body does not match #" + pointer + ":";
            for (const auto& violation : violations) message += "\n  " + violation;
            fail(message);
        }
    } catch (const SchemaError& error) {
        fail(error.what());
    }
    return OpenApiCheck::checked;
}

}  // namespace cc::testing
