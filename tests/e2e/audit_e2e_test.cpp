// What auditors read over HTTP: the audit trail filtered and paged, the
// platform events about the tenant's members (and no one else's), the
// change history of any record, and the export with its chain columns.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <pqxx/pqxx>

#include "tests/support/backend_test.hpp"
#include "tests/support/openapi.hpp"
#include "tests/support/postgres_server.hpp"

namespace cc::e2e {
namespace {

using testing::HttpResponse;

// RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    std::string field;
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            row.push_back(std::move(field));
            field.clear();
        } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
            row.push_back(std::move(field));
            field.clear();
            rows.push_back(std::move(row));
            row.clear();
            ++i;
        } else {
            field += c;
        }
    }
    EXPECT_TRUE(field.empty() && row.empty()) << "the last record ends with CRLF";
    return rows;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at < text.size()) {
        const auto end = text.find('\n', at);
        out.push_back(text.substr(at, end - at));
        at = end == std::string::npos ? text.size() : end + 1;
    }
    return out;
}

class AuditEndToEnd : public testing::BackendTest {
  protected:
    void SetUp() override {
        suffix = unique_suffix();
        tenant = new_tenant("Audited", "audited-" + suffix);
        tenant_id = tenant.substr(std::string("/v1/tenants/").size());
    }
    std::string bearer(const std::string& user) {
        return "Bearer " + stack().token_for(UserId(*Uuid::parse(user)));
    }
    HttpResponse command_as(const std::string& user, const std::string& method,
                            const std::string& target, const std::string& body,
                            std::map<std::string, std::string> headers = {}) {
        headers.emplace("Authorization", bearer(user));
        return testing::http_request(stack().command_port, method, target, body, headers);
    }
    HttpResponse query_as(const std::string& user, const std::string& target) {
        return testing::http_request(stack().query_port, "GET", target, "",
                                     {{"Authorization", bearer(user)}});
    }
    std::string member(const std::string& role, const std::string& name) {
        const auto made = new_member(tenant, role, name + "-" + suffix + "@audit.example.org");
        last_position = made.granted;
        return made.id;
    }
    // Reads and refusals share the trail (action view, search, denied); these
    // tests are about changes, and leave the access rows out.
    static bool is_access(const boost::json::value& action) {
        return action == "view" || action == "search" || action == "denied";
    }
    // The change rows of an answer's items, in order.
    static std::vector<boost::json::object> changes(const HttpResponse& r) {
        EXPECT_EQ(r.status, 200) << r.body;
        std::vector<boost::json::object> out;
        if (r.status != 200) return out;
        const auto json = r.json();  // alive while its items are read
        for (const auto& item : json.at("items").as_array()) {
            if (!is_access(item.at("action"))) out.push_back(item.as_object());
        }
        return out;
    }
    // The change rows of an answer as (entity_id, action) pairs, in order.
    static std::vector<std::pair<std::string, std::string>> rows(const HttpResponse& r) {
        std::vector<std::pair<std::string, std::string>> out;
        for (const auto& item : changes(r)) {
            out.emplace_back(item.at("entity_id").as_string(), item.at("action").as_string());
        }
        return out;
    }
    // The field a 400 names.
    static std::string field_at_fault(const HttpResponse& r) {
        EXPECT_EQ(r.status, 400) << r.body;
        if (r.status != 400) return "";
        const auto json = r.json();
        return std::string(json.at("errors").as_array().at(0).at("field").as_string());
    }

    std::string suffix, tenant, tenant_id, last_position;
};

