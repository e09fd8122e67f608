// A batch's statements merged into set-based statements, and the order that
// keeps several events on one row as they would be applied one by one.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "events/catalogue.hpp"
#include "model/aggregates/appointments.hpp"
#include "model/aggregates/care.hpp"
#include "model/aggregates/features.hpp"
#include "projector/projection/batch.hpp"
#include "projector/projection/projection.hpp"

namespace cc::projection {
namespace {

const TenantId kTenant = TenantId::generate();

std::vector<Statement> statements_of(std::string_view type, const model::Aggregate& a,
                                     const Uuid& id, std::int64_t version,
                                     boost::json::object payload) {
    events::Envelope e;
    e.event_id = EventId::generate();
    e.event_type = std::string(type);
    if (const auto* info = events::find_event_type(type)) e.schema_version = info->schema_version;
    e.tenant_id = a.scope == model::Scope::tenant ? kTenant : kPlatformTenant;
    e.aggregate_type = std::string(a.name);
    e.aggregate_id = id;
    e.aggregate_version = version;
    e.occurred_at = Timestamp::from_micros(1'000'000 * version);
    e.actor = UserId::generate();
    e.payload = std::move(payload);
    auto statements = project(e);
    EXPECT_TRUE(statements.ok()) << statements.error().detail;
    return statements.ok() ? std::move(*statements) : std::vector<Statement>{};
}

// What each planned statement does, "INSERT INTO patients" or "UPDATE
// patients", with how many rows it carries.
std::vector<std::string> outline(const std::vector<pg::Statement>& planned) {
    std::vector<std::string> out;
    for (const auto& s : planned) {
        // "UPDATE <table>", "INSERT INTO <table>", "DELETE FROM <table>"
        const auto words = s.sql.rfind("UPDATE", 0) == 0 ? 2 : 3;
        std::size_t verb_end = 0;
        for (int i = 0; i < words; ++i) verb_end = s.sql.find(' ', verb_end + 1);
        const auto rows = std::count(s.params[0]->begin(), s.params[0]->end(), ',') + 1;
        out.push_back(s.sql.substr(0, verb_end) + " x" + std::to_string(rows));
    }
    return out;
}

// The events' statements in log order, as the projector hands them over.
std::vector<pg::Statement> plan_events(const std::vector<std::vector<Statement>>& events) {
    std::vector<const Statement*> statements;
    for (const auto& event : events) {
        for (const auto& statement : event) statements.push_back(&statement);
    }
    return plan(statements);
}

boost::json::object patient(std::string_view last_name) {
    return {{"first_name", "Ada"}, {"last_name", last_name}};
}

TEST(ProjectionBatch, EventsOnDistinctRowsRunAsOneStatementPerShape) {
    std::vector<std::vector<Statement>> events;
    std::vector<std::string> ids;
    for (int i = 0; i < 3; ++i) {
        ids.push_back(Uuid::random_v4().to_string());
        events.push_back(statements_of(model::kPatient.created, model::kPatient,
                                       *Uuid::parse(ids.back()), 1, patient("Lovelace")));
    }
    const auto planned = plan_events(events);
    EXPECT_EQ(outline(planned),
              (std::vector<std::string>{"INSERT INTO patients x3", "INSERT INTO entity_versions x3",
                                        "INSERT INTO audit_logs x3"}));
    EXPECT_EQ(planned[0].params[0], "{\"" + ids[0] + "\",\"" + ids[1] + "\",\"" + ids[2] + "\"}")
        << "the rows in log order";
    EXPECT_NE(planned[0].sql.find("unnest($1::uuid[], $2::timestamptz[], $3::jsonb[])"),
              std::string::npos)
        << planned[0].sql;
}

// Created, updated (the audit row reads the old values from the row), and
// deleted in one batch, with another patient created after them.
TEST(ProjectionBatch, EventsOnOneRowSeeEachOtherInLogOrder) {
    const auto p = Uuid::random_v4();
    const auto q = Uuid::random_v4();
    const std::vector<std::vector<Statement>> events{
        statements_of(model::kPatient.created, model::kPatient, p, 1, patient("Lovelace")),
        statements_of(model::kPatient.updated, model::kPatient, p, 2,
                      {{"changes", {{"last_name", {{"new", "King"}}}}}}),
        statements_of(model::kPatient.deleted, model::kPatient, p, 3, {}),
        statements_of(model::kPatient.created, model::kPatient, q, 1, patient("Seacole")),
    };
    const auto planned = plan_events(events);
    // The second patient joins the first's statements; the audit row of
    // the delete reads nothing of the row, so it joins the first audit rows;
    // and only each entity's last version is written.
    EXPECT_EQ(outline(planned),
              (std::vector<std::string>{
                  "INSERT INTO patients x2", "INSERT INTO audit_logs x3",
                  "INSERT INTO audit_logs x1",  // the update's, reading the row as created
                  "UPDATE patients x1",
                  "UPDATE patients x1",  // the soft delete
                  "INSERT INTO entity_versions x2"}));
    EXPECT_NE(planned[2].sql.find("LEFT JOIN patients t"), std::string::npos) << planned[2].sql;
    EXPECT_NE(planned[3].sql.find("last_name = r.last_name"), std::string::npos) << planned[3].sql;
    EXPECT_NE(planned[4].sql.find("deleted_at"), std::string::npos) << planned[4].sql;
    EXPECT_EQ(planned[5].params[1], "{\"" + p.to_string() + "\",\"" + q.to_string() + "\"}");
    EXPECT_EQ(planned[5].params[3], "{\"3\",\"1\"}");
}

// A row that refers to another is written after it, even when a statement
// of its shape already runs earlier in the batch.
TEST(ProjectionBatch, ARowIsWrittenAfterTheRowsItRefersTo) {
    const auto carer = Uuid::random_v4().to_string();
    const auto visit = [&](const Uuid& patient_id) {
        return statements_of(model::kAppointment.created, model::kAppointment, Uuid::random_v4(), 1,
                             {{"patient_id", patient_id.to_string()},
                              {"care_professional_id", carer},
                              {"start_time", "2031-01-01T09:00:00Z"},
                              {"end_time", "2031-01-01T10:00:00Z"}});
    };
    const auto known = Uuid::random_v4();
    const auto added = Uuid::random_v4();
    const std::vector<std::vector<Statement>> events{
        visit(known),
        statements_of(model::kPatient.created, model::kPatient, added, 1, patient("Nightingale")),
        visit(added),
        visit(known),
    };
    EXPECT_EQ(
        outline(plan_events(events)),
        (std::vector<std::string>{"INSERT INTO appointments x2", "INSERT INTO entity_versions x4",
                                  "INSERT INTO audit_logs x4", "INSERT INTO patients x1",
                                  "INSERT INTO appointments x1"}));
}

// A feature's deletion removes the tenants' choices of it: after a choice
// made earlier in the batch, before one made later.
TEST(ProjectionBatch, ARemovalRunsBetweenTheRowsThatReferToItBeforeAndAfter) {
    const auto feature = Uuid::random_v4();
    const auto choice = [&] {
        return statements_of(model::kTenantFeature.created, model::kTenantFeature,
                             Uuid::random_v4(), 1,
                             {{"feature_id", feature.to_string()}, {"is_enabled", true}});
    };
    const std::vector<std::vector<Statement>> events{
        choice(),
        statements_of(model::kFeature.deleted, model::kFeature, feature, 2, {}),
        choice(),
    };
    EXPECT_EQ(outline(plan_events(events)),
              (std::vector<std::string>{
                  "INSERT INTO tenant_features x1", "INSERT INTO entity_versions x3",
                  "INSERT INTO audit_logs x3", "DELETE FROM tenant_features x1",
                  "DELETE FROM features x1", "INSERT INTO tenant_features x1"}));
}

TEST(ProjectionBatch, ArrayElementsAreQuotedSoEveryValueStaysAValue) {
    std::vector<Statement> rows(5);
    rows[0].row = {std::nullopt};
    rows[1].row = {""};
    rows[2].row = {"NULL"};
    rows[3].row = {R"(say "hi" \ bye)"};
    rows[4].row = {"a,b{c}"};
    std::vector<const Statement*> pointers;
    for (const auto& row : rows) pointers.push_back(&row);
    EXPECT_EQ(merge(pointers).params[0], R"({NULL,"","NULL","say \"hi\" \\ bye","a,b{c}"})");
}

}  // namespace
}  // namespace cc::projection
