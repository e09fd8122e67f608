#include "tests/support/json_schema.hpp"

#include <valijson/adapters/boost_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

namespace cc::testing {
namespace {

namespace json = boost::json;

// Where the loaded documents live inside the one document valijson compiles:
// every `$ref` becomes a local pointer below it.
constexpr std::string_view kDocuments = "x-documents";

// Keywords whose value is a schema, an array of schemas, or a map of them: the
// only places a walk over a schema may descend into (not `enum`, `const`,
// `examples`, `default`, whose values are data that may contain "$ref").
constexpr std::array kSchemaKeywords{
    "additionalProperties", "items", "contains", "propertyNames", "not", "if", "then", "else",
};
constexpr std::array kSchemaArrayKeywords{"allOf", "anyOf", "oneOf"};
constexpr std::array kSchemaMapKeywords{"properties", "patternProperties", "$defs", "definitions"};
// Keywords valijson 1.0 (draft 7) would not evaluate as 2020-12 does: ignored
// (so a document using them would pass unchecked) or, for additionalItems,
// applied although 2020-12 dropped it.
constexpr std::array kUnsupported{
    "prefixItems",   "unevaluatedProperties", "unevaluatedItems", "dependentSchemas",
    "minContains",   "maxContains",           "$dynamicRef",      "$dynamicAnchor",
    "$recursiveRef", "$recursiveAnchor",      "$anchor",          "additionalItems",
};

// A fragment is URI text: "#/paths/~1v1~1things%7Bid%7D" may be percent-encoded.
std::string percent_decode(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() &&
            std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
            out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

bool has_scheme(std::string_view uri) {
    const auto colon = uri.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    return std::all_of(uri.begin(), uri.begin() + static_cast<std::ptrdiff_t>(colon), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
    });
}

// RFC 3986 reference resolution, reduced to what schema files need: absolute
// references, and paths relative to the base's folder (with ./ and ../).
std::string resolve_uri(std::string_view base, std::string_view reference) {
    if (has_scheme(reference)) return std::string(reference);
    std::string_view prefix;  // scheme and authority: never climbed out of
    std::string_view path = base;
    if (const auto authority = base.find("://"); authority != std::string_view::npos) {
        const auto slash = base.find('/', authority + 3);
        prefix = base.substr(0, slash == std::string_view::npos ? base.size() : slash);
        path = slash == std::string_view::npos ? std::string_view{} : base.substr(slash);
    }
    std::string joined =
        reference.starts_with('/')
            ? std::string(reference)
            : std::string(path.substr(0, path.rfind('/') + 1)) + std::string(reference);
    std::vector<std::string> segments;
    std::stringstream stream(joined);
    for (std::string segment; std::getline(stream, segment, '/');) {
        if (segment == ".") continue;
        if (segment == ".." && !segments.empty() && segments.back() != ".." &&
            !segments.back().empty()) {
            segments.pop_back();
            continue;
        }
        segments.push_back(segment);
    }
    std::string out(prefix);
    for (std::size_t i = 0; i < segments.size(); ++i) out += (i == 0 ? "" : "/") + segments[i];
    if (!joined.empty() && joined.back() == '/') out += '/';
    return out;
}

// The `$ref` valijson follows to `pointer` of document `name`. valijson
// percent-decodes fragments, so a literal "%" must reach it encoded.
std::string local_ref(std::string_view name, std::string_view pointer) {
    std::string ref = "#/" + std::string(kDocuments) + "/";
    for (char c : pointer_token(name) + std::string(pointer)) {
        if (c == '%') {
            ref += "%25";
        } else {
            ref += c;
        }
    }
    return ref;
}

struct Compiled {
    json::value root;  // valijson keeps no pointer into it, but it costs little to be sure
    valijson::Schema schema;
    valijson::Validator validator;  // holds the compiled regexes of `pattern`
};

// valijson's context, e.g. {"<root>", "[payload]", "[nhs_number]"}, back to
// the value it names, to show what was refused.
const json::value* value_at(const json::value& root, const std::vector<std::string>& context) {
    const json::value* at = &root;
    for (std::size_t i = 1; i < context.size(); ++i) {
        const auto& step = context[i];
        if (step.size() < 2 || step.front() != '[' || step.back() != ']') return nullptr;
        const auto key = std::string_view(step).substr(1, step.size() - 2);
        if (at->is_object()) {
            at = at->as_object().if_contains(key);
        } else if (at->is_array()) {
            std::size_t index = 0;
            std::istringstream(std::string(key)) >> index;
            at = index < at->as_array().size() ? &at->as_array()[index] : nullptr;
        } else {
            return nullptr;
        }
        if (at == nullptr) return nullptr;
    }
    return at;
}

// Lines that only say "a child failed" above the child's own, specific line.
bool is_parent_echo(const std::string& description) {
    return description.starts_with("Failed to validate against schema associated with property") ||
           description.starts_with("Failed to validate item #") ||
           description.starts_with("Failed to validate against child schema #") ||
           description.starts_with("Failed to validate against a conditional schema");
}

}  // namespace

std::string pointer_token(std::string_view key) {
    std::string out;
    for (char c : key) {
        if (c == '~') {
            out += "~0";
        } else if (c == '/') {
            out += "~1";
        } else {
            out += c;
        }
    }
    return out;
}

struct SchemaSet::Impl {
    json::object documents;                                    // name -> document, normalised
    std::map<std::string, std::string, std::less<>> aliases;   // base URI -> name
    std::map<std::string, std::string, std::less<>> base_uri;  // name -> base URI
    std::set<std::string, std::less<>> walked;                 // "name#pointer"
    std::map<std::string, std::unique_ptr<Compiled>, std::less<>> compiled;
    std::string broken;  // why normalising failed, once it has
    std::mutex mutex;

