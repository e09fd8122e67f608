#pragma once
// JSON Schema (draft 2020-12) validation for tests: the published contracts
// (events/schemas/, openapi/) checked against what the code really produces.
//
// The engine is valijson 1.0 (Debian's libvalijson-dev), which implements
// draft 7. This layer makes it honour the 2020-12 documents we publish rather
// than silently under-validate them:
// - `$ref` is resolved here, against the document's `$id` (absolute or a bare
//   file name) or its file name, to sibling documents by relative name and to
//   `#/$defs/...` or `#/components/schemas/...`; valijson only ever sees local
//   JSON pointers into one combined document, which also sidesteps its schema
//   cache keying fetched documents by the referrer's scope;
// - keywords next to `$ref` apply (2020-12) instead of being ignored (draft 7);
// - `format` applies to strings only (valijson would also fail a null
//   "date" in a ["string", "null"] field);
// - `dependentRequired` becomes draft 7 `dependencies`;
// - keywords valijson cannot honour (`prefixItems`, `unevaluatedProperties`,
//   `$dynamicRef`, `$anchor`, ...) make loading fail, naming the keyword and
//   where it is, so a generated schema never passes because it went unread.
// `format` asserts date, time and date-time only; other formats are annotations.
#include <boost/json/value.hpp>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cc::testing {

// A schema this layer cannot read faithfully: a dangling or unsupported
// `$ref`, an unsupported keyword, a file that is not JSON.
struct SchemaError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class SchemaSet {
  public:
    SchemaSet();
    ~SchemaSet();
    SchemaSet(SchemaSet&&) noexcept;
    SchemaSet& operator=(SchemaSet&&) noexcept;

    // Every *.json file directly in `folder`, each named by its file name.
    static SchemaSet from_folder(const std::filesystem::path& folder);

    // `name` is how `$ref`s and validate() find the document; its `$id`, when
    // present, finds it too.
    void add(std::string name, boost::json::value document);
    bool contains(std::string_view name) const;

    // The violations of `instance` against the schema at JSON pointer
    // `pointer` ("" is the whole document) of document `name`, one readable
    // line each ("<root>[payload][nhs_number]: Failed to match regex ...");
    // empty when it conforms. Throws SchemaError when the schema cannot be
    // read faithfully. Compiled schemas are cached.
    std::vector<std::string> validate(const boost::json::value& instance, std::string_view name,
                                      std::string_view pointer = "") const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// RFC 6901 escaping of one reference token ("application/json" becomes
// "application~1json"), for building pointers into OpenAPI documents.
std::string pointer_token(std::string_view key);

}  // namespace cc::testing
