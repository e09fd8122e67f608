// Reads and refusals are audited (issue 11 item 3), over real HTTP on each
// log backend: a read of patient-identifiable data, a search and every kind
// of refusal leave one access fact on the access stream, durable before the
// answer; an access stream that cannot be written turns reads into 503 with
// no data; and the projector carries the facts into audit_logs.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <pqxx/pqxx>

#include "events/access.hpp"
#include "tests/support/backend_test.hpp"
#include "tests/support/event_contract.hpp"

namespace cc::e2e {
namespace {

using testing::http_request;
using testing::HttpResponse;

class ReadAuditEndToEnd : public testing::BackendTest {
  protected:
    std::string new_request_id() { return "read-audit-" + unique_suffix(); }

    // A GET on the query service with its own request id, as `token` (none: no
    // Authorization header at all).
    HttpResponse get(const std::string& target, const std::string& request_id,
                     const std::optional<std::string>& token) {
        std::map<std::string, std::string> headers{{"X-Request-Id", request_id},
                                                   {"User-Agent", "read-audit-test/1"}};
        if (token) headers["Authorization"] = "Bearer " + *token;
        return http_request(stack().query_port, "GET", target, "", headers);
    }
    std::string admin_token(const std::string& tenant) {
        return stack().token_for(
            *stack().tenant_admin(tenant.substr(std::string("/v1/tenants/").size())));
    }
    static std::string id_in(const std::string& tenant) {
        return tenant.substr(std::string("/v1/tenants/").size());
    }

    // Every access fact on the access stream now, in each partition's order.
    std::vector<events::Envelope> access_facts() {
        auto reader = eventlog::open_reader(stack().log.access_stream(), {});
        std::vector<events::Envelope> out;
        const auto read = eventlog::read_to_end(*reader, [&](const eventlog::LogRecord& record) {
            auto envelope = events::parse_envelope(record.value);
            EXPECT_TRUE(envelope.ok()) << record.value;
            if (envelope) out.push_back(std::move(*envelope));
            return Status{};
        });
        EXPECT_TRUE(read.ok()) << read.error().detail;
        return out;
    }
    // The facts of one request. The answer is sent only once its fact is
    // durable, so whatever a request recorded is in the log when it returns.
    std::vector<events::Envelope> facts_of(const std::string& request_id) {
        std::vector<events::Envelope> out;
        for (auto& fact : access_facts())
            if (fact.request.request_id == request_id) out.push_back(std::move(fact));
        return out;
    }

    std::string new_patient(const std::string& tenant, const std::string& last_name) {
        const auto created =
            command("POST", tenant + "/patients",
                    R"({"first_name":"Audited","last_name":")" + last_name + "\"}");
        const auto id = id_of(created);
        EXPECT_TRUE(projected(tenant + "/patients/" + id, position_of(created)));
        return id;
    }

