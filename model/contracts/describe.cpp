#include "model/contracts/describe.hpp"

#include <cctype>
#include <vector>

namespace cc::contracts {

std::string sentence_case(std::string_view pascal) {
    std::string out;
    for (char c : pascal) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isupper(u) && !out.empty()) {
            out += ' ';
            out += static_cast<char>(std::tolower(u));
        } else {
            out += c;
        }
    }
    return out;
}

std::string pascal_case(std::string_view name) {
    std::string out;
    bool upper = true;
    for (char c : name) {
        if (c == '-' || c == '_' || c == ' ') {
            upper = true;
            continue;
        }
        out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
        upper = false;
    }
    return out;
}

std::string listed(const std::vector<std::string>& items, std::string_view quote,
                   std::string_view last) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += i + 1 == items.size() ? std::string(last) : ", ";
        out += std::string(quote) + items[i] + std::string(quote);
    }
    return out;
}

std::string envelope_placement(const model::Aggregate& a) {
    const std::string who = spoken(a.name);
    const std::string id = "the " + who + "'s id (" + std::string(a.table) + ".id)";
    switch (a.scope) {
        case model::Scope::own:
            return "tenant_id and aggregate_id are both " + id + ", also the record key: a " + who +
                   "'s own events are filed under itself.";
        case model::Scope::platform:
            return "tenant_id is the reserved platform tenant " + std::string(kPlatformTenant) +
                   " and aggregate_id, also the record key, is " + id + ".";
        case model::Scope::tenant:
            break;
    }
    return "tenant_id is the tenant the " + who +
           " belongs to (also the record key) and aggregate_id is " + id + ".";
}

boost::json::array role_names(auth::RoleSet roles) {
    boost::json::array out;
    for (auto role : auth::kRoles)
        if (roles.contains(role)) out.emplace_back(role);
    return out;
}

}  // namespace cc::contracts
