// The clinical record and compliance over HTTP: notes written as the
// caller's own care professional, amended and entered in error with their
// history kept; categories; risk assessments reviewed.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>

#include "tests/support/backend_test.hpp"
#include "tests/support/openapi.hpp"

namespace cc::e2e {
namespace {

using testing::HttpResponse;

class ClinicalEndToEnd : public testing::BackendTest {
  protected:
    void SetUp() override {
        suffix = unique_suffix();
        tenant = new_tenant("Clinic", "clinic-" + suffix);
        // A member manager, not the platform operator: only members are
        // authors or assessors, and only a member's role lets them write for others.
        manager = member("manager");
        clinician = member("clinician");
        carer = member("carer");
        patient =
            id_of(command("POST", tenant + "/patients", R"({"first_name":"Ada","last_name":"L"})"));
        own = id_of(command(
            "POST", tenant + "/care-professionals",
            R"({"first_name":"C","last_name":"N","role":"Nurse","user_id":")" + clinician + "\"}"));
        colleague = id_of(command("POST", tenant + "/care-professionals",
                                  R"({"first_name":"D","last_name":"M","role":"Carer"})"));
    }
    std::string member(const std::string& role) {
        const auto made = new_member(tenant, role, role + "-" + suffix + "@clinic.example.org");
        // The query service knows members from its projections.
        if (!made.granted.empty()) granted_at = made.granted;
        return made.id;
    }
    std::string bearer(const std::string& user) {
        return "Bearer " + stack().token_for(UserId(*Uuid::parse(user)));
    }
    HttpResponse command_as(const std::string& user, const std::string& method,
                            const std::string& target, const std::string& body = "") {
        return testing::http_request(stack().command_port, method, target, body,
                                     {{"Authorization", bearer(user)}});
    }
    HttpResponse query_as(const std::string& user, const std::string& target) {
        return testing::http_request(stack().query_port, "GET", target, "",
                                     {{"Authorization", bearer(user)}});
    }
    std::string note(const std::string& date, const std::string& extra = "") {
        return R"({"patient_id":")" + patient + R"(","note_date":")" + date +
               R"(","content":"Observed at )" + date + "\"" + extra + "}";
    }

    std::string granted_at;  // the position of the latest membership granted
    std::string suffix, tenant, manager, clinician, carer, patient, own, colleague;
};