TEST_P(AuditEndToEnd, FiltersNarrowTheTrailAndKeysetPagesStayInOrderWithThem) {
    const auto manager = member("manager", "manager");
    const auto first = id_of(
        command("POST", tenant + "/patients", R"({"first_name":"Ada","last_name":"Lovelace"})"));
    const auto changed = command_as(manager, "PATCH", tenant + "/patients/" + first,
                                    R"({"last_name":"King"})", {{"If-Match", "\"1\""}});
    ASSERT_EQ(changed.status, 200) << changed.body;
    const auto second =
        command("POST", tenant + "/patients", R"({"first_name":"Mary","last_name":"Somerville"})");
    const auto other = id_of(second);
    ASSERT_TRUE(projected(tenant + "/patients", position_of(second)));
    // The reads' access rows are in the trail too (that wait's own search:
    // no single record, entity_id null), between and after the changes.
    ASSERT_TRUE(access_projected());

    const auto patients = query(tenant + "/audit-logs?entity_type=patient");
    EXPECT_EQ(rows(patients),
              (std::vector<std::pair<std::string, std::string>>{{other, "PatientRegistered"},
                                                                {first, "PatientUpdated"},
                                                                {first, "PatientRegistered"}}));
    EXPECT_EQ(testing::expect_matches_openapi("query-service", "GET",
                                              "/v1/tenants/{tenant_id}/audit-logs", patients.status,
                                              patients.json()),
              testing::OpenApiCheck::checked);
    const std::string updated_at(changes(patients).at(1).at("created_at").as_string());

    EXPECT_EQ(rows(query(tenant + "/audit-logs?user_id=" + manager)),
              (std::vector<std::pair<std::string, std::string>>{{first, "PatientUpdated"}}))
        << "who acted";
    EXPECT_EQ(rows(query(tenant + "/audit-logs?entity_type=patient&entity_id=" + first)).size(),
              2u);
    EXPECT_EQ(rows(query(tenant + "/audit-logs?action=PatientRegistered")),
              (std::vector<std::pair<std::string, std::string>>{{other, "PatientRegistered"},
                                                                {first, "PatientRegistered"}}));
    // A time range is from (inclusive) to (exclusive).
    EXPECT_EQ(rows(query(tenant + "/audit-logs?entity_type=patient&from=" + updated_at)),
              (std::vector<std::pair<std::string, std::string>>{{other, "PatientRegistered"},
                                                                {first, "PatientUpdated"}}));
    EXPECT_EQ(rows(query(tenant + "/audit-logs?entity_type=patient&to=" + updated_at)),
              (std::vector<std::pair<std::string, std::string>>{{first, "PatientRegistered"}}));

    // One row a page, the filter kept across the cursor: every row once, in order.
    std::vector<std::pair<std::string, std::string>> paged;
    std::string target = tenant + "/audit-logs?entity_type=patient&limit=1";
    for (int page = 0; page < 5; ++page) {
        const auto answer = query(target);
        for (auto& row : rows(answer)) paged.push_back(std::move(row));
        const auto next = answer.json().at("next_cursor");
        if (next.is_null()) break;
        target = tenant +
                 "/audit-logs?entity_type=patient&limit=1&cursor=" + std::string(next.as_string());
    }
    EXPECT_EQ(paged, rows(patients));

    EXPECT_EQ(field_at_fault(query(tenant + "/audit-logs?from=yesterday")), "from");
    EXPECT_EQ(
        field_at_fault(query(tenant + "/audit-logs?from=" + updated_at + "&to=" + updated_at)),
        "to");
    EXPECT_EQ(field_at_fault(query(tenant + "/audit-logs?user_id=someone")), "user_id");
    EXPECT_EQ(field_at_fault(query(tenant + "/audit-logs?entity_id=42")), "entity_id");
    const auto unknown = query(tenant + "/audit-logs?since=" + updated_at);
    EXPECT_EQ(field_at_fault(unknown), "since") << "a misspelt filter never answers everything";
    EXPECT_EQ(std::string(unknown.json().at("type").as_string()),
              "urn:complexcare:problem:unknown-query-parameter");
}

