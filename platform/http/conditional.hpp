#pragma once
// The header grammars of HTTP semantics that the services judge requests
// by (RFC 9110): media types (§8.3.1) and entity tags with the
// If-Match / If-None-Match comparisons (§8.8.3, §13.1.1, §13.1.2). Pure.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cc::http {

struct MediaType {
    std::string type;     // lower-cased
    std::string subtype;  // lower-cased
    std::vector<std::pair<std::string, std::string>>
        parameters;  // names lower-cased, values unquoted
};

// type "/" subtype *( OWS ";" OWS name "=" ( token / quoted-string ) );
// nullopt when the text is not one.
std::optional<MediaType> parse_media_type(std::string_view text);

// Whether a request body so labelled is JSON this API reads:
// application/json, in any case, with no parameter but charset=utf-8.
bool is_json_media_type(const MediaType& media_type);

struct EntityTag {
    bool weak = false;
    std::string opaque;  // without the quotes
};

// "*" or a comma-separated list of entity tags. nullopt for a value that is
// neither (a bare 3, a missing quote).
struct TagList {
    bool any = false;  // "*"
    std::vector<EntityTag> tags;
};
std::optional<TagList> parse_tag_list(std::string_view text);

// If-None-Match against the current tag of an existing representation,
// by weak comparison: "*" or any tag whose opaque part equals it.
bool none_match_fails(const TagList& condition, const EntityTag& current);

}  // namespace cc::http