TEST_P(ClinicalEndToEnd, NotesAreWrittenAsTheAuthorAmendedAndEnteredInErrorWithTheirHistory) {
    const auto category =
        id_of(command("POST", tenant + "/clinical-note-categories", R"({"name":"Wound care"})"));
    EXPECT_EQ(
        command("POST", tenant + "/clinical-note-categories", R"({"name":"wound CARE"})").status,
        409);
    EXPECT_EQ(
        command_as(clinician, "POST", tenant + "/clinical-note-categories", R"({"name":"Mine"})")
            .status,
        403)
        << "categories are kept by admins and managers";

    // The clinician writes as their own care professional, without naming it.
    const auto wrote =
        command_as(clinician, "POST", tenant + "/clinical-notes",
                   note("2026-01-01T09:00:00Z", R"(,"category_id":")" + category + "\""));
    const auto older = id_of(wrote);
    const auto as_other =
        note("2026-01-02T09:00:00Z", R"(,"care_professional_id":")" + colleague + "\"");
    const auto refused = command_as(clinician, "POST", tenant + "/clinical-notes", as_other);
    EXPECT_EQ(refused.status, 403) << refused.body;
    EXPECT_EQ(command_as(carer, "POST", tenant + "/clinical-notes", as_other).status, 403);
    const auto dictated = command_as(manager, "POST", tenant + "/clinical-notes", as_other);
    const auto newer = id_of(dictated);
    EXPECT_EQ(command("POST", tenant + "/clinical-notes", note("2099-01-01T00:00:00Z")).status, 422)
        << "not more than 5 minutes ahead";
    EXPECT_EQ(command("PATCH", tenant + "/clinical-notes/" + older, R"({"content":"x"})",
                      {{"If-Match", "\"1\""}})
                  .status,
              404)
        << "a note is never changed in place: its item has no PATCH (nor DELETE)";

    const auto written =
        query(tenant + "/clinical-notes/" + older + "?min_position=" + position_of(wrote));
    ASSERT_EQ(written.status, 200) << written.body;
    EXPECT_EQ(written.json().at("care_professional_id").as_string(), own);
    // The audit row names who entered the dictated note: the manager, not the author.
    const auto audit =
        query(tenant + "/audit-logs?entity_id=" + newer + "&min_position=" + position_of(dictated));
    ASSERT_EQ(audit.status, 200);
    EXPECT_EQ(audit.json().at("items").as_array().at(0).at("user_id").as_string(), manager);

    // Newest first, and by patient, author, category and date range.
    const auto list = query(tenant + "/clinical-notes");
    EXPECT_EQ(ids(list), (std::vector<std::string>{newer, older}));
    EXPECT_EQ(testing::expect_matches_openapi("query-service", "GET",
                                              "/v1/tenants/{tenant_id}/clinical-notes", list.status,
                                              list.json()),
              testing::OpenApiCheck::checked);
    EXPECT_EQ(ids(query(tenant + "/clinical-notes?care_professional_id=" + own)),
              std::vector<std::string>{older});
    EXPECT_EQ(ids(query(tenant + "/clinical-notes?category_id=" + category)),
              std::vector<std::string>{older});
    EXPECT_EQ(ids(query(tenant + "/clinical-notes?from=2026-01-02T00:00:00Z")),
              std::vector<std::string>{newer});
    EXPECT_EQ(ids(query(tenant + "/clinical-notes?to=2026-01-02T00:00:00Z")),
              std::vector<std::string>{older});
    EXPECT_EQ(ids(query(tenant + "/patients/" + patient + "/clinical-notes?limit=1")).size(), 1u);
    const auto finance = member("finance");
    EXPECT_EQ(query_as(finance, tenant + "/clinical-notes?min_position=" + granted_at).status, 403);

    // A deleted category stays on its notes; new notes cannot pick it.
    EXPECT_EQ(command("DELETE", tenant + "/clinical-note-categories/" + category).status, 200);
    EXPECT_EQ(command("POST", tenant + "/clinical-notes",
                      note("2026-01-03T09:00:00Z", R"(,"category_id":")" + category + "\""))
                  .status,
              422);

    // Amend: the latest shows, the history keeps every version.
    const std::string item = tenant + "/clinical-notes/" + older;
    EXPECT_EQ(command_as(clinician, "POST", item + "/amend", R"({"content":"x"})").status, 422)
        << "an amendment needs a reason";
    EXPECT_EQ(command_as(carer, "POST", item + "/amend", R"({"content":"x","reason":"y"})").status,
              403)
        << "a carer amends only their own notes";
    const auto amended = command_as(clinician, "POST", item + "/amend",
                                    R"({"content":"Dressing changed","reason":"more detail"})");
    ASSERT_EQ(amended.status, 200) << amended.body;
    const auto latest = query(item + "?min_position=" + position_of(amended));
    EXPECT_EQ(latest.json().at("content").as_string(), "Dressing changed");
    EXPECT_EQ(latest.json().at("category_id").as_string(), category);

    EXPECT_EQ(command_as(clinician, "POST", item + "/entered-in-error", "{}").status, 422);
    const auto withdrawn =
        command_as(clinician, "POST", item + "/entered-in-error", R"({"reason":"wrong patient"})");
    ASSERT_EQ(withdrawn.status, 200) << withdrawn.body;
    const auto gone = query(tenant + "/clinical-notes?min_position=" + position_of(withdrawn));
    EXPECT_EQ(ids(gone), std::vector<std::string>{newer});
    EXPECT_EQ(query(item).status, 404);
    EXPECT_EQ(command("POST", item + "/amend", R"({"content":"x","reason":"y"})").status, 404);

    const auto history = query(item + "/history");
    ASSERT_EQ(history.status, 200) << history.body;
    EXPECT_EQ(testing::expect_matches_openapi(
                  "query-service", "GET",
                  "/v1/tenants/{tenant_id}/clinical-notes/{clinical_note_id}/history",
                  history.status, history.json()),
              testing::OpenApiCheck::checked);
    const auto history_json = history.json();
    const auto& versions = history_json.at("items").as_array();
    ASSERT_EQ(versions.size(), 3u);
    EXPECT_EQ(versions[0].at("step").as_string(), "create");
    EXPECT_EQ(versions[0].at("values").at("content").as_string(),
              "Observed at 2026-01-01T09:00:00Z");
    EXPECT_EQ(versions[1].at("step").as_string(), "amend");
    EXPECT_EQ(versions[1].at("reason").as_string(), "more detail");
    EXPECT_EQ(versions[1].at("recorded_by").as_string(), clinician);
    EXPECT_EQ(versions[1].at("values").at("care_professional_id").as_string(), own);
    EXPECT_EQ(versions[2].at("step").as_string(), "entered-in-error");
    EXPECT_EQ(versions[2].at("reason").as_string(), "wrong patient");
    EXPECT_EQ(query(tenant + "/clinical-notes/" + patient + "/history").status, 404);
}

