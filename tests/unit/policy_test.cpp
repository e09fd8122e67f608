// A field whose API name differs from its column: a policy's policy_version
// is the documented policies.version, which every read would otherwise
// answer beside the entity version. Events and JSON use the API name; SQL
// uses the column, on the projector's writes and the query's reads.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "model/aggregates/compliance.hpp"
#include "projector/projection/projection.hpp"
#include "query-service/resource.hpp"

namespace cc {
namespace {

events::Envelope policy_event(std::string type, int schema_version, boost::json::object payload) {
    events::Envelope e;
    e.event_id = EventId::generate();
    e.event_type = std::move(type);
    e.schema_version = schema_version;
    e.tenant_id = TenantId::generate();
    e.aggregate_type = "policy";
    e.aggregate_id = Uuid::random_v4();
    e.aggregate_version = 1;
    e.occurred_at = Timestamp::from_micros(1'000'000);
    e.payload = std::move(payload);
    return e;
}

TEST(PolicyColumns, TheDescriptionNamesTheColumnApart) {
    const auto* label = model::kPolicy.field("policy_version");
    ASSERT_NE(label, nullptr);
    EXPECT_EQ(label->column_name(), "version");
    EXPECT_EQ(model::kPolicy.field("title")->column_name(), "title") << "the column by default";
    EXPECT_EQ(model::kPolicy.field("version"), nullptr) << "no API field is named version";
}

TEST(PolicyColumns, TheProjectorWritesTheColumnAndAuditsTheApiName) {
    auto created = projection::project(policy_event("PolicyPublished", 1,
                                                    {{"title", "Safeguarding"},
                                                     {"content", "v1"},
                                                     {"policy_version", "1.0"},
                                                     {"effective_date", "2031-01-01"}}));
    ASSERT_TRUE(created.ok()) << created.error().detail;
    const auto& insert = (*created)[0];
    EXPECT_NE(insert.sql.find(", version"), std::string::npos) << insert.sql;
    EXPECT_NE(insert.sql.find("r.version"), std::string::npos) << insert.sql;
    EXPECT_EQ(insert.sql.find("policy_version"), std::string::npos) << insert.sql;
    const auto row = boost::json::parse(*insert.row[2]).as_object();
    EXPECT_EQ(row.at("version"), "1.0") << "jsonb_populate_record matches the column's name";
    EXPECT_FALSE(row.contains("policy_version"));
    const auto audit = boost::json::parse(*created->back().row[6]).as_object();
    EXPECT_EQ(audit.at("changes").at("policy_version").at("new"), "1.0")
        << "the audit trail, and so the history, speaks the API";

    auto revised = projection::project(policy_event(
        "PolicyRevised", 2,
        {{"changes", {{"content", {{"new", "v2"}}}, {"policy_version", {{"new", "2.0"}}}}}}));
    ASSERT_TRUE(revised.ok()) << revised.error().detail;
    // Version 2 carries new values only: the audit row reads the old ones
    // from the row first, the renamed column under its API name.
    const auto& audit_from = (*revised)[0];
    EXPECT_NE(
        audit_from.sql.find("'policy_version', jsonb_build_object('old', to_jsonb(t.version)"),
        std::string::npos)
        << audit_from.sql;
    const auto& update = (*revised)[1];
    EXPECT_NE(update.sql.find("version = r.version"), std::string::npos) << update.sql;
    EXPECT_EQ(boost::json::parse(*update.row[2]).as_object().at("version"), "2.0");
}

TEST(PolicyColumns, ReadsSelectTheColumnUnderItsApiName) {
    static constexpr query::Column kColumns[] = {
        {"id"}, {"version", query::Render::plain, "policy_version"}};
    static constexpr query::Filter kFilters[] = {
        {.parameter = "effective_on",
         .column = "effective_date",
         .cast = "date",
         .op = "on",
         .when_true = "t.effective_date <= {} AND x <= {}"},
    };
    const query::Resource resource{.entity_type = "policy",
                                   .table = "policies",
                                   .columns = kColumns,
                                   .tenant_column = "tenant_id",
                                   .filters = kFilters};
    const auto item = query::item_statement(resource, "t", Uuid::random_v4().to_string());
    EXPECT_NE(item.sql.find("t.version AS policy_version"), std::string::npos) << item.sql;
    EXPECT_NE(item.sql.find("COALESCE(v.version, 1) AS version"), std::string::npos)
        << "the entity version keeps its key";

    query::ListRequest request;
    request.tenant_id = Uuid::random_v4().to_string();
    request.filters = {{"effective_on", "2031-01-01"}};
    const auto list = query::list_statement(resource, request);
    EXPECT_NE(list.sql.find("(t.effective_date <= $2::date AND x <= $2::date)"), std::string::npos)
        << "one parameter, wherever the condition names the day: " << list.sql;
    EXPECT_EQ(list.params.at(1), "2031-01-01");
}

}  // namespace
}  // namespace cc
