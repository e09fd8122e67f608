#include "command-service/identity/identity_routes.hpp"

#include "command-service/api.hpp"

namespace cc::command {
namespace {

using http::Request;
using http::Response;

template <class Command, class IdT>
Result<Command> make_create(const Request& request) {
    auto body = json_body(request);
    if (!body) return std::move(body).error();
    return Command{IdT::generate(), std::move(*body)};
}

template <class Command, class IdT>
Result<Command> make_update(const Request& request, const std::string& id_param) {
    auto id = path_id<IdT>(request, id_param);
    if (!id) return std::move(id).error();
    auto version = expected_version(request, /*required=*/true);
    if (!version) return std::move(version).error();
    auto body = json_body(request);
    if (!body) return std::move(body).error();
    return Command{*id, *version, std::move(*body)};
}

template <class Command, class IdT>
Result<Command> make_delete(const Request& request, const std::string& id_param) {
    auto id = path_id<IdT>(request, id_param);
    if (!id) return std::move(id).error();
    auto version = expected_version(request, /*required=*/false);
    if (!version) return std::move(version).error();
    return Command{*id, *version};
}

template <class Create, class Update, class Delete, class IdT>
void add_entity_routes(http::Router& router, CommandBus& bus, const std::string& collection,
                       const std::string& id_param) {
    const std::string item = collection + "/{" + id_param + "}";
    router.add("POST", collection, [&bus](Request& r) {
        return handle(bus, r, 201, [&] { return make_create<Create, IdT>(r); });
    });
    router.add("PATCH", item, [&bus, id_param](Request& r) {
        return handle(bus, r, 200, [&] { return make_update<Update, IdT>(r, id_param); });
    });
    router.add("DELETE", item, [&bus, id_param](Request& r) {
        return handle(bus, r, 200, [&] { return make_delete<Delete, IdT>(r, id_param); });
    });
}

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
    add_entity_routes<identity::CreateTenant, identity::UpdateTenant, identity::DeleteTenant,
                      TenantId>(router, bus, "/v1/tenants", "tenant_id");
    add_entity_routes<identity::RegisterUser, identity::UpdateUser, identity::DeleteUser, UserId>(
        router, bus, "/v1/users", "user_id");

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