    struct Target {
        std::string name;
        std::string pointer;
    };

    Target resolve_ref(const std::string& name, const std::string& where, std::string_view ref) {
        const auto hash = ref.find('#');
        const auto uri = ref.substr(0, hash);
        const auto fragment =
            hash == std::string_view::npos ? std::string() : percent_decode(ref.substr(hash + 1));
        if (!fragment.empty() && fragment.front() != '/') {
            throw SchemaError(where + ": $ref \"" + std::string(ref) +
                              "\" names an anchor; only JSON pointers are supported");
        }
        Target target{name, fragment};
        if (!uri.empty()) {
            const auto absolute = resolve_uri(base_uri.at(name), uri);
            const auto found = aliases.find(absolute);
            if (found == aliases.end()) {
                throw SchemaError(where + ": $ref \"" + std::string(ref) + "\" resolves to \"" +
                                  absolute + "\", which is no loaded document");
            }
            target.name = found->second;
        }
        std::error_code ignored;
        if (documents.at(target.name).find_pointer(target.pointer, ignored) == nullptr) {
            throw SchemaError(where + ": $ref \"" + std::string(ref) + "\" points at nothing in " +
                              target.name);
        }
        return target;
    }

    // Rewrites the schema at `pointer` of `name`, and everything it reaches,
    // into what valijson evaluates as 2020-12 would (see json_schema.hpp).
    void normalise(const std::string& name, const std::string& pointer) {
        std::vector<Target> pending{{name, pointer}};
        while (!pending.empty()) {
            auto next = std::move(pending.back());
            pending.pop_back();
            std::error_code ignored;
            auto* node = documents.at(next.name).find_pointer(next.pointer, ignored);
            if (node == nullptr)
                throw SchemaError(next.name + "#" + next.pointer + ": no such node");
            walk(next.name, next.pointer, *node, pending);
        }
    }

    void walk(const std::string& name, const std::string& pointer, json::value& node,
              std::vector<Target>& pending) {
        if (!walked.insert(name + "#" + pointer).second) return;
        const auto where = name + "#" + pointer;
        if (node.is_bool()) return;
        if (!node.is_object()) throw SchemaError(where + ": a schema is an object or a boolean");
        auto& object = node.as_object();
        for (const auto* keyword : kUnsupported) {
            if (object.contains(keyword)) {
                throw SchemaError(where + ": keyword \"" + keyword +
                                  "\" is not supported by tests/support/json_schema: valijson "
                                  "1.0 would not evaluate it as 2020-12 does");
            }
        }
        if (!pointer.empty() && object.contains("$id")) {
            throw SchemaError(where + ": an embedded $id is not supported; split the document");
        }
        if (const auto* items = object.if_contains("items"); items && items->is_array()) {
            throw SchemaError(where + ": \"items\" as an array is not 2020-12 (prefixItems)");
        }
        for (const auto* keyword : kSchemaKeywords) {
            if (auto* child = object.if_contains(keyword)) {
                walk(name, pointer + "/" + keyword, *child, pending);
            }
        }
        for (const auto* keyword : kSchemaArrayKeywords) {
            if (auto* children = object.if_contains(keyword)) {
                if (!children->is_array())
                    throw SchemaError(where + ": " + keyword + " not an array");
                auto& array = children->as_array();
                for (std::size_t i = 0; i < array.size(); ++i) {
                    walk(name, pointer + "/" + keyword + "/" + std::to_string(i), array[i],
                         pending);
                }
            }
        }
        for (const auto* keyword : kSchemaMapKeywords) {
            if (auto* children = object.if_contains(keyword)) {
                if (!children->is_object())
                    throw SchemaError(where + ": " + keyword + " not a map");
                for (auto& [key, child] : children->as_object()) {
                    walk(name, pointer + "/" + keyword + "/" + pointer_token(key), child, pending);
                }
            }
        }
        if (const auto* required = object.if_contains("dependentRequired")) {
            if (object.contains("dependencies")) {
                throw SchemaError(where + ": both dependentRequired and dependencies");
            }
            object["dependencies"] = *required;
            object.erase("dependentRequired");
        }
        // valijson applies `format` to every type (a null date fails as "not a
        // valid date"); 2020-12 applies it to strings only.
        if (const auto* format = object.if_contains("format")) {
            json::object only_strings{{"if", json::object{{"type", "string"}}},
                                      {"then", json::object{{"format", *format}}}};
            object.erase("format");
            append_all_of(object, where, std::move(only_strings));
        }
        if (const auto* ref = object.if_contains("$ref")) {
            if (!ref->is_string()) throw SchemaError(where + ": $ref is not a string");
            auto target = resolve_ref(name, where, ref->as_string());
            const auto local = local_ref(target.name, target.pointer);
            pending.push_back(std::move(target));
            object.erase("$ref");
            // 2020-12 applies the keywords beside $ref too; in allOf, so do
            // draft 7 and valijson.
            append_all_of(object, where, json::object{{"$ref", local}});
        }
    }

