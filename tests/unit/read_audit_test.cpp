// Reads and refusals are audited: which routes reveal patient-identifiable
// data (from the descriptions alone), the access facts' contract, and their
// audit rows. No I/O.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "events/access.hpp"
#include "model/description.hpp"
#include "projector/projection/projection.hpp"
#include "query-service/audit/access_routes.hpp"
#include "tests/support/event_contract.hpp"

namespace cc::query {
namespace {

using Shape = AuditedRoute::Shape;

const AccessRoutes& routes() {
    static const AccessRoutes all(model::aggregates());
    return all;
}

TEST(AccessRoutes, PatientReadsAreViewsAndSearches) {
    const auto list = routes().find("/v1/tenants/{tenant_id}/patients");
    ASSERT_TRUE(list);
    EXPECT_EQ(list->aggregate->name, "patient");
    EXPECT_EQ(list->shape, Shape::list);
    EXPECT_TRUE(list->identifiable);
    const auto item = routes().find("/v1/tenants/{tenant_id}/patients/{patient_id}");
    ASSERT_TRUE(item);
    EXPECT_EQ(item->shape, Shape::item);
    EXPECT_EQ(item->id_param, "patient_id");
}

TEST(AccessRoutes, AnItemsSubResourcesAreViewsOfTheItem) {
    for (const auto* pattern : {"/v1/tenants/{tenant_id}/clinical-notes/{clinical_note_id}/history",
                                "/v1/tenants/{tenant_id}/documents/{document_id}/content"}) {
        const auto route = routes().find(pattern);
        ASSERT_TRUE(route) << pattern;
        EXPECT_EQ(route->shape, Shape::item) << pattern;
        EXPECT_TRUE(route->identifiable) << pattern;
    }
}

TEST(AccessRoutes, ANestedListIsASearchOfTheListedAggregateNotAViewOfItsParent) {
    const auto route = routes().find(
        "/v1/tenants/{tenant_id}/care-professionals/{care_professional_id}/appointments");
    ASSERT_TRUE(route);
    EXPECT_EQ(route->aggregate->name, "appointment");
    EXPECT_EQ(route->shape, Shape::list);
    EXPECT_TRUE(route->identifiable);
}

TEST(AccessRoutes, EveryAggregateThatRefersToAPatientIsIdentifiableAndNoOtherIs) {
    for (const auto* a : model::aggregates()) {
        if (!a->tenant_data()) continue;
        bool refers = a->table == "patients";
        for (const auto& field : a->fields)
            refers = refers ||
                     (field.type == model::FieldType::reference && field.references == "patient");
        const auto route = routes().find("/v1/tenants/{tenant_id}/" + std::string(a->collection));
        ASSERT_TRUE(route) << a->name;
        EXPECT_EQ(route->identifiable, refers) << a->name;
    }
    EXPECT_FALSE(routes().find("/v1/tenants/{tenant_id}/care-professionals")->identifiable);
    EXPECT_TRUE(routes().find("/v1/tenants/{tenant_id}/medications")->identifiable);
    EXPECT_FALSE(routes().find("/v1/tenants/{tenant_id}/invoices/summary")) << "totals, no ids";
    EXPECT_FALSE(routes().find("/v1/tenants/{tenant_id}/members"));
}

TEST(AccessRoutes, ReadingTheAuditTrailIsASearchOfItsRows) {
    const auto route = routes().find("/v1/tenants/{tenant_id}/audit-logs");
    ASSERT_TRUE(route) << "its rows carry the changed values of patients' records";
    EXPECT_EQ(route->entity_type, "audit_log");
    EXPECT_EQ(route->shape, Shape::list);
    EXPECT_TRUE(route->identifiable);
}

TEST(AccessRoutes, PathParametersFollowThePattern) {
    const auto bound = path_parameters("/v1/tenants/{tenant_id}/patients/{patient_id}",
                                       "/v1/tenants/t1/patients/p1");
    ASSERT_TRUE(bound);
    EXPECT_EQ(*bound, (std::vector<std::pair<std::string, std::string>>{{"tenant_id", "t1"},
                                                                        {"patient_id", "p1"}}));
    EXPECT_FALSE(path_parameters("/v1/tenants/{tenant_id}/patients", "/v1/tenants/t1/tasks"));
    EXPECT_FALSE(path_parameters("/v1/tenants/{tenant_id}", "/v1/tenants/t1/patients"));
}

events::access::Fact search_fact() {
    events::access::Fact fact;
    fact.kind = events::access::Kind::search;
    fact.tenant = TenantId::generate();
    fact.user = UserId::generate();
    fact.entity_type = "patient";
    fact.entity_ids = {Uuid::random_v4().to_string(), Uuid::random_v4().to_string()};
    fact.method = "GET";
    fact.path = "/v1/tenants/" + fact.tenant.to_string() + "/patients";
    fact.query = "q=smith";
    fact.route = "/v1/tenants/{tenant_id}/patients";
    fact.request.ip = "192.0.2.7";
    fact.request.user_agent = "browser";
    fact.request.request_id = "req-1";
    fact.at = Timestamp::from_micros(1'700'000'000'000'000);
    return fact;
}

TEST(AccessFacts, EveryKindMatchesItsPublishedSchema) {
    for (const auto& type : events::access::types()) {
        auto fact = search_fact();
        fact.kind = type.kind;
        if (type.kind == events::access::Kind::denied) {
            fact.status = 404;
            fact.reason = "not-found";
            fact.requested_tenant_id = TenantId::generate().to_string();
            fact.user.reset();
        }
        const auto envelope = events::access::to_envelope(fact);
        EXPECT_EQ(envelope.aggregate_id, envelope.event_id.uuid());
        EXPECT_EQ(testing::event_contract_violations(envelope), std::vector<std::string>{})
            << type.event_type;
    }
}

TEST(AccessFacts, CredentialsNeverReachTheRecordedQuery) {
    EXPECT_EQ(events::access::without_credentials("q=smith&access_token=abc&limit=5&ID_TOKEN=x"),
              "q=smith&limit=5");
    EXPECT_EQ(events::access::without_credentials("api_key=1&password=2"), "");
    EXPECT_EQ(events::access::without_credentials(""), "");
}

TEST(AccessFacts, ASearchBecomesOneAuditRowWithEveryIdAndTheQuery) {
    const auto fact = search_fact();
    const auto envelope = events::access::to_envelope(fact);
    EXPECT_EQ(events::access::stream_of(envelope), "access");
    const auto statements = projection::project_access(envelope);
    ASSERT_TRUE(statements.ok()) << statements.error().detail;
    ASSERT_EQ(statements->size(), 1u);
    const auto& row = statements->front().row;
    EXPECT_NE(statements->front().sql.find("INSERT INTO audit_logs"), std::string::npos);
    EXPECT_EQ(row[0], envelope.event_id.to_string());
    EXPECT_EQ(row[1], fact.tenant.to_string());
    EXPECT_EQ(row[2], fact.user->to_string());
    EXPECT_EQ(row[3], "search");
    EXPECT_EQ(row[4], "patient");
    EXPECT_FALSE(row[5].has_value()) << "many ids: none is the entity";
    const auto details = boost::json::parse(*row[6]).as_object();
    EXPECT_EQ(details.at("entity_ids").as_array().size(), 2u);
    EXPECT_EQ(details.at("query"), "q=smith");
    EXPECT_EQ(details.at("request_id"), "req-1");
    EXPECT_EQ(row[7], "192.0.2.7");
    EXPECT_EQ(row[8], "browser");
}

TEST(AccessFacts, AViewNamesItsEntityAndADomainEventIsNoAccessFact) {
    auto fact = search_fact();
    fact.kind = events::access::Kind::view;
    fact.entity_ids.resize(1);
    const auto statements = projection::project_access(events::access::to_envelope(fact));
    ASSERT_TRUE(statements.ok());
    EXPECT_EQ(statements->front().row[3], "view");
    EXPECT_EQ(statements->front().row[5], fact.entity_ids.front());

    auto domain = events::access::to_envelope(fact);
    domain.event_type = "PatientRegistered";
    domain.aggregate_type = "patient";
    EXPECT_EQ(events::access::stream_of(domain), "changes");
    EXPECT_FALSE(projection::project_access(domain).ok()) << "parked, never applied";
}

}  // namespace
}  // namespace cc::query
