// Clinical notes, their categories, policies and risk assessments: the
// generic steps with the caller's defaults, history-keeping actions and
// their named rules, as pure functions of (write model, command).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "command-service/aggregate/commands.hpp"
#include "command-service/identity/identity.hpp"
#include "command-service/write_model.hpp"
#include "model/aggregates/care.hpp"
#include "model/aggregates/clinical.hpp"
#include "model/aggregates/compliance.hpp"
#include "query-service/history.hpp"
#include "tests/support/envelopes.hpp"

namespace cc::aggregate {
namespace {

class ClinicalDeciderTest : public ::testing::Test {
  protected:
    void SetUp() override {
        fold(decide(model, identity::create_tenant(
                               tenant, json::Body{boost::json::object{
                                           {"name", "T"}, {"slug", "t-" + tenant.to_string()}}})));
        for (const auto& [user, role] : {std::pair{manager, "manager"},
                                         {clinician, "clinician"},
                                         {colleague, "clinician"},
                                         {carer, "carer"}}) {
            fold(decide(model, identity::register_user(
                                   user, json::Body{boost::json::object{
                                             {"email", user.to_string() + "@example.org"}}})));
            fold(decide(model, identity::put_membership(
                                   tenant, user, MembershipId::generate(), std::nullopt,
                                   json::Body{boost::json::object{{"role", role}}})));
        }
        patient = create(model::kPatient, R"({"first_name":"P","last_name":"Q"})");
        own = create(model::kCareProfessional, R"({"first_name":"C","last_name":"R","role":"Nurse",
                                                 "user_id":")" +
                                                   clinician.to_string() + "\"}");
        other =
            create(model::kCareProfessional, R"({"first_name":"D","last_name":"S","role":"Nurse",
                                                   "user_id":")" +
                                                 colleague.to_string() + "\"}");
    }
    void fold(const Result<domain::Decision>& decision) {
        ASSERT_TRUE(decision.ok()) << decision.error().detail;
        testing::fold(model, *decision);
    }
    Target target(const model::Aggregate& a, const Uuid& id, const UserId& actor) const {
        return Target{&a, tenant, id, actor, now};
    }
    Result<domain::Decision> try_create(const model::Aggregate& a, const std::string& body,
                                        const UserId& actor, const Uuid& id = Uuid::random_v4()) {
        return testing::checked(
            decide(model, Create{target(a, id, actor), *json::parse_body(body)}));
    }
    std::string create(const model::Aggregate& a, const std::string& body) {
        const auto id = Uuid::random_v4();
        fold(try_create(a, body, manager, id));
        return id.to_string();
    }
    Result<domain::Decision> act(const model::Aggregate& a, const Uuid& id, std::string_view action,
                                 const std::string& body, const UserId& actor) {
        return testing::checked(decide(model, Act{target(a, id, actor), a.action(action),
                                                  std::nullopt, *json::parse_body(body)}));
    }
    std::string note(const std::string& extra = "") {
        return R"({"patient_id":")" + patient + R"(","note_date":"2031-01-01T11:00:00Z",)" +
               R"("content":"Settled night")" + extra + "}";
    }