TEST_P(ClinicalEndToEnd, RiskAssessmentsNeedMitigationAreReviewedAndFilteredWhenOverdue) {
    const std::string base = R"({"title":"Lone working","description":"Night visits",)";
    EXPECT_EQ(command("POST", tenant + "/risk-assessments",
                      base + R"("risk_level":"high","assessment_date":"2026-01-01"})")
                  .status,
              422);
    EXPECT_EQ(command("POST", tenant + "/risk-assessments",
                      base + R"("risk_level":"low","assessment_date":"2026-01-02",)"
                             R"("next_review_date":"2026-01-01"})")
                  .status,
              422);
    const auto overdue = id_of(command_as(clinician, "POST", tenant + "/risk-assessments",
                                          base + R"("risk_level":"medium",)"
                                                 R"("assessment_date":"2020-01-01",)"
                                                 R"("next_review_date":"2020-06-01"})"));
    const auto made = command_as(manager, "POST", tenant + "/risk-assessments",
                                 base + R"("risk_level":"very_high","mitigation_steps":"Pairs",)"
                                        R"("assessment_date":"2026-01-01",)"
                                        R"("next_review_date":"2099-01-01"})");
    const auto current = id_of(made);
    const auto read =
        query(tenant + "/risk-assessments/" + overdue + "?min_position=" + position_of(made));
    ASSERT_EQ(read.status, 200);
    EXPECT_EQ(read.json().at("conducted_by").as_string(), clinician) << "defaults to the caller";
    EXPECT_EQ(ids(query(tenant + "/risk-assessments?review_overdue=true")),
              std::vector<std::string>{overdue});
    EXPECT_EQ(ids(query(tenant + "/risk-assessments?risk_level=very_high")),
              std::vector<std::string>{current});
    const auto finance = member("finance");
    EXPECT_EQ(query_as(finance, tenant + "/risk-assessments?min_position=" + granted_at).status,
              403);

    const std::string item = tenant + "/risk-assessments/" + overdue;
    EXPECT_EQ(command_as(carer, "POST", item + "/review", "{}").status, 403);
    const auto reviewed = command_as(manager, "POST", item + "/review",
                                     R"({"assessment_date":"2026-02-01","risk_level":"low",)"
                                     R"("next_review_date":"2099-02-01"})");
    ASSERT_EQ(reviewed.status, 200) << reviewed.body;
    EXPECT_TRUE(ids(query(tenant + "/risk-assessments?review_overdue=true&min_position=" +
                          position_of(reviewed)))
                    .empty());
    const auto history = query(item + "/history");
    ASSERT_EQ(history.status, 200) << history.body;
    const auto history_json = history.json();
    const auto& versions = history_json.at("items").as_array();
    ASSERT_EQ(versions.size(), 2u);
    EXPECT_EQ(versions[0].at("values").at("risk_level").as_string(), "medium");
    EXPECT_EQ(versions[1].at("values").at("risk_level").as_string(), "low");
    EXPECT_EQ(versions[1].at("values").at("conducted_by").as_string(), manager);
}

CC_E2E_ON_EVERY_LOG(ClinicalEndToEnd);

}  // namespace
}  // namespace cc::e2e
