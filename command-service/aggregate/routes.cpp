#include "command-service/aggregate/routes.hpp"

#include "command-service/api.hpp"

namespace cc::command {
namespace {

using http::Request;

// Tenant data lives under its tenant's path; a tenant is its own path and
// users are platform rows.
std::string collection_path(const model::Aggregate& aggregate) {
    const std::string prefix =
        aggregate.scope == model::Scope::tenant ? "/v1/tenants/{tenant_id}/" : "/v1/";
    return prefix + std::string(aggregate.collection);
}

Result<aggregate::Target> target_of(const Request& request, const model::Aggregate& aggregate,
                                    bool with_id) {
    TenantId tenant = kPlatformTenant;
    if (aggregate.scope == model::Scope::tenant) {
        auto named = path_id<TenantId>(request, "tenant_id");
        if (!named) return std::move(named).error();
        tenant = *named;
    }
    Uuid id = Uuid::random_v4();
    if (with_id) {
        const std::string param(aggregate.id_param);
        auto parsed = Uuid::parse(request.param(param));
        if (!parsed) {
            return Error::make(ErrorKind::not_found, "not-found", param + " does not exist");
        }
        id = *parsed;
    }
    return aggregate::Target{&aggregate, aggregate::filed_under(aggregate, id, tenant), id,
                             request.caller.user, Timestamp::now()};
}

void add_delete(http::Router& router, CommandBus& bus, const model::Aggregate& a,
                const std::string& item) {
    router.add("DELETE", item, [&bus, &a](Request& r) {
        return handle(bus, r, 200, [&]() -> Result<aggregate::Delete> {
            auto target = target_of(r, a, true);
            if (!target) return std::move(target).error();
            auto version = expected_version(r, /*required=*/false);
            if (!version) return std::move(version).error();
            return aggregate::Delete{*target, *version};
        });
    });
}

// Items named by a field: PUT creates (201) or changes (200), DELETE deletes.
void add_put_routes(http::Router& router, CommandBus& bus, const model::Aggregate& a,
                    const std::string& item) {
    router.add("PUT", item, [&bus, &a](Request& r) {
        auto command = [&]() -> Result<aggregate::Put> {
            auto target = target_of(r, a, true);
            if (!target) return std::move(target).error();
            auto version = expected_version(r, /*required=*/false);
            if (!version) return std::move(version).error();
            auto body = json_body(r);
            if (!body) return std::move(body).error();
            return aggregate::Put{*target, Uuid::random_v4(), *version, std::move(*body)};
        }();
        if (!command) return http::Response::problem(command.error(), r);
        auto outcome = bus.execute(*command, context_of(r));
        const bool created = outcome && outcome->event_types.size() == 1 &&
                             outcome->event_types.front() == a.created;
        return answer(outcome, r, created ? 201 : 200);
    });
    add_delete(router, bus, a, item);
}

void add_routes(http::Router& router, CommandBus& bus, const model::Aggregate& a) {
    const std::string collection = collection_path(a);
    const std::string item = collection + "/{" + std::string(a.id_param) + "}";
    if (!a.put_by.empty()) return add_put_routes(router, bus, a, item);
    router.add("POST", collection, [&bus, &a](Request& r) {
        return handle(bus, r, 201, [&]() -> Result<aggregate::Create> {
            auto target = target_of(r, a, false);
            if (!target) return std::move(target).error();
            auto body = json_body(r);
            if (!body) return std::move(body).error();
            return aggregate::Create{*target, std::move(*body)};
        });
    });
    router.add("PATCH", item, [&bus, &a](Request& r) {
        return handle(bus, r, 200, [&]() -> Result<aggregate::Patch> {
            auto target = target_of(r, a, true);
            if (!target) return std::move(target).error();
            auto version = expected_version(r, /*required=*/true);
            if (!version) return std::move(version).error();
            auto body = json_body(r);
            if (!body) return std::move(body).error();
            return aggregate::Patch{*target, *version, std::move(*body)};
        });
    });
    add_delete(router, bus, a, item);
    for (const auto& action : a.actions) {
        router.add("POST", item + "/" + std::string(action.name), [&bus, &a, &action](Request& r) {
            return handle(bus, r, 200, [&]() -> Result<aggregate::Act> {
                auto target = target_of(r, a, true);
                if (!target) return std::move(target).error();
                auto version = expected_version(r, /*required=*/false);
                if (!version) return std::move(version).error();
                // A step such as confirm takes no body.
                auto body = json_body(r, /*optional=*/true);
                if (!body) return std::move(body).error();
                return aggregate::Act{*target, &action, *version, std::move(*body)};
            });
        });
    }
}

}  // namespace

void add_aggregate_routes(http::Router& router, CommandBus& bus) {
    for (const auto* aggregate : model::aggregates()) {
        add_routes(router, bus, *aggregate);
    }
}

}  // namespace cc::command