    command::WriteModel model;
    TenantId tenant = TenantId::generate();
    UserId manager = UserId::generate(), clinician = UserId::generate(),
           colleague = UserId::generate(), carer = UserId::generate();
    Timestamp now = *Timestamp::parse("2031-01-01T12:00:00Z");
    std::string patient, own, other;
};

TEST_F(ClinicalDeciderTest, CategoryNamesAreUniqueIgnoringCaseAmongLiveCategories) {
    const auto first = create(model::kClinicalNoteCategory, R"({"name":"Wound care"})");
    auto clash = try_create(model::kClinicalNoteCategory, R"({"name":"WOUND CARE"})", manager);
    ASSERT_FALSE(clash.ok());
    EXPECT_EQ(clash.error().kind, ErrorKind::conflict);
    EXPECT_EQ(clash.error().type, "category-name-taken");
    fold(decide(model, Delete{target(model::kClinicalNoteCategory, *Uuid::parse(first), manager),
                              std::nullopt}));
    EXPECT_TRUE(try_create(model::kClinicalNoteCategory, R"({"name":"wound care"})", manager).ok())
        << "a deleted category's name is free again";
}

TEST_F(ClinicalDeciderTest, ACallerWritesAsTheirOwnCareProfessionalByDefault) {
    auto written = try_create(model::kClinicalNote, note(), clinician);
    ASSERT_TRUE(written.ok()) << written.error().detail;
    EXPECT_EQ(written->events[0].payload.at("care_professional_id"), boost::json::value(own));

    auto unlinked = try_create(model::kClinicalNote, note(), manager);
    ASSERT_FALSE(unlinked.ok()) << "a manager linked to no care professional must name one";
    EXPECT_EQ(unlinked.error().fields.at(0).field, "care_professional_id");
}

TEST_F(ClinicalDeciderTest, CliniciansAndCarersCannotWriteAsSomeoneElseManagersCan) {
    const auto as_other = note(R"(,"care_professional_id":")" + other + "\"");
    for (const auto& user : {clinician, carer}) {
        auto refused = try_create(model::kClinicalNote, as_other, user);
        ASSERT_FALSE(refused.ok());
        EXPECT_EQ(refused.error().kind, ErrorKind::forbidden);
        EXPECT_EQ(refused.error().type, "not-the-author");
    }
    EXPECT_TRUE(try_create(model::kClinicalNote, as_other, manager).ok());
}

TEST_F(ClinicalDeciderTest, NoteDateAtMostFiveMinutesAheadAndCategoryLive) {
    auto ahead = try_create(
        model::kClinicalNote,
        R"({"patient_id":")" + patient + R"(","note_date":"2031-01-01T12:05:01Z","content":"x"})",
        clinician);
    ASSERT_FALSE(ahead.ok());
    EXPECT_EQ(ahead.error().fields.at(0).code, "in_future");
    EXPECT_TRUE(try_create(model::kClinicalNote,
                           R"({"patient_id":")" + patient +
                               R"(","note_date":"2031-01-01T12:05:00Z","content":"x"})",
                           clinician)
                    .ok());

    const auto category = create(model::kClinicalNoteCategory, R"({"name":"Falls"})");
    const auto filed_id = Uuid::random_v4();
    fold(try_create(model::kClinicalNote, note(R"(,"category_id":")" + category + "\""), clinician,
                    filed_id));
    fold(decide(model, Delete{target(model::kClinicalNoteCategory, *Uuid::parse(category), manager),
                              std::nullopt}));
    auto deleted =
        try_create(model::kClinicalNote, note(R"(,"category_id":")" + category + "\""), clinician);
    ASSERT_FALSE(deleted.ok()) << "new notes cannot pick a deleted category";
    EXPECT_EQ(deleted.error().fields.at(0).field, "category_id");
    EXPECT_TRUE(act(model::kClinicalNote, filed_id, "amend",
                    R"({"content":"Fell at 3am","reason":"time added"})", clinician)
                    .ok())
        << "a note filed under a deleted category keeps it and can still be amended";
}

TEST_F(ClinicalDeciderTest, AmendKeepsTheAuthorAndEnteredInErrorRemovesTheNote) {
    const auto id = Uuid::random_v4();
    fold(try_create(model::kClinicalNote, note(), clinician, id));
    auto by_colleague =
        act(model::kClinicalNote, id, "amend", R"({"content":"x","reason":"typo"})", colleague);
    ASSERT_FALSE(by_colleague.ok());
    EXPECT_EQ(by_colleague.error().kind, ErrorKind::forbidden);
    auto no_reason = act(model::kClinicalNote, id, "amend", R"({"content":"x"})", clinician);
    ASSERT_FALSE(no_reason.ok());
    EXPECT_EQ(no_reason.error().fields.at(0).field, "reason");

    auto amended = act(model::kClinicalNote, id, "amend",
                       R"({"content":"Settled night, slept 8h","reason":"detail"})", clinician);
    ASSERT_TRUE(amended.ok());
    EXPECT_EQ(amended->events[0].event_type, "ClinicalNoteAmended");
    fold(amended);
    fold(act(model::kClinicalNote, id, "entered-in-error", R"({"reason":"wrong patient"})",
             manager));
    auto again = act(model::kClinicalNote, id, "amend", R"({"content":"x","reason":"y"})", manager);
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().kind, ErrorKind::not_found) << "a note entered in error takes no steps";
}

TEST_F(ClinicalDeciderTest, RiskLevelsNeedMitigationAndOrderedDates) {
    const std::string base =
        R"({"title":"Lone working","description":"Night visits","assessment_date":"2031-01-01")";
    auto high = try_create(model::kRiskAssessment, base + R"(,"risk_level":"high"})", clinician);
    ASSERT_FALSE(high.ok());
    EXPECT_EQ(high.error().fields.at(0).field, "mitigation_steps");
    auto early =
        try_create(model::kRiskAssessment,
                   base + R"(,"risk_level":"low","next_review_date":"2030-12-31"})", clinician);
    ASSERT_FALSE(early.ok());
    EXPECT_EQ(early.error().fields.at(0).field, "next_review_date");
    auto bad_level =
        try_create(model::kRiskAssessment, base + R"(,"risk_level":"extreme"})", clinician);
    ASSERT_FALSE(bad_level.ok());
    EXPECT_EQ(bad_level.error().fields.at(0).field, "risk_level");

    const auto id = Uuid::random_v4();
    auto ok = try_create(model::kRiskAssessment, base + R"(,"risk_level":"low"})", clinician, id);
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ(ok->events[0].payload.at("conducted_by"), boost::json::value(clinician.to_string()))
        << "conducted_by defaults to the caller";
    fold(ok);
    auto outsider = try_create(
        model::kRiskAssessment,
        base + R"(,"risk_level":"low","conducted_by":")" + UserId::generate().to_string() + "\"}",
        clinician);
    ASSERT_FALSE(outsider.ok());
    EXPECT_EQ(outsider.error().fields.at(0).code, "not_a_member");

    auto raised = act(model::kRiskAssessment, id, "review",
                      R"({"assessment_date":"2031-02-01","risk_level":"very_high",
                          "next_review_date":"2031-03-01"})",
                      manager);
    ASSERT_FALSE(raised.ok()) << "a review to very_high needs mitigation steps";
    auto reviewed = act(model::kRiskAssessment, id, "review",
                        R"({"assessment_date":"2031-02-01","risk_level":"very_high",
                            "next_review_date":"2031-03-01","mitigation_steps":"Pairs only"})",
                        manager);
    ASSERT_TRUE(reviewed.ok()) << reviewed.error().detail;
    EXPECT_EQ(reviewed->events[0].payload.at("conducted_by"),
              boost::json::value(manager.to_string()));
    fold(reviewed);
    auto patch = testing::checked(
        decide(model, Patch{target(model::kRiskAssessment, id, manager), std::nullopt,
                            *json::parse_body(R"({"mitigation_steps":null})")}));
    ASSERT_FALSE(patch.ok()) << "the kept level still needs mitigation";
}

