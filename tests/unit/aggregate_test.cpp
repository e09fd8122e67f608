// The generic steps every description gets, and the appointment rules, as
// pure functions of (write model, command): no I/O.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "command-service/aggregate/commands.hpp"
#include "command-service/aggregate/rules.hpp"
#include "command-service/identity/identity.hpp"
#include "command-service/write_model.hpp"
#include "model/aggregates/appointments.hpp"
#include "model/aggregates/care.hpp"
#include "tests/support/envelopes.hpp"

namespace cc::aggregate {
namespace {

TEST(Descriptions, EveryRuleTheyNameIsImplemented) {
    for (const auto* a : model::aggregates()) {
        for (auto name : a->rules) EXPECT_NE(find_rule(name), nullptr) << a->name << ": " << name;
        if (!a->delete_rule.empty()) {
            EXPECT_NE(find_rule(a->delete_rule), nullptr) << a->name;
        }
        for (const auto& action : a->actions) {
            for (auto name : action.rules) {
                EXPECT_NE(find_rule(name), nullptr)
                    << a->name << "/" << action.name << ": " << name;
            }
            if (!action.to.empty()) {
                const auto* status = a->field(a->status);
                ASSERT_NE(status, nullptr) << a->name << " has actions but no status field";
                EXPECT_NE(std::find(status->values.begin(), status->values.end(), action.to),
                          status->values.end())
                    << a->name << "/" << action.name << " leads to an unknown state";
            }
        }
        for (const auto& filter : a->filters) {
            EXPECT_NE(model::column_field(*a, filter.field), nullptr)
                << a->name << " filters on unknown field " << filter.field;
        }
        if (!a->sort.empty()) {
            EXPECT_NE(model::column_field(*a, a->sort), nullptr) << a->name;
        }
        if (!a->then_sort.empty()) {
            // Ties of `sort` are ordered by it, and no value may be missing
            // from a keyset's row comparison.
            EXPECT_FALSE(a->sort.empty()) << a->name << " has then_sort without sort";
            const auto* then = model::column_field(*a, a->then_sort);
            ASSERT_NE(then, nullptr) << a->name;
            EXPECT_TRUE(then->required) << a->name << "'s then_sort must be a required field";
            const auto* first = model::column_field(*a, a->sort);
            ASSERT_NE(first, nullptr) << a->name;
            EXPECT_TRUE(first->required) << a->name << "'s sort must be required with then_sort";
        }
    }
}

class AppointmentDeciderTest : public ::testing::Test {
  protected:
    void SetUp() override {
        tenant = TenantId::generate();
        fold(decide(model, identity::create_tenant(
                               tenant, json::Body{boost::json::object{
                                           {"name", "T"}, {"slug", "t-" + tenant.to_string()}}})));
        patient = create(model::kPatient, R"({"first_name":"P","last_name":"Q"})");
        carer = create(model::kCareProfessional,
                       R"({"first_name":"C","last_name":"R","role":"Carer"})");
    }
    void fold(const Result<domain::Decision>& decision) {
        ASSERT_TRUE(decision.ok()) << decision.error().detail;
        testing::fold(model, *decision);
    }
    Target target(const model::Aggregate& a, const Uuid& id) const {
        return Target{&a, tenant, id, UserId::generate(), now};
    }
    std::string create(const model::Aggregate& a, const std::string& body) {
        const auto id = Uuid::random_v4();
        fold(decide(model, Create{target(a, id), *json::parse_body(body)}));
        return id.to_string();
    }
    Result<domain::Decision> book(const std::string& start, const std::string& end,
                                  const Uuid& id = Uuid::random_v4()) {
        return decide(model, Create{target(model::kAppointment, id),
                                    *json::parse_body(R"({"patient_id":")" + patient +
                                                      R"(","care_professional_id":")" + carer +
                                                      R"(","start_time":")" + start +
                                                      R"(","end_time":")" + end + "\"}")});
    }
    Result<domain::Decision> act(const Uuid& id, std::string_view action,
                                 const std::string& body = "{}") {
        return decide(model,
                      Act{target(model::kAppointment, id), model::kAppointment.action(action),
                          std::nullopt, *json::parse_body(body)});
    }

