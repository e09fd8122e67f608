#include "command-service/identity/identity_routes.hpp"

#include "command-service/api.hpp"

namespace cc::command {
namespace {

using http::Request;
using http::Response;

Result<identity::PutMembership> make_put_membership(const Request& request) {
    auto tenant = path_id<TenantId>(request, "tenant_id");
    if (!tenant) return std::move(tenant).error();
    auto user = path_id<UserId>(request, "user_id");
    if (!user) return std::move(user).error();
    auto version = expected_version(request, /*required=*/false);
    if (!version) return std::move(version).error();
    auto body = json_body(request);
    if (!body) return std::move(body).error();
    return identity::PutMembership{*tenant, *user, MembershipId::generate(), *version,
                                   std::move(*body)};
}

Result<identity::RevokeMembership> make_revoke_membership(const Request& request) {
    auto tenant = path_id<TenantId>(request, "tenant_id");
    if (!tenant) return std::move(tenant).error();
    auto user = path_id<UserId>(request, "user_id");
    if (!user) return std::move(user).error();
    auto version = expected_version(request, /*required=*/false);
    if (!version) return std::move(version).error();
    return identity::RevokeMembership{*tenant, *user, *version};
}

}  // namespace

void add_identity_routes(http::Router& router, CommandBus& bus) {
    const std::string member = "/v1/tenants/{tenant_id}/members/{user_id}";
    router.add("PUT", member, [&bus](Request& r) {
        auto command = make_put_membership(r);
        if (!command) return Response::problem(command.error(), r);
        auto outcome = bus.execute(*command, context_of(r));
        // 201 when this request granted the membership, 200 for a change or no-op.
        const bool granted = outcome && outcome->event_types.size() == 1 &&
                             outcome->event_types.front() == "MembershipGranted";
        return answer(outcome, r, granted ? 201 : 200);
    });
    router.add("DELETE", member, [&bus](Request& r) {
        return handle(bus, r, 200, [&] { return make_revoke_membership(r); });
    });
}

}  // namespace cc::command