TEST_P(AuditEndToEnd, AuditorsSeeThePlatformEventsOfTheirMembersWhileMembersAndNoOneElses) {
    const auto auditor = member("auditor", "auditor");
    const auto carer = member("carer", "carer");
    const auto leaver = member("carer", "leaver");
    const auto outsider =
        id_of(command("POST", "/v1/users", R"({"email":"outsider-)" + suffix + R"(@x.org"})"));
    const auto rename = [&](const std::string& user, const std::string& name, int version) {
        const auto r = command("PATCH", "/v1/users/" + user, R"({"name":")" + name + "\"}",
                               {{"If-Match", "\"" + std::to_string(version) + "\""}});
        EXPECT_EQ(r.status, 200) << r.body;
        return r;
    };
    // Users are keyed by their own ids, so each lands in a partition of its
    // own: every position is waited for.
    std::vector<std::string> positions;
    positions.push_back(position_of(rename(carer, "Carer Renamed", 1)));
    positions.push_back(position_of(rename(outsider, "Outsider Renamed", 1)));
    positions.push_back(position_of(rename(leaver, "Leaver While Member", 1)));
    const auto revoked = command("DELETE", tenant + "/members/" + leaver);
    ASSERT_EQ(revoked.status, 200) << revoked.body;
    positions.push_back(position_of(revoked));
    positions.push_back(position_of(rename(leaver, "Leaver After Leaving", 2)));
    for (const auto& position : positions) {
        ASSERT_TRUE(projected(tenant + "/audit-logs", position));
    }

    const auto seen = query_as(auditor, tenant + "/audit-logs?entity_type=user");
    EXPECT_EQ(rows(seen), (std::vector<std::pair<std::string, std::string>>{
                              {leaver, "UserUpdated"}, {carer, "UserUpdated"}}))
        << "registrations came before the grants, the outsider was never a member, and the "
           "leaver's rename after the revocation is no longer the tenant's business";
    for (const auto& item : changes(seen)) {
        EXPECT_EQ(item.at("tenant_id").as_string(), "00000000-0000-0000-0000-000000000000")
            << "filed under the platform tenant, shown as such";
        EXPECT_EQ(
            item.at("details").at("changes").at("name").at("new").as_string(),
            item.at("entity_id").as_string() == carer ? "Carer Renamed" : "Leaver While Member");
    }
    // In the whole trail too, among the tenant's own rows.
    bool outsider_seen = false;
    const auto all = query_as(auditor, tenant + "/audit-logs?limit=200");
    for (const auto& [entity, action] : rows(all)) outsider_seen |= entity == outsider;
    EXPECT_FALSE(outsider_seen);
    EXPECT_EQ(rows(query_as(auditor, tenant + "/audit-logs?entity_id=" + outsider)).size(), 0u);

    EXPECT_EQ(query_as(carer, tenant + "/audit-logs").status, 403) << "auditors and admins only";

    // Who held a role here, and when: the leaver's membership history.
    const auto membership = query_as(auditor, tenant + "/members/" + leaver + "/history");
    ASSERT_EQ(membership.status, 200) << membership.body;
    EXPECT_EQ(testing::expect_matches_openapi("query-service", "GET",
                                              "/v1/tenants/{tenant_id}/members/{user_id}/history",
                                              membership.status, membership.json()),
              testing::OpenApiCheck::checked);
    const auto membership_json = membership.json();
    const auto& grants = membership_json.at("items").as_array();
    ASSERT_EQ(grants.size(), 2u);
    EXPECT_EQ(grants[0].at("step").as_string(), "create");
    EXPECT_EQ(grants[0].at("values").at("role").as_string(), "carer");
    EXPECT_EQ(grants[0].at("values").at("user_id").as_string(), leaver);
    EXPECT_EQ(grants[1].at("step").as_string(), "delete");
    EXPECT_EQ(query_as(auditor, tenant + "/members/" + outsider + "/history").status, 404);

    // The tenant's own profile over time, for its auditors.
    const auto profile = query_as(auditor, tenant + "/history");
    ASSERT_EQ(profile.status, 200) << profile.body;
    EXPECT_EQ(profile.json().at("items").as_array().at(0).at("event_type").as_string(),
              "TenantCreated");
    EXPECT_EQ(query_as(carer, tenant + "/history").status, 403);
    // A subject-access request: one's own account over time, nobody else's.
    const auto own = query_as(carer, "/v1/users/" + carer + "/history");
    ASSERT_EQ(own.status, 200) << own.body;
    EXPECT_EQ(testing::expect_matches_openapi("query-service", "GET", "/v1/users/{user_id}/history",
                                              own.status, own.json()),
              testing::OpenApiCheck::checked);
    const auto own_json = own.json();
    const auto& versions = own_json.at("items").as_array();
    ASSERT_EQ(versions.size(), 2u);
    EXPECT_EQ(versions[1].at("changes").at("name").at("new").as_string(), "Carer Renamed");
    EXPECT_EQ(query_as(carer, "/v1/users/" + outsider + "/history").status, 404);
    EXPECT_EQ(query_as(outsider, tenant + "/audit-logs").status, 404);
}

