// The README's "Roles and permissions" table: the identity core's rows
// from platform/auth's matrix, then every aggregate's from its description.
#include "model/aggregates/features.hpp"
#include "model/contracts/contracts.hpp"
#include "model/contracts/describe.hpp"

namespace cc::contracts {
namespace {

std::string row(std::string_view action, auth::RoleSet roles) {
    std::string out = "| " + std::string(action) + " |";
    for (auto role : auth::kRoles) out += roles.contains(role) ? " ✓ |" : " |";
    return out + "\n";
}

// Steps with the same roles share a row: "create, update and delete patients".
void add_steps(std::string& out, const model::Aggregate& a) {
    const std::pair<std::string, auth::RoleSet> steps[] = {{"create", a.permissions.create},
                                                           {"update", a.permissions.update},
                                                           {"delete", a.permissions.remove}};
    const std::string things = spoken(a.table);
    std::vector<std::string> verbs;
    for (std::size_t i = 0; i < std::size(steps); ++i) {
        verbs.push_back(steps[i].first);
        const bool last = i + 1 == std::size(steps);
        if (last || !(steps[i + 1].second == steps[i].second)) {
            if (!steps[i].second.empty())
                out += row(listed(verbs, "") + " " + things, steps[i].second);
            verbs.clear();
        }
    }
}

}  // namespace

std::string permissions_table(Aggregates aggregates) {
    std::string out = "| action |";
    std::string rule = "| --- |";
    for (auto role : auth::kRoles) {
        out += " " + std::string(role) + " |";
        rule += " :-: |";
    }
    out += "\n" + rule + "\n";
    for (const auto& grant : auth::permission_matrix()) out += row(grant.summary, grant.roles);
    // A tenant's features: its members see them, its admins choose the
    // non-premium ones (premium ones are a platform administrator's).
    out += row("see the tenant's features (`GET .../features`)",
               model::kTenantFeature.permissions.read);
    out += row("turn non-premium features on or off (`PUT .../features/{feature_name}`)",
               model::kTenantFeature.permissions.update);
    for (const auto* a : aggregates) {
        // The identity core's aggregates are governed by the matrix above.
        if (!a->tenant_data()) continue;
        out += row("read " + spoken(a->table), a->permissions.read);
        add_steps(out, *a);
        for (const auto& action : a->actions) {
            if (action.by_server) continue;
            out += row(std::string(action.name) + " " + spoken(a->table) + " (`POST .../{" +
                           std::string(a->id_param) + "}/" + std::string(action.name) + "`)",
                       action.roles);
        }
    }
    return out;
}

Result<std::string> splice_permissions(std::string_view readme, std::string_view table) {
    const auto begin = readme.find(kPermissionsBegin);
    const auto end = readme.find(kPermissionsEnd);
    if (begin == std::string_view::npos || end == std::string_view::npos || end < begin) {
        return Error::make(ErrorKind::malformed, "markers-missing",
                           "README.md lacks " + std::string(kPermissionsBegin) + " ... " +
                               std::string(kPermissionsEnd));
    }
    const auto inner = begin + kPermissionsBegin.size();
    return std::string(readme.substr(0, inner)) + "\n" + std::string(table) +
           std::string(readme.substr(end));
}

}  // namespace cc::contracts