TEST_F(ClinicalDeciderTest, APolicysContentChangesOnlyWithANewVersion) {
    const auto id = Uuid::random_v4();
    auto published = try_create(model::kPolicy,
                                R"({"title":"Safeguarding","content":"v1","policy_version":"1.0",
                                    "effective_date":"2031-01-01"})",
                                manager, id);
    ASSERT_TRUE(published.ok()) << published.error().detail;
    EXPECT_EQ(published->events[0].payload.at("policy_version"), "1.0")
        << "events carry the API name, not the column";
    fold(published);
    const auto patch = [&](const std::string& body) {
        return testing::checked(decide(model, Patch{target(model::kPolicy, id, manager),
                                                    std::nullopt, *json::parse_body(body)}));
    };
    auto same = patch(R"({"content":"v2"})");
    ASSERT_FALSE(same.ok());
    EXPECT_EQ(same.error().kind, ErrorKind::invalid);
    EXPECT_EQ(same.error().fields.at(0).field, "policy_version");
    EXPECT_EQ(same.error().fields.at(0).code, "unchanged");
    EXPECT_FALSE(patch(R"({"content":"v2","policy_version":"1.0"})").ok());
    EXPECT_TRUE(patch(R"({"effective_date":"2031-02-01"})").ok()) << "no content, no new version";
    fold(patch(R"({"content":"v2","policy_version":"2.0","effective_date":"2031-06-01"})"));

    auto clash = try_create(model::kPolicy,
                            R"({"title":"Safeguarding","content":"x","policy_version":"2.0",
                                "effective_date":"2031-01-01"})",
                            manager);
    ASSERT_FALSE(clash.ok());
    EXPECT_EQ(clash.error().type, "policy-version-exists");
    EXPECT_TRUE(try_create(model::kPolicy,
                           R"({"title":"Safeguarding","content":"x","policy_version":"1.0",
                               "effective_date":"2031-01-01"})",
                           manager)
                    .ok())
        << "1.0 was revised to 2.0: the label is free again";
}

// The history a query answers: each version as the event left it.
TEST(History, FoldsTheAuditTrailIntoVersions) {
    const std::vector<query::AuditRow> rows{
        {"u1", "2031-01-01T11:00:00Z",
         R"({"event_type":"ClinicalNoteWritten","aggregate_version":1,
             "changes":{"content":{"old":null,"new":"a"},"note_date":{"old":null,"new":"t"}}})"},
        {"u2", "2031-01-01T12:00:00Z",
         R"({"event_type":"ClinicalNoteAmended","aggregate_version":2,
             "changes":{"content":{"old":"a","new":"b"},"reason":{"old":null,"new":"typo"}}})"},
        {std::nullopt, "2031-01-01T13:00:00Z",
         R"({"event_type":"ClinicalNoteEnteredInError","aggregate_version":3,
             "changes":{"reason":{"new":"wrong patient"},"deleted_at":{"new":"x"}}})"},
    };
    auto body = query::history_body(model::kClinicalNote, rows);
    ASSERT_TRUE(body.ok());
    const auto items = boost::json::parse(*body).at("items").as_array();
    ASSERT_EQ(items.size(), 3u);
    EXPECT_EQ(items[0].at("step"), "create");
    EXPECT_EQ(items[0].at("values").at("content"), "a");
    EXPECT_TRUE(items[0].at("reason").is_null());
    EXPECT_EQ(items[1].at("step"), "amend");
    EXPECT_EQ(items[1].at("recorded_by"), "u2");
    EXPECT_EQ(items[1].at("reason"), "typo");
    EXPECT_EQ(items[1].at("values").at("content"), "b");
    EXPECT_EQ(items[1].at("values").at("note_date"), "t") << "unchanged fields carry on";
    EXPECT_EQ(items[2].at("step"), "entered-in-error");
    EXPECT_EQ(items[2].at("version"), 3);
    EXPECT_FALSE(items[2].at("values").as_object().contains("deleted_at"));
}

}  // namespace
}  // namespace cc::aggregate