TEST_P(AuditEndToEnd, EveryRecordHasAHistoryOfWhoChangedWhatAndWhenWithinItsTenant) {
    const auto manager = member("manager", "manager");
    const auto patient = id_of(
        command("POST", tenant + "/patients", R"({"first_name":"Ada","last_name":"Lovelace"})"));
    ASSERT_EQ(command_as(manager, "PATCH", tenant + "/patients/" + patient,
                         R"({"last_name":"King"})", {{"If-Match", "\"1\""}})
                  .status,
              200);
    const auto medication =
        id_of(command("POST", tenant + "/medications",
                      R"({"patient_id":")" + patient +
                          R"(","name":"Aspirin","dosage":"75mg","frequency":"daily",)"
                          R"("start_date":"2026-01-01"})"));
    const auto stopped = command("POST", tenant + "/medications/" + medication + "/discontinue",
                                 R"({"reason":"side effects"})");
    ASSERT_EQ(stopped.status, 200) << stopped.body;
    ASSERT_TRUE(projected(tenant + "/patients", position_of(stopped)));

    const auto history = query(tenant + "/patients/" + patient + "/history");
    ASSERT_EQ(history.status, 200) << history.body;
    EXPECT_EQ(testing::expect_matches_openapi(
                  "query-service", "GET", "/v1/tenants/{tenant_id}/patients/{patient_id}/history",
                  history.status, history.json()),
              testing::OpenApiCheck::checked);
    const auto history_json = history.json();
    const auto& versions = history_json.at("items").as_array();
    ASSERT_EQ(versions.size(), 2u);
    EXPECT_EQ(versions[0].at("step").as_string(), "create");
    EXPECT_TRUE(versions[0].at("changes").at("last_name").at("old").is_null());
    const auto& update = versions[1].as_object();
    EXPECT_EQ(update.at("step").as_string(), "update");
    EXPECT_EQ(update.at("recorded_by").as_string(), manager) << "who";
    EXPECT_FALSE(update.at("recorded_at").as_string().empty()) << "when";
    EXPECT_EQ(update.at("changes").at("last_name"),
              (boost::json::value{{"old", "Lovelace"}, {"new", "King"}}))
        << "what changed, from what";
    EXPECT_EQ(update.at("changes").as_object().size(), 1u);
    EXPECT_EQ(update.at("values").at("first_name").as_string(), "Ada");

    // Any patient-scoped record, from its description: a medication's step and reason.
    const auto medication_history = query(tenant + "/medications/" + medication + "/history");
    ASSERT_EQ(medication_history.status, 200) << medication_history.body;
    const auto medication_json = medication_history.json();
    const auto& steps = medication_json.at("items").as_array();
    ASSERT_EQ(steps.size(), 2u);
    EXPECT_EQ(steps[1].at("step").as_string(), "discontinue");
    EXPECT_EQ(steps[1].at("reason").as_string(), "side effects");

    // Another tenant's record is not found, whichever way it is asked for.
    const auto elsewhere = new_tenant("Elsewhere", "elsewhere-" + suffix);
    const auto foreign =
        command("POST", elsewhere + "/patients", R"({"first_name":"Other","last_name":"Tenant"})");
    const auto foreign_id = id_of(foreign);
    ASSERT_TRUE(projected(elsewhere + "/patients", position_of(foreign)));
    const auto admin = stack().tenant_admin(tenant_id);
    ASSERT_TRUE(admin);
    const auto own_admin = admin->to_string();
    EXPECT_EQ(query_as(own_admin, tenant + "/patients/" + foreign_id + "/history").status, 404);
    EXPECT_EQ(query_as(own_admin, elsewhere + "/patients/" + patient + "/history").status, 404);
    EXPECT_EQ(query_as(own_admin, elsewhere + "/patients/" + foreign_id + "/history").status, 404);
}