    static std::vector<std::string> ids_of(const boost::json::object& payload) {
        std::vector<std::string> out;
        for (const auto& id : payload.at("entity_ids").as_array()) out.emplace_back(id.as_string());
        return out;
    }
};

TEST_P(ReadAuditEndToEnd, AGetByIdIsRecordedAsAViewOfThatIdBeforeItIsAnswered) {
    const auto tenant = new_tenant("Audit view", "audit-view-" + unique_suffix());
    const auto patient = new_patient(tenant, "Viewed");
    const auto token = admin_token(tenant);
    const auto request_id = new_request_id();

    const auto read = get(tenant + "/patients/" + patient, request_id, token);
    ASSERT_EQ(read.status, 200) << read.body;

    const auto facts = facts_of(request_id);
    ASSERT_EQ(facts.size(), 1u);
    const auto& fact = facts.front();
    EXPECT_EQ(fact.event_type, "RecordViewed");
    EXPECT_EQ(fact.tenant_id.to_string(), id_in(tenant));
    ASSERT_TRUE(fact.actor.has_value());
    EXPECT_EQ(*fact.actor, *stack().tenant_admin(id_in(tenant)));
    EXPECT_EQ(fact.request.ip, "127.0.0.1");
    EXPECT_EQ(fact.request.user_agent, "read-audit-test/1");
    EXPECT_EQ(fact.payload.at("entity_type").as_string(), "patient");
    EXPECT_EQ(ids_of(fact.payload), std::vector<std::string>{patient});
    EXPECT_EQ(fact.payload.at("path").as_string(), tenant + "/patients/" + patient);
    EXPECT_EQ(fact.payload.at("query").as_string(), "");
    EXPECT_EQ(fact.payload.at("status").as_int64(), 200);
    EXPECT_EQ(testing::event_contract_violations(fact), std::vector<std::string>{});

    // A patient-scoped table is covered by its description alone: a care
    // plan's item read is a view too; a care professional (no patient) is not.
    const auto plan =
        command("POST", tenant + "/care-plans",
                R"({"patient_id":")" + patient + R"(","title":"Plan","start_date":"2026-01-01"})");
    const auto plan_id = id_of(plan);
    ASSERT_TRUE(projected(tenant + "/care-plans/" + plan_id, position_of(plan)));
    const auto plan_request = new_request_id();
    ASSERT_EQ(get(tenant + "/care-plans/" + plan_id, plan_request, token).status, 200);
    const auto plan_facts = facts_of(plan_request);
    ASSERT_EQ(plan_facts.size(), 1u);
    EXPECT_EQ(plan_facts.front().payload.at("entity_type").as_string(), "care_plan");
    EXPECT_EQ(ids_of(plan_facts.front().payload), std::vector<std::string>{plan_id});

    const auto carer_request = new_request_id();
    ASSERT_EQ(get(tenant + "/care-professionals", carer_request, token).status, 200);
    EXPECT_TRUE(facts_of(carer_request).empty()) << "no patient data, no access fact";
}

TEST_P(ReadAuditEndToEnd, ASearchIsOneRecordWithEveryIdItReturned) {
    const auto tenant = new_tenant("Audit search", "audit-search-" + unique_suffix());
    const auto first = new_patient(tenant, "Searchable");
    const auto second = new_patient(tenant, "Searchable");
    new_patient(tenant, "Elsewhere");
    const auto request_id = new_request_id();

    const auto page =
        get(tenant + "/patients?q=Searchable&limit=50", request_id, admin_token(tenant));
    ASSERT_EQ(page.status, 200) << page.body;
    const auto returned = ids(page);
    ASSERT_EQ(returned.size(), 2u);

    const auto facts = facts_of(request_id);
    ASSERT_EQ(facts.size(), 1u) << "one record per request, however many items";
    EXPECT_EQ(facts.front().event_type, "RecordsSearched");
    EXPECT_EQ(ids_of(facts.front().payload), returned);
    EXPECT_EQ(facts.front().payload.at("query").as_string(), "q=Searchable&limit=50");
    EXPECT_EQ(testing::event_contract_violations(facts.front()), std::vector<std::string>{});
    (void)first;
    (void)second;
}

TEST_P(ReadAuditEndToEnd, RefusalsAreRecordedAsDeniedAndAForeign404LooksLikeAMissingOne) {
    const auto owner = new_tenant("Audit owner", "audit-owner-" + unique_suffix());
    const auto other = new_tenant("Audit other", "audit-other-" + unique_suffix());
    const auto patient = new_patient(owner, "Guarded");
    const auto item = owner + "/patients/" + patient;

    // 401: no token. Filed under the tenant the path names; no user.
    const auto unauthenticated = new_request_id();
    EXPECT_EQ(get(item, unauthenticated, std::nullopt).status, 401);
    auto facts = facts_of(unauthenticated);
    ASSERT_EQ(facts.size(), 1u);
    EXPECT_EQ(facts.front().event_type, "AccessDenied");
    EXPECT_EQ(facts.front().tenant_id.to_string(), id_in(owner));
    EXPECT_FALSE(facts.front().actor.has_value());
    EXPECT_EQ(facts.front().payload.at("status").as_int64(), 401);
    EXPECT_EQ(ids_of(facts.front().payload), std::vector<std::string>{patient});
    EXPECT_EQ(testing::event_contract_violations(facts.front()), std::vector<std::string>{});

    // 403: a member whose role may not read patients.
    const auto finance =
        new_member(owner, "finance", "finance-" + unique_suffix() + "@audit.invalid");
    ASSERT_TRUE(projected(owner, finance.granted));
    const auto forbidden = new_request_id();
    EXPECT_EQ(get(item, forbidden, stack().token_for(*UserId::parse(finance.id))).status, 403);
    facts = facts_of(forbidden);
    ASSERT_EQ(facts.size(), 1u);
    EXPECT_EQ(facts.front().event_type, "AccessDenied");
    EXPECT_EQ(facts.front().actor->to_string(), finance.id);
    EXPECT_EQ(facts.front().payload.at("status").as_int64(), 403);

    // 404 on an id of another tenant: recorded under the owner, naming the
    // tenant asked; the answer is that of an id that exists nowhere.
    const auto intruder = admin_token(other);
    const auto probe = new_request_id();
    const auto foreign = get(other + "/patients/" + patient, probe, intruder);
    const auto missing_request = new_request_id();
    const auto missing_id = Uuid::random_v4().to_string();
    const auto missing = get(other + "/patients/" + missing_id, missing_request, intruder);
    ASSERT_EQ(foreign.status, 404);
    ASSERT_EQ(missing.status, 404);
    auto same_shape = [](const HttpResponse& r) {
        auto body = r.json().as_object();
        body.erase("request_id");
        body.erase("instance");
        std::vector<std::string> names;
        for (const auto& [name, value] : r.headers)
            if (name != "x-request-id" && name != "date" && name != "content-length")
                names.push_back(name + ": " + value);
        return std::pair{boost::json::serialize(body), names};
    };
    EXPECT_EQ(same_shape(foreign), same_shape(missing));
    facts = facts_of(probe);
    ASSERT_EQ(facts.size(), 1u);
    EXPECT_EQ(facts.front().event_type, "AccessDenied");
    EXPECT_EQ(facts.front().tenant_id.to_string(), id_in(owner));
    EXPECT_EQ(facts.front().payload.at("requested_tenant_id").as_string(), id_in(other));
    EXPECT_EQ(ids_of(facts.front().payload), std::vector<std::string>{patient});
    // An id that exists nowhere is recorded too, so that both answers wait
    // for a durable record and their timing tells nothing: in the
    // caller's own tenant, which the auditors of its tenant read.
    facts = facts_of(missing_request);
    ASSERT_EQ(facts.size(), 1u) << "a 404 of a missing id is answered before any record";
    EXPECT_EQ(facts.front().event_type, "AccessDenied");
    EXPECT_EQ(facts.front().tenant_id.to_string(), id_in(other));
    EXPECT_TRUE(facts.front().payload.at("requested_tenant_id").is_null());
    EXPECT_EQ(facts.front().payload.at("reason").as_string(), "not-found");
    EXPECT_EQ(ids_of(facts.front().payload), std::vector<std::string>{missing_id});
    ASSERT_TRUE(access_projected()) << "the projector never reached the end of the access stream";
    {
        pqxx::connection database(stack().database_url);
        const auto rows = pqxx::nontransaction(database).exec_params(
            "SELECT tenant_id::text, action, entity_id::text FROM audit_logs "
            "WHERE details->>'request_id' = $1",
            missing_request);
        ASSERT_EQ(rows.size(), 1u);
        EXPECT_EQ(rows[0][0].as<std::string>(), id_in(other));
        EXPECT_EQ(rows[0][1].as<std::string>(), "denied");
        EXPECT_EQ(rows[0][2].as<std::string>(), missing_id);
    }

    // A tenant that exists nowhere: under the platform, naming the one asked.
    const auto nowhere = Uuid::random_v4().to_string();
    const auto nowhere_request = new_request_id();
    EXPECT_EQ(
        get("/v1/tenants/" + nowhere + "/patients/" + missing_id, nowhere_request, intruder).status,
        404);
    facts = facts_of(nowhere_request);
    ASSERT_EQ(facts.size(), 1u);
    EXPECT_EQ(facts.front().tenant_id, kPlatformTenant);
    EXPECT_EQ(facts.front().payload.at("requested_tenant_id").as_string(), nowhere);

    // 404 of a tenant the caller is no member of.
    const auto outsider = new_request_id();
    EXPECT_EQ(get(owner + "/patients", outsider, intruder).status, 404);
    facts = facts_of(outsider);
    ASSERT_EQ(facts.size(), 1u);
    EXPECT_EQ(facts.front().tenant_id.to_string(), id_in(owner));
}

TEST_P(ReadAuditEndToEnd, AReadWhoseAccessRecordCannotBeWrittenGets503AndNoData) {
    const auto tenant = new_tenant("Audit outage", "audit-outage-" + unique_suffix());
    const auto patient = new_patient(tenant, "Unwritable");
    const auto token = admin_token(tenant);
    const auto target = tenant + "/patients/" + patient;

    // The access stream refuses appends: the query service's INSERT grant is
    // revoked (PostgreSQL), or the brokers refuse produce requests (Kafka).
    pqxx::connection owner(stack().database_url);
    const auto refuse = [&](bool refused) {
        if (GetParam().log == eventlog::Backend::postgres) {
            pqxx::nontransaction(owner).exec(
                refused ? "REVOKE INSERT ON access_log FROM complexcare_query"
                        : "GRANT INSERT ON access_log TO complexcare_query");
        } else {
            stack().cluster->fail_produce_requests(refused ? 1000 : 0);
        }
    };
    refuse(true);
    const auto request_id = new_request_id();
    const auto refused = get(target, request_id, token);
    const auto search = get(tenant + "/patients", new_request_id(), token);
    refuse(false);

    EXPECT_EQ(refused.status, 503);
    EXPECT_EQ(refused.header("content-type"), "application/problem+json");
    EXPECT_EQ(std::string(refused.json().at("type").as_string()),
              "urn:complexcare:problem:access-log-unavailable");
    EXPECT_EQ(refused.body.find("Unwritable"), std::string::npos) << refused.body;
    EXPECT_EQ(refused.body.find("first_name"), std::string::npos) << refused.body;
    EXPECT_EQ(search.status, 503);
    EXPECT_EQ(search.body.find("Unwritable"), std::string::npos) << search.body;
    EXPECT_TRUE(facts_of(request_id).empty());

    // Once the stream takes appends again, so do reads.
    const auto again = get(target, new_request_id(), token);
    EXPECT_EQ(again.status, 200) << again.body;
}

TEST_P(ReadAuditEndToEnd, AccessFactsReachAuditLogsAsViewSearchAndDenied) {
    const auto tenant = new_tenant("Audit rows", "audit-rows-" + unique_suffix());
    const auto patient = new_patient(tenant, "Projected");
    const auto token = admin_token(tenant);
    const auto view = new_request_id();
    const auto search = new_request_id();
    const auto denied = new_request_id();
    ASSERT_EQ(get(tenant + "/patients/" + patient, view, token).status, 200);
    ASSERT_EQ(get(tenant + "/patients?q=Projected", search, token).status, 200);
    ASSERT_EQ(get(tenant + "/patients/" + patient, denied, std::nullopt).status, 401);

    ASSERT_TRUE(access_projected()) << "the projector never reached the end of the access stream";
    pqxx::connection owner(stack().database_url);
    pqxx::nontransaction tx(owner);
    const auto row = [&](const std::string& request_id) {
        return tx.exec_params(
            "SELECT action, entity_type, entity_id::text, user_id::text, ip_address, user_agent, "
            "details->>'path', details->'entity_ids', tenant_id::text FROM audit_logs "
            "WHERE details->>'request_id' = $1",
            request_id);
    };
    const auto viewed = row(view);
    ASSERT_EQ(viewed.size(), 1u);
    EXPECT_EQ(viewed[0][0].as<std::string>(), "view");
    EXPECT_EQ(viewed[0][1].as<std::string>(), "patient");
    EXPECT_EQ(viewed[0][2].as<std::string>(), patient);
    EXPECT_EQ(viewed[0][3].as<std::string>(), stack().tenant_admin(id_in(tenant))->to_string());
    EXPECT_EQ(viewed[0][4].as<std::string>(), "127.0.0.1");
    EXPECT_EQ(viewed[0][5].as<std::string>(), "read-audit-test/1");
    EXPECT_EQ(viewed[0][6].as<std::string>(), tenant + "/patients/" + patient);
    EXPECT_EQ(viewed[0][8].as<std::string>(), id_in(tenant));

    const auto searched = row(search);
    ASSERT_EQ(searched.size(), 1u);
    EXPECT_EQ(searched[0][0].as<std::string>(), "search");
    EXPECT_TRUE(searched[0][2].is_null() || searched[0][2].as<std::string>() == patient);
    EXPECT_NE(searched[0][7].as<std::string>().find(patient), std::string::npos);

    const auto refused = row(denied);
    ASSERT_EQ(refused.size(), 1u);
    EXPECT_EQ(refused[0][0].as<std::string>(), "denied");
    EXPECT_TRUE(refused[0][3].is_null());

    // Reading the trail, whose rows carry patients' values, is audited too.
    const auto trail_request = new_request_id();
    const auto trail = get(tenant + "/audit-logs?limit=100", trail_request, token);
    const auto trail_facts = facts_of(trail_request);
    ASSERT_EQ(trail_facts.size(), 1u);
    EXPECT_EQ(trail_facts.front().event_type, "RecordsSearched");
    EXPECT_EQ(trail_facts.front().payload.at("entity_type").as_string(), "audit_log");
    EXPECT_EQ(ids_of(trail_facts.front().payload), ids(trail));
}

TEST_P(ReadAuditEndToEnd, AnItemsHistoryListsItsVersionsNotWhoViewedIt) {
    const auto tenant = new_tenant("Audit history", "audit-history-" + unique_suffix());
    const auto patient = new_patient(tenant, "Noted");
    const auto carer = id_of(command("POST", tenant + "/care-professionals",
                                     R"({"first_name":"C","last_name":"N","role":"Nurse"})"));
    const auto wrote =
        command("POST", tenant + "/clinical-notes",
                R"({"patient_id":")" + patient + R"(","care_professional_id":")" + carer +
                    R"(","note_date":"2026-01-01T09:00:00Z","content":"Seen"})");
    const auto note = id_of(wrote);
    const auto history = tenant + "/clinical-notes/" + note + "/history";
    ASSERT_TRUE(projected(history, position_of(wrote)));
    const auto token = admin_token(tenant);
    ASSERT_EQ(get(tenant + "/clinical-notes/" + note, new_request_id(), token).status, 200);
    // Its view reaches audit_logs under the note's id before the history is read.
    ASSERT_TRUE(access_projected());
    pqxx::connection owner(stack().database_url);
    EXPECT_GE(pqxx::nontransaction(owner)
                  .exec_params("SELECT count(*) FROM audit_logs WHERE entity_id = $1::uuid "
                               "AND action = 'view'",
                               note)[0][0]
                  .as<int>(),
              1);
    const auto versions = get(history, new_request_id(), token);
    ASSERT_EQ(versions.status, 200) << versions.body;
    EXPECT_EQ(versions.json().at("items").as_array().size(), 1u) << versions.body;
}

CC_E2E_ON_EVERY_LOG(ReadAuditEndToEnd);

}  // namespace
}  // namespace cc::e2e
