#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "projector/projection/projection.hpp"

namespace cc::projection {
namespace {

events::Envelope event(std::string type, std::string aggregate, boost::json::object payload) {
    events::Envelope e;
    e.event_id = EventId::generate();
    e.event_type = std::move(type);
    e.tenant_id = TenantId::generate();
    e.aggregate_type = std::move(aggregate);
    e.aggregate_id = e.tenant_id.uuid();
    e.aggregate_version = 2;
    e.occurred_at = Timestamp::from_micros(1'000'000);
    e.payload = std::move(payload);
    return e;
}

TEST(Projection, CreatedInsertsRowVersionAndAudit) {
    auto statements = project(event("TenantCreated", "tenant", {{"name", "A"}, {"slug", "a"}}));
    ASSERT_TRUE(statements.ok()) << statements.error().detail;
    ASSERT_EQ(statements->size(), 3u);
    EXPECT_EQ((*statements)[0].sql.rfind(
                  "INSERT INTO tenants (id, created_at, updated_at, name, slug)", 0),
              0u)
        << (*statements)[0].sql;
    EXPECT_NE((*statements)[1].sql.find("entity_versions"), std::string::npos);
    EXPECT_NE((*statements)[2].sql.find("INSERT INTO audit_logs"), std::string::npos);
    const auto details = boost::json::parse(*(*statements)[2].row[6]).as_object();
    EXPECT_EQ(details.at("changes").at("name").at("new"), "A");
    EXPECT_TRUE(details.at("changes").at("name").at("old").is_null());
}

TEST(Projection, UpdateSetsOnlyChangedColumnsAndScopesMembershipsToTheTenant) {
    auto statements =
        project(event("MembershipRoleChanged", "membership",
                      {{"user_id", Uuid::random_v4().to_string()},
                       {"changes", {{"role", {{"old", "carer"}, {"new", "admin"}}}}}}));
    ASSERT_TRUE(statements.ok());
    const auto& update = (*statements)[0];
    EXPECT_NE(update.sql.find("SET updated_at = v.occurred_at, role = r.role"), std::string::npos)
        << update.sql;
    EXPECT_NE(update.sql.find("t.tenant_id = v.tenant_id"), std::string::npos);
    EXPECT_EQ(update.row.back(), (*statements)[1].row[2]) << "the tenant, as in its version row";
    EXPECT_EQ(boost::json::parse(*update.row[2]).as_object().at("role"), "admin");
}

TEST(Projection, RefusesColumnsOutsideTheTable) {
    auto statements =
        project(event("TenantUpdated", "tenant",
                      {{"changes", {{"id; DROP TABLE tenants", {{"old", 1}, {"new", 2}}}}}}));
    ASSERT_FALSE(statements.ok());
    EXPECT_EQ(statements.error().type, "bad-payload");
}

TEST(Projection, UnknownTypesAndNewerSchemasAreRefused) {
    EXPECT_EQ(project(event("SomethingNew", "tenant", {})).error().type, "unknown-event-type");
    auto newer = event("TenantDeleted", "tenant", {});
    newer.schema_version = 2;
    EXPECT_EQ(project(newer).error().type, "unknown-schema-version");
}

TEST(Projection, AuditRowCarriesActorAndRequestMetadata) {
    auto e = event("TenantDeleted", "tenant", {});
    e.actor = UserId::generate();
    e.request.ip = std::string(60, '1');  // longer than VARCHAR(45)
    e.request.user_agent = "agent";
    auto statements = project(e);
    ASSERT_TRUE(statements.ok());
    const auto& audit = statements->back();
    EXPECT_EQ(audit.row[0], e.event_id.to_string()) << "audit id is the event id";
    EXPECT_EQ(audit.row[2], e.actor->to_string());
    EXPECT_EQ(audit.row[7]->size(), 45u);
    EXPECT_EQ(audit.row[8], "agent");
}

}  // namespace
}  // namespace cc::projection
