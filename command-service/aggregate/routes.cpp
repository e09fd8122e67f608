#include "command-service/aggregate/routes.hpp"

#include "command-service/api.hpp"

namespace cc::command {
namespace {

using http::Request;

Result<aggregate::Target> target_of(const Request& request, const model::Aggregate& aggregate,
                                    bool with_id) {
    auto tenant = path_id<TenantId>(request, "tenant_id");
    if (!tenant) return std::move(tenant).error();
    aggregate::Target target{&aggregate, *tenant, Uuid::random_v4(), request.caller.user,
                             Timestamp::now()};
    if (with_id) {
        const std::string param(aggregate.id_param);
        auto id = Uuid::parse(request.param(param));
        if (!id) return Error::make(ErrorKind::not_found, "not-found", param + " does not exist");
        target.id = *id;
    }
    return target;
}

void add_routes(http::Router& router, CommandBus& bus, const model::Aggregate& a) {
    const std::string collection = "/v1/tenants/{tenant_id}/" + std::string(a.collection);
    const std::string item = collection + "/{" + std::string(a.id_param) + "}";
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
    router.add("DELETE", item, [&bus, &a](Request& r) {
        return handle(bus, r, 200, [&]() -> Result<aggregate::Delete> {
            auto target = target_of(r, a, true);
            if (!target) return std::move(target).error();
            auto version = expected_version(r, /*required=*/false);
            if (!version) return std::move(version).error();
            return aggregate::Delete{*target, *version};
        });
    });
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
        if (aggregate->generic_commands && aggregate->scope == model::Scope::tenant) {
            add_routes(router, bus, *aggregate);
        }
    }
}

}  // namespace cc::command
