// Projection generations over real HTTP (DESIGN.md, "Read side"):
//  - `complexcare replay --as-of <position> --name N` materialises the state
//    just after that command's event; `?as_of=N` (or CC-As-Of) serves it,
//    byte for byte what the query service answered at that position, to the
//    tenant's admins and auditors, 403 to any other role, 404 for a name
//    that does not exist; current reads go on unchanged; its audit trail
//    holds the reads recorded up to the cut (the access stream is cut too);
//  - `complexcare rebuild` while the stack runs: the query service follows
//    the rebuilt generation without a restart, and the projector goes on in
//    it (a write after the switch is read, which the frozen old generation
//    could not serve).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "tests/support/backend_test.hpp"
#include "tests/support/openapi.hpp"
#include "tests/support/postgres_server.hpp"

namespace cc::e2e {
namespace {

using testing::HttpResponse;
constexpr const char* kCliOutput = "/tmp/cc-e2e-generations-cli.log";

class GenerationsEndToEnd : public testing::BackendTest {
  protected:
    int complexcare(const std::vector<std::string>& args) {
        auto env = stack().env;
        env["CC_DATABASE_URL"] = stack().database_url;  // the owner: it creates schemas
        env["CC_MIGRATIONS_DIR"] = testing::migrations_dir();
        testing::Process cli(testing::binary("cli/complexcare"), env, kCliOutput, args);
        return cli.wait();
    }
    // A generation name of this test's own ([a-z0-9_]).
    std::string unique_name(const std::string& prefix) {
        auto name = prefix + "_" + unique_suffix();
        std::replace(name.begin(), name.end(), '-', '_');
        return name;
    }
    HttpResponse read_as(const Member& who, const std::string& target,
                         std::map<std::string, std::string> headers = {}) {
        headers.emplace("Authorization", "Bearer " + stack().token_for(*UserId::parse(who.id)));
        return testing::http_request(stack().query_port, "GET", target, "", headers);
    }
};

TEST_P(GenerationsEndToEnd, AnAsOfGenerationServesThePastStateToAuditorsAndAdminsOnly) {
    const auto tenant = new_tenant("As of", "as-of-" + unique_suffix());
    const auto auditor = new_member(tenant, "auditor", "auditor-" + unique_suffix() + "@ex.org");
    const auto carer = new_member(tenant, "carer", "carer-" + unique_suffix() + "@ex.org");
    const auto admitted =
        command("POST", tenant + "/patients", R"({"first_name":"Ada","last_name":"Before"})");
    const auto patient = tenant + "/patients/" + id_of(admitted);
    const auto at = position_of(admitted);
    // What the query service answered at that position: the state to find again.
    const auto item_then = query(patient + "?min_position=" + at);
    ASSERT_EQ(item_then.status, 200) << item_then.body;
    const auto list_then = query(tenant + "/patients?min_position=" + at);
    ASSERT_EQ(list_then.status, 200) << list_then.body;

    // Later: the record changes and another arrives.
    const auto changed =
        command("PATCH", patient, R"({"last_name":"After"})", {{"If-Match", "\"1\""}});
    ASSERT_EQ(changed.status, 200) << changed.body;
    const auto later =
        command("POST", tenant + "/patients", R"({"first_name":"Bea","last_name":"Later"})");
    ASSERT_EQ(later.status, 201) << later.body;
    ASSERT_TRUE(projected(tenant + "/patients", position_of(later)));

    const auto name = unique_name("inspection");
    ASSERT_EQ(complexcare({"replay", "--as-of", at, "--name", name, "--plain", "true"}), 0)
        << "see " << kCliOutput;

    const auto item_as_of = query(patient + "?as_of=" + name);
    ASSERT_EQ(item_as_of.status, 200) << item_as_of.body;
    EXPECT_EQ(item_as_of.body, item_then.body) << "the state at that position, as served then";
    EXPECT_EQ(item_as_of.header("etag"), item_then.header("etag"));
    EXPECT_EQ(item_as_of.header("cc-as-of"), name);
    EXPECT_EQ(testing::expect_matches_openapi("query-service", "GET",
                                              "/v1/tenants/{tenant_id}/patients/{patient_id}",
                                              item_as_of.status, item_as_of.json()),
              testing::OpenApiCheck::checked);
    const auto list_as_of = query(tenant + "/patients?as_of=" + name);
    ASSERT_EQ(list_as_of.status, 200) << list_as_of.body;
    EXPECT_EQ(list_as_of.body, list_then.body) << "the later patient is not there yet";

    const auto by_auditor = read_as(auditor, patient, {{"CC-As-Of", name}});
    ASSERT_EQ(by_auditor.status, 200) << by_auditor.body;
    EXPECT_EQ(by_auditor.body, item_then.body);

    // Current reads are unchanged.
    const auto now = query(patient + "?min_position=" + position_of(changed));
    ASSERT_EQ(now.status, 200);
    EXPECT_EQ(now.json().at("last_name").as_string(), "After");

    // A role that reads patients today still may not read the past.
    ASSERT_EQ(read_as(carer, patient).status, 200);
    const auto refused = read_as(carer, patient + "?as_of=" + name);
    EXPECT_EQ(refused.status, 403) << refused.body;
    EXPECT_EQ(refused.json().at("type").as_string(), "urn:complexcare:problem:as-of-forbidden");
    EXPECT_EQ(read_as(carer, patient + "?as_of=no_such_name").status, 403)
        << "refused before the name is looked up: names do not leak";

    const auto unknown = query(patient + "?as_of=no_such_name");
    EXPECT_EQ(unknown.status, 404) << unknown.body;
    EXPECT_EQ(unknown.json().at("type").as_string(), "urn:complexcare:problem:as-of-unknown");
    const auto both = query(patient + "?as_of=" + name + "&min_position=" + at);
    EXPECT_EQ(both.status, 400) << both.body;
}

// The access stream is cut with the state: an auditor reading the trail
// as of a moment sees who had read what by then, and nothing read later.
TEST_P(GenerationsEndToEnd, AnAsOfGenerationHoldsTheReadsRecordedUpToItsCut) {
    const auto tenant = new_tenant("As of reads", "as-of-reads-" + unique_suffix());
    const auto registered =
        command("POST", tenant + "/patients", R"({"first_name":"Eve","last_name":"Read"})");
    const auto patient = id_of(registered);
    ASSERT_TRUE(projected(tenant + "/patients/" + patient, position_of(registered)));
    // The answer is sent once its access record is durable: a view recorded
    // before the next command's event occurred, and one after it.
    const auto view = [&](const std::string& request_id) {
        return query(tenant + "/patients/" + patient, {{"X-Request-Id", request_id}}).status;
    };
    const auto before = "as-of-before-" + unique_suffix();
    ASSERT_EQ(view(before), 200);
    const auto cut =
        command("POST", tenant + "/patients", R"({"first_name":"Flo","last_name":"Cut"})");
    ASSERT_EQ(cut.status, 201) << cut.body;
    const auto after = "as-of-after-" + unique_suffix();
    ASSERT_EQ(view(after), 200);

    const auto name = unique_name("reads");
    ASSERT_EQ(
        complexcare({"replay", "--as-of", position_of(cut), "--name", name, "--plain", "true"}), 0)
        << "see " << kCliOutput;

    const auto viewed_by = [&](const std::string& as_of) {
        std::set<std::string> request_ids;
        const auto trail = query(tenant + "/audit-logs?action=view&entity_id=" + patient +
                                 (as_of.empty() ? "" : "&as_of=" + as_of));
        EXPECT_EQ(trail.status, 200) << trail.body;
        if (trail.status != 200) return request_ids;
        const auto body = trail.json();
        for (const auto& row : body.at("items").as_array()) {
            const auto& details = row.at("details").as_object();
            if (const auto* id = details.if_contains("request_id"))
                request_ids.emplace(id->as_string());
        }
        return request_ids;
    };
    // Ready means both streams reached the cut: no waiting here.
    const auto then = viewed_by(name);
    EXPECT_EQ(then.count(before), 1u) << "a read recorded before the cut";
    EXPECT_EQ(then.count(after), 0u) << "a read recorded after the cut";
    // The later view is real: the current trail has it, once projected.
    EXPECT_TRUE(testing::eventually([&] { return viewed_by("").count(after) == 1; }));
}

TEST_P(GenerationsEndToEnd, ReadersFollowARebuildWithoutARestart) {
    const auto tenant = new_tenant("Rebuilt", "rebuilt-" + unique_suffix());
    const auto before =
        command("POST", tenant + "/patients", R"({"first_name":"Cy","last_name":"Before"})");
    ASSERT_TRUE(projected(tenant + "/patients", position_of(before)));

    ASSERT_EQ(complexcare({"rebuild", "--name", unique_name("rebuild"), "--plain", "true"}), 0)
        << "see " << kCliOutput;

    // The old generation no longer moves: this write is read from the new one.
    const auto after =
        command("POST", tenant + "/patients", R"({"first_name":"Di","last_name":"After"})");
    const auto read =
        query(tenant + "/patients/" + id_of(after) + "?min_position=" + position_of(after));
    ASSERT_EQ(read.status, 200) << read.body;
    EXPECT_EQ(read.json().at("last_name").as_string(), "After");
    const auto old = query(tenant + "/patients/" + id_of(before));
    ASSERT_EQ(old.status, 200) << old.body;
    EXPECT_EQ(old.json().at("last_name").as_string(), "Before");
}

CC_E2E_ON_EVERY_LOG(GenerationsEndToEnd);

}  // namespace
}  // namespace cc::e2e
