#include "command-service/aggregate/routes.hpp"

#include "command-service/api.hpp"

namespace cc::command {
namespace {

using http::Request;

// Every command route builds its command from the request alone and
// decides it on the bus, which declines rather than wait
// (CommandBus::submit): the server tries it on its I/O thread.
void add_command_route(http::Router& router, std::string method, std::string pattern,
                       http::Handler handler) {
    router.add(std::move(method), std::move(pattern), std::move(handler), http::Blocking::declines);
}

}  // namespace

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
    // A path naming its item by another field (a feature's name) is
    // resolved against the write model: the command carries the text.
    if (with_id && aggregate.put_key.empty()) {
        const std::string param(aggregate.id_param);
        auto parsed = Uuid::parse(request.param(param));
        if (!parsed) {
            return Error::make(ErrorKind::not_found, "not-found", param + " does not exist");
        }
        id = *parsed;
    }
    return aggregate::Target{&aggregate,
                             aggregate::filed_under(aggregate, id, tenant),
                             id,
                             request.caller.user,
                             Timestamp::now(),
                             request.caller.platform_admin};
}

namespace {

// What a step on an existing item reads from its request.
struct Item {
    aggregate::Target target;
    std::optional<std::int64_t> expected_version;
    json::Body body;
};
enum class BodyIs : std::uint8_t { absent, required, optional };

Result<Item> item_of(const Request& request, const model::Aggregate& a, bool if_match_required,
                     BodyIs body) {
    auto target = target_of(request, a, true);
    if (!target) return std::move(target).error();
    auto version = expected_version(request, if_match_required);
    if (!version) return std::move(version).error();
    Item item{*target, *version, {}};
    if (body != BodyIs::absent) {
        auto parsed = json_body(request, body == BodyIs::optional);
        if (!parsed) return std::move(parsed).error();
        item.body = std::move(*parsed);
    }
    return item;
}

void add_delete(http::Router& router, CommandBus& bus, const model::Aggregate& a,
                const std::string& item) {
    add_command_route(router, "DELETE", item, [&bus, &a](Request& r) {
        return handle(bus, r, 200, [&]() -> Result<aggregate::Delete> {
            auto it = item_of(r, a, /*if_match_required=*/false, BodyIs::absent);
            if (!it) return std::move(it).error();
            return aggregate::Delete{it->target, it->expected_version};
        });
    });
}

// Items named by a field: PUT creates (201) or changes (200), DELETE deletes.
void add_put_routes(http::Router& router, CommandBus& bus, const model::Aggregate& a,
                    const std::string& item) {
    add_command_route(router, "PUT", item, [&bus, &a](Request& r) {
        auto it = item_of(r, a, /*if_match_required=*/false, BodyIs::required);
        if (!it) return http::Response::problem(it.error(), r);
        aggregate::Put command{it->target, Uuid::random_v4(),
                               a.put_key.empty() ? "" : r.param(std::string(a.id_param)),
                               it->expected_version, std::move(it->body)};
        return answer_when_durable(bus, std::move(command), r, [&a](const CommandOutcome& outcome) {
            const bool created =
                outcome.event_types.size() == 1 && outcome.event_types.front() == a.created;
            return created ? 201 : 200;
        });
    });
    if (!a.deleted.empty()) add_delete(router, bus, a, item);
}

void add_routes(http::Router& router, CommandBus& bus, const model::Aggregate& a) {
    const std::string collection = collection_path(a);
    const std::string item = collection + "/{" + std::string(a.id_param) + "}";
    if (!a.put_by.empty()) return add_put_routes(router, bus, a, item);
    // An uploaded aggregate is created from a file (documents/upload_route.cpp).
    if (a.upload == nullptr) {
        add_command_route(router, "POST", collection, [&bus, &a](Request& r) {
            return handle(bus, r, 201, [&]() -> Result<aggregate::Create> {
                auto target = target_of(r, a, false);
                if (!target) return std::move(target).error();
                auto body = json_body(r);
                if (!body) return std::move(body).error();
                return aggregate::Create{*target, std::move(*body)};
            });
        });
    }
    // A step no role may take has no route (a clinical note is never
    // changed or deleted in place; its actions keep the record).
    // Platform rows are governed by policies, not roles.
    const bool governed_by_roles = a.tenant_data();
    if (!governed_by_roles || !a.permissions.update.empty()) {
        add_command_route(router, "PATCH", item, [&bus, &a](Request& r) {
            return handle(bus, r, 200, [&]() -> Result<aggregate::Patch> {
                auto it = item_of(r, a, /*if_match_required=*/true, BodyIs::required);
                if (!it) return std::move(it).error();
                return aggregate::Patch{it->target, it->expected_version, std::move(it->body)};
            });
        });
    }
    if (!governed_by_roles || !a.permissions.remove.empty()) add_delete(router, bus, a, item);
    for (const auto& action : a.actions) {
        if (action.by_server) continue;  // the scheduler's alone
        add_command_route(
            router, "POST", item + "/" + std::string(action.name), [&bus, &a, &action](Request& r) {
                return handle(bus, r, 200, [&]() -> Result<aggregate::Act> {
                    // A step such as confirm takes no body.
                    auto it = item_of(r, a, /*if_match_required=*/false, BodyIs::optional);
                    if (!it) return std::move(it).error();
                    return aggregate::Act{it->target, &action, it->expected_version,
                                          std::move(it->body)};
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
