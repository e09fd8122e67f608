#include "command-service/care/care_routes.hpp"

#include "command-service/api.hpp"
#include "command-service/care/care.hpp"

namespace cc::command {
namespace {

using http::Request;
using http::Response;

// What a tenant-scoped item request names: its tenant and its id.
struct Target {
    TenantId tenant;
    Uuid id;
};

Result<Target> target(const Request& request, const std::string& id_param) {
    auto tenant = path_id<TenantId>(request, "tenant_id");
    if (!tenant) return std::move(tenant).error();
    auto id = Uuid::parse(request.param(id_param));
    if (!id) return Error::make(ErrorKind::not_found, "not-found", id_param + " does not exist");
    return Target{*tenant, *id};
}

// Create, update and delete routes for one tenant-scoped entity. `make_*`
// build the command from what every request of that kind carries.
template <class MakeCreate, class MakeUpdate, class MakeDelete>
void add_tenant_entity_routes(http::Router& router, CommandBus& bus, const std::string& name,
                              const std::string& id_param, MakeCreate make_create,
                              MakeUpdate make_update, MakeDelete make_delete) {
    const std::string collection = "/v1/tenants/{tenant_id}/" + name;
    const std::string item = collection + "/{" + id_param + "}";
    router.add("POST", collection, [&bus, make_create](Request& r) {
        return handle(bus, r, 201,
                      [&]() -> Result<decltype(make_create(TenantId{}, boost::json::object{}))> {
                          auto tenant = path_id<TenantId>(r, "tenant_id");
                          if (!tenant) return std::move(tenant).error();
                          auto body = json_body(r);
                          if (!body) return std::move(body).error();
                          return make_create(*tenant, std::move(*body));
                      });
    });
    router.add("PATCH", item, [&bus, make_update, id_param](Request& r) {
        return handle(
            bus, r, 200,
            [&]()
                -> Result<decltype(make_update(Target{}, std::int64_t{}, boost::json::object{}))> {
                auto t = target(r, id_param);
                if (!t) return std::move(t).error();
                auto version = expected_version(r, /*required=*/true);
                if (!version) return std::move(version).error();
                auto body = json_body(r);
                if (!body) return std::move(body).error();
                return make_update(*t, **version, std::move(*body));
            });
    });
    router.add("DELETE", item, [&bus, make_delete, id_param](Request& r) {
        return handle(
            bus, r, 200,
            [&]() -> Result<decltype(make_delete(Target{}, std::optional<std::int64_t>{}))> {
                auto t = target(r, id_param);
                if (!t) return std::move(t).error();
                auto version = expected_version(r, /*required=*/false);
                if (!version) return std::move(version).error();
                return make_delete(*t, *version);
            });
    });
}

}  // namespace

void add_care_routes(http::Router& router, CommandBus& bus) {
    add_tenant_entity_routes(
        router, bus, "patients", "patient_id",
        [](TenantId tenant, boost::json::object body) {
            return care::RegisterPatient{tenant, Uuid::random_v4(), std::move(body),
                                         Timestamp::now()};
        },
        [](Target t, std::int64_t version, boost::json::object body) {
            return care::UpdatePatient{t.tenant, t.id, version, std::move(body), Timestamp::now()};
        },
        [](Target t, std::optional<std::int64_t> version) {
            return care::DeletePatient{t.tenant, t.id, version};
        });
    add_tenant_entity_routes(
        router, bus, "care-professionals", "care_professional_id",
        [](TenantId tenant, boost::json::object body) {
            return care::CreateCareProfessional{tenant, Uuid::random_v4(), std::move(body)};
        },
        [](Target t, std::int64_t version, boost::json::object body) {
            return care::UpdateCareProfessional{t.tenant, t.id, version, std::move(body)};
        },
        [](Target t, std::optional<std::int64_t> version) {
            return care::DeleteCareProfessional{t.tenant, t.id, version};
        });
}

}  // namespace cc::command