    command::WriteModel model;
    TenantId tenant;
    Timestamp now = *Timestamp::parse("2031-01-01T12:00:00Z");
    std::string patient, carer;
};

TEST_F(AppointmentDeciderTest, ACarerCannotHoldOverlappingVisitsButAdjacentOnesAreFine) {
    auto first = book("2031-02-01T09:00:00Z", "2031-02-01T10:00:00Z");
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(first->events.at(0).payload.at("status"), "scheduled");
    fold(first);
    const auto clash = book("2031-02-01T09:59:59Z", "2031-02-01T11:00:00Z");
    ASSERT_FALSE(clash.ok());
    EXPECT_EQ(clash.error().type, "carer-clash");
    EXPECT_NE(clash.error().detail.find(first->aggregate_id.to_string()), std::string::npos);
    EXPECT_TRUE(book("2031-02-01T10:00:00Z", "2031-02-01T11:00:00Z").ok()) << "[start, end)";
    EXPECT_FALSE(book("2031-02-01T10:00:00+01:00", "2031-02-01T10:30:00+01:00").ok())
        << "09:00Z to 09:30Z overlaps; offsets are compared as instants";

    fold(act(first->aggregate_id, "cancel", R"({"reason":"ill"})"));
    EXPECT_TRUE(book("2031-02-01T09:30:00Z", "2031-02-01T10:30:00Z").ok())
        << "a cancelled visit holds no time";
}

// README: a PATCH naming only kept fields with their current values appends
// nothing; fields the write model does not keep are recorded as sent.
TEST_F(AppointmentDeciderTest, APatchOfUnchangedKeptFieldsAppendsNothing) {
    const auto id = Uuid::random_v4();
    fold(decide(model,
                Create{target(model::kPatient, id),
                       *json::parse_body(
                           R"({"first_name":"A","last_name":"B","nhs_number":"9434765919"})")}));
    const auto same = decide(model, Patch{target(model::kPatient, id), 1,
                                          *json::parse_body(R"({"nhs_number":"943 476 5919"})")});
    ASSERT_TRUE(same.ok());
    EXPECT_TRUE(same->events.empty());
    EXPECT_EQ(same->version, 1);
    const auto unkept = decide(
        model, Patch{target(model::kPatient, id), 1, *json::parse_body(R"({"first_name":"A"})")});
    ASSERT_TRUE(unkept.ok());
    ASSERT_EQ(unkept->events.size(), 1u);
    EXPECT_EQ(unkept->events[0].payload.at("changes").at("first_name").at("new"), "A");
    EXPECT_FALSE(
        unkept->events[0].payload.at("changes").at("first_name").as_object().contains("old"))
        << "schema_version 2: new values only";
}

TEST_F(AppointmentDeciderTest, TimesMustBeOrderedAndAtMostADay) {
    EXPECT_EQ(book("2031-02-01T10:00:00Z", "2031-02-01T10:00:00Z").error().fields.at(0).code,
              "before_start");
    EXPECT_EQ(book("2031-02-01T10:00:00Z", "2031-02-02T10:00:01Z").error().fields.at(0).code,
              "too_long");
    EXPECT_TRUE(book("2031-02-01T10:00:00Z", "2031-02-02T10:00:00Z").ok());
}

TEST_F(AppointmentDeciderTest, StepsFollowTheLifecycle) {
    auto booked = book("2031-02-01T09:00:00Z", "2031-02-01T10:00:00Z");
    fold(booked);
    const auto id = booked->aggregate_id;
    const auto too_early = act(id, "no-show");
    ASSERT_FALSE(too_early.ok());
    EXPECT_EQ(too_early.error().type, "too-early");
    fold(act(id, "start"));
    const auto wrong = act(id, "confirm");
    ASSERT_FALSE(wrong.ok());
    EXPECT_EQ(wrong.error().type, "invalid-transition");
    EXPECT_NE(wrong.error().detail.find("in_progress; allowed now: complete"), std::string::npos)
        << wrong.error().detail;
    auto done = act(id, "complete");
    ASSERT_TRUE(done.ok());
    EXPECT_EQ(done->events.at(0).event_type, "AppointmentCompleted");
    EXPECT_EQ(done->events.at(0).payload.at("status"), "completed");
    EXPECT_EQ(done->version, 3) << "scheduled, started, completed";
}

TEST_F(AppointmentDeciderTest, ReferencesMustBeLiveRowsOfTheTenant) {
    fold(
        decide(model, Delete{target(model::kCareProfessional, *Uuid::parse(carer)), std::nullopt}));
    const auto refused = book("2031-02-01T09:00:00Z", "2031-02-01T10:00:00Z");
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().fields.at(0).field, "care_professional_id");
    EXPECT_EQ(refused.error().fields.at(0).code, "not_found");
}

TEST_F(AppointmentDeciderTest, TimesAndCarerChangeOnlyThroughTheirSteps) {
    auto booked = book("2031-02-01T09:00:00Z", "2031-02-01T10:00:00Z");
    fold(booked);
    const auto patch =
        decide(model, Patch{target(model::kAppointment, booked->aggregate_id), 1,
                            *json::parse_body(R"({"start_time":"2031-02-01T08:00:00Z"})")});
    ASSERT_FALSE(patch.ok());
    EXPECT_EQ(patch.error().fields.at(0).code, "immutable");
    auto moved = act(booked->aggregate_id, "reschedule",
                     R"({"start_time":"2031-02-02T09:00:00Z","end_time":"2031-02-02T10:00:00Z"})");
    ASSERT_TRUE(moved.ok());
    fold(moved);
    EXPECT_TRUE(book("2031-02-01T09:00:00Z", "2031-02-01T10:00:00Z").ok())
        << "the old slot is free once rescheduled";
}

}  // namespace
}  // namespace cc::aggregate