    // Appending keeps every existing pointer into the schema valid; the new
    // subschema is already in valijson's terms, so it is not walked.
    void append_all_of(json::object& object, const std::string& where, json::object subschema) {
        auto& all_of = object["allOf"];
        if (all_of.is_null()) all_of = json::array();
        auto& array = all_of.as_array();
        walked.insert(where + "/allOf/" + std::to_string(array.size()));
        array.push_back(std::move(subschema));
    }

    Compiled& compile(std::string_view name, std::string_view pointer) {
        const auto key = std::string(name) + "#" + std::string(pointer);
        if (auto found = compiled.find(key); found != compiled.end()) return *found->second;
        if (!documents.contains(name)) {
            throw SchemaError("no schema document named \"" + std::string(name) + "\"");
        }
        // A failed walk leaves nodes marked as walked but not rewritten: from
        // then on no schema of this set can be trusted, so all of them fail.
        if (!broken.empty()) throw SchemaError(broken);
        try {
            normalise(std::string(name), std::string(pointer));
        } catch (const SchemaError& e) {
            broken = e.what();
            throw;
        }
        auto entry = std::make_unique<Compiled>();
        entry->root = json::object{
            {"$ref", local_ref(name, pointer)},
            {kDocuments, documents},
        };
        valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
        try {
            parser.populateSchema(valijson::adapters::BoostJsonAdapter(entry->root), entry->schema);
        } catch (const std::exception& e) {
            throw SchemaError(key + ": " + e.what());
        }
        return *compiled.emplace(key, std::move(entry)).first->second;
    }
};

SchemaSet::SchemaSet() : impl_(std::make_unique<Impl>()) {}
SchemaSet::~SchemaSet() = default;
SchemaSet::SchemaSet(SchemaSet&&) noexcept = default;
SchemaSet& SchemaSet::operator=(SchemaSet&&) noexcept = default;

SchemaSet SchemaSet::from_folder(const std::filesystem::path& folder) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
        if (entry.is_regular_file() && entry.path().extension() == ".json") {
            files.push_back(entry.path());
        }
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) throw SchemaError("no *.json file in " + folder.string());
    SchemaSet set;
    for (const auto& file : files) {
        std::ifstream in(file);
        std::stringstream text;
        text << in.rdbuf();
        boost::system::error_code error;
        auto document = json::parse(text.str(), error);
        if (error) throw SchemaError(file.string() + ": not JSON: " + error.message());
        set.add(file.filename().string(), std::move(document));
    }
    return set;
}

void SchemaSet::add(std::string name, json::value document) {
    std::lock_guard lock(impl_->mutex);
    if (impl_->documents.contains(name)) throw SchemaError("document added twice: " + name);
    std::string base = name;
    if (const auto* object = document.if_object()) {
        if (const auto* id = object->if_contains("$id"); id && id->is_string()) {
            std::string_view text = id->as_string();
            if (text.ends_with('#')) text.remove_suffix(1);
            base = resolve_uri(name, text);
        }
    }
    for (const auto& alias : {name, base}) {
        const auto [at, inserted] = impl_->aliases.emplace(alias, name);
        if (!inserted && at->second != name) {
            throw SchemaError(name + " and " + at->second + " both answer to " + alias);
        }
    }
    impl_->base_uri.emplace(name, base);
    impl_->documents.emplace(name, std::move(document));
}

bool SchemaSet::contains(std::string_view name) const {
    std::lock_guard lock(impl_->mutex);
    return impl_->documents.contains(name);
}

std::vector<std::string> SchemaSet::validate(const json::value& instance, std::string_view name,
                                             std::string_view pointer) const {
    std::lock_guard lock(impl_->mutex);
    auto& compiled = impl_->compile(name, pointer);
    valijson::ValidationResults results;
    if (compiled.validator.validate(compiled.schema, valijson::adapters::BoostJsonAdapter(instance),
                                    &results)) {
        return {};
    }
    std::vector<std::string> all, specific;
    valijson::ValidationResults::Error error;
    while (results.popError(error)) {
        std::string line;
        for (const auto& step : error.context) line += step;
        line += ": " + error.description;
        if (const auto* value = value_at(instance, error.context);
            value && !value->is_object() && !value->is_array()) {
            auto shown = json::serialize(*value);
            if (shown.size() > 80) shown = shown.substr(0, 77) + "...";
            line += " (value " + shown + ")";
        }
        if (!is_parent_echo(error.description)) specific.push_back(line);
        all.push_back(std::move(line));
    }
    return specific.empty() ? all : specific;
}

}  // namespace cc::testing