TEST_P(AuditEndToEnd, TheExportStreamsARangeAsJsonLinesOrCsvWithItsChainColumns) {
    const auto auditor = member("auditor", "auditor");
    const auto carer = member("carer", "carer");
    const auto patient = id_of(command(
        "POST", tenant + "/patients",
        R"({"first_name":"Seán \"Jr\", the 2nd","last_name":"O'Brien","address":"1 Road\nTown"})"));
    const auto changed = command("PATCH", tenant + "/patients/" + patient,
                                 R"({"last_name":"O'Brien, Smith"})", {{"If-Match", "\"1\""}});
    ASSERT_TRUE(projected(tenant + "/patients", position_of(changed)));

    const auto newest_first = changes(query(tenant + "/audit-logs?entity_id=" + patient));
    ASSERT_EQ(newest_first.size(), 2u);
    const std::string created_id(newest_first[1].at("id").as_string());
    const std::string from(newest_first[1].at("created_at").as_string());
    // The links the projector wrote for the two rows, for the export to join.
    std::map<std::string, std::vector<std::string>> links;  // id -> stream, seq, prev, row hash
    {
        pqxx::connection owner(stack().database_url);
        pqxx::nontransaction tx(owner);
        for (const auto& row :
             tx.exec_params("SELECT audit_log_id::text, stream, seq::text, prev_hash, row_hash "
                            "FROM audit_chain WHERE audit_log_id IN (SELECT id FROM audit_logs "
                            "WHERE entity_id = $1::uuid AND action NOT IN ('view', 'search', "
                            "'denied'))",
                            patient)) {
            links[row[0].c_str()] = {row[1].c_str(), row[2].c_str(), row[3].c_str(),
                                     row[4].c_str()};
        }
    }
    ASSERT_EQ(links.size(), 2u) << "both rows chained";
    const std::string range = "?from=" + from + "&to=2100-01-01T00:00:00Z&entity_id=" + patient;

    const auto jsonl = query_as(auditor, tenant + "/audit-logs/export" + range);
    ASSERT_EQ(jsonl.status, 200) << jsonl.body;
    EXPECT_EQ(jsonl.header("content-type"), "application/x-ndjson");
    EXPECT_EQ(jsonl.header("transfer-encoding"), "chunked") << "streamed, not held whole";
    std::vector<std::string> lines;
    for (auto& line : lines_of(jsonl.body)) {
        if (!is_access(boost::json::parse(line).at("action"))) lines.push_back(std::move(line));
    }
    ASSERT_EQ(lines.size(), 2u) << jsonl.body;
    const auto oldest = boost::json::parse(lines[0]).as_object();
    const auto newest = boost::json::parse(lines[1]).as_object();
    EXPECT_EQ(oldest.at("id").as_string(), created_id) << "oldest first";
    for (const auto* line : {&oldest, &newest}) {
        const auto& link = links[std::string(line->at("id").as_string())];
        EXPECT_EQ(line->at("stream").as_string(), link[0]);
        EXPECT_EQ(std::to_string(line->at("seq").as_int64()), link[1]);
        EXPECT_EQ(line->at("prev_hash").as_string(), link[2]);
        EXPECT_EQ(line->at("row_hash").as_string(), link[3]);
    }
    // Nothing else happened in the tenant between the two commands: one
    // link follows the other.
    EXPECT_EQ(newest.at("seq").as_int64(), oldest.at("seq").as_int64() + 1);
    EXPECT_EQ(newest.at("prev_hash"), oldest.at("row_hash"));
    EXPECT_EQ(newest.at("details").at("changes").at("last_name").at("new").as_string(),
              "O'Brien, Smith");

    const auto csv = query_as(auditor, tenant + "/audit-logs/export" + range + "&format=csv");
    ASSERT_EQ(csv.status, 200) << csv.body;
    EXPECT_EQ(csv.header("content-type"), "text/csv; charset=utf-8; header=present");
    std::vector<std::vector<std::string>> table;
    for (auto& row : parse_csv(csv.body)) {
        if (row.size() < 4 || !is_access(boost::json::value(row[3])))
            table.push_back(std::move(row));
    }
    ASSERT_EQ(table.size(), 3u) << csv.body;
    EXPECT_EQ(table[0],
              (std::vector<std::string>{"id", "tenant_id", "user_id", "action", "entity_type",
                                        "entity_id", "details", "ip_address", "user_agent",
                                        "created_at", "stream", "seq", "prev_hash", "row_hash"}));
    for (std::size_t i = 1; i < table.size(); ++i) {
        const auto& line = i == 1 ? oldest : newest;
        ASSERT_EQ(table[i].size(), 14u);
        EXPECT_EQ(table[i][0], line.at("id").as_string());
        // Quotes, commas and line breaks survive the quoting exactly.
        EXPECT_EQ(boost::json::parse(table[i][6]), line.at("details")) << table[i][6];
        EXPECT_EQ(table[i][9], line.at("created_at").as_string());
    }
    EXPECT_EQ(table[1][11], std::to_string(oldest.at("seq").as_int64()));
    EXPECT_EQ(table[2][13], newest.at("row_hash").as_string());

    EXPECT_EQ(field_at_fault(query_as(auditor, tenant + "/audit-logs/export?from=" + from)), "to");
    EXPECT_EQ(
        field_at_fault(query_as(auditor, tenant + "/audit-logs/export" + range + "&format=xml")),
        "format");
    EXPECT_EQ(query_as(carer, tenant + "/audit-logs/export" + range).status, 403);
    const auto head =
        testing::http_request(stack().query_port, "HEAD", tenant + "/audit-logs/export" + range, "",
                              {{"Authorization", bearer(auditor)}});
    EXPECT_EQ(head.status, 200);
    EXPECT_EQ(head.body, "") << "no body, not even a last chunk";

    // Each export holds a database connection while it runs: past
    // CC_MAX_EXPORTS, 429. (The three above ran one after another under
    // the default of 2, so each gave its place back.)
    const int port = testing::free_port();
    const auto bounded =
        stack().start("query-service/query-service", port, {{"CC_MAX_EXPORTS", "0"}});
    const auto busy = testing::http_request(port, "GET", tenant + "/audit-logs/export" + range, "",
                                            {{"Authorization", bearer(auditor)}});
    EXPECT_EQ(busy.status, 429) << busy.body;
    EXPECT_EQ(busy.header("retry-after"), "5");
    EXPECT_EQ(std::string(busy.json().at("type").as_string()),
              "urn:complexcare:problem:too-many-exports");
}

CC_E2E_ON_EVERY_LOG(AuditEndToEnd);

}  // namespace
}  // namespace cc::e2e
