#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <source_location>

#include "command-service/aggregate/commands.hpp"
#include "command-service/identity/identity.hpp"
#include "command-service/write_model.hpp"
#include "model/aggregates/care.hpp"
#include "model/formats.hpp"
#include "tests/support/decider_test.hpp"

namespace cc::aggregate {
namespace {

using boost::json::parse;

TEST(NhsNumber, ModulusElevenVectors) {
    EXPECT_TRUE(model::is_nhs_number("9434765919"));
    EXPECT_EQ(model::without_spaces("943 476 5919"), "9434765919");
    EXPECT_TRUE(model::is_nhs_number("4010232137"));
    EXPECT_FALSE(model::is_nhs_number("9434765918")) << "wrong check digit";
    EXPECT_FALSE(model::is_nhs_number("943476591")) << "nine digits";
    EXPECT_FALSE(model::is_nhs_number("94347659190")) << "eleven digits";
    EXPECT_FALSE(model::is_nhs_number("94347659a9")) << "a letter";
    EXPECT_FALSE(model::is_nhs_number("1111111111"))
        << "all the same digit, even with a valid check";
    EXPECT_FALSE(model::is_nhs_number("0000000000"));
    // 0,0,0,0,0,0,0,0,6 weighs 6*2 = 12; 11 - (12 mod 11) = 10, which no digit can match.
    EXPECT_FALSE(model::is_nhs_number("0000000060")) << "check value 10 is never valid";
}

TEST(Formats, UkPhoneAndDates) {
    EXPECT_TRUE(model::is_uk_phone("020 7946 0958"));
    EXPECT_TRUE(model::is_uk_phone("+44 7700 900123"));
    EXPECT_TRUE(model::is_uk_phone("(01632) 960 001"));
    EXPECT_FALSE(model::is_uk_phone("+1 202 555 0100"));
    EXPECT_FALSE(model::is_uk_phone("12345"));
    EXPECT_FALSE(model::is_uk_phone("020-7946-095x"));
    EXPECT_TRUE(model::is_iso_date("2024-02-29"));
    EXPECT_FALSE(model::is_iso_date("2023-02-29"));
    EXPECT_FALSE(model::is_iso_date("2023-13-01"));
    EXPECT_FALSE(model::is_iso_date("23-01-01"));
}

class CareDeciderTest : public testing::DeciderTest {
  protected:
    static Target target(const model::Aggregate& a, const TenantId& t, const Uuid& id) {
        return Target{&a, t, id, UserId::generate(), *Timestamp::parse("2026-11-24T12:00:00Z")};
    }
    Result<domain::Decision> register_patient(
        const TenantId& t, const std::string& text,
        std::source_location where = std::source_location::current()) {
        return testing::checked(
            decide(model, Create{target(model::kPatient, t, Uuid::random_v4()), body(text)}),
            where);
    }
    Result<domain::Decision> create_care_professional(
        const TenantId& t, const std::string& text,
        std::source_location where = std::source_location::current()) {
        return testing::checked(
            decide(model,
                   Create{target(model::kCareProfessional, t, Uuid::random_v4()), body(text)}),
            where);
    }
};

TEST_F(CareDeciderTest, NhsNumberIsNormalisedAndUniquePerTenantAmongLivePatients) {
    const auto a = tenant();
    const auto b = tenant();
    auto first = register_patient(
        a, R"({"first_name":"Ada","last_name":"Lovelace","nhs_number":"943 476 5919"})");
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(first->events[0].payload.at("nhs_number"), "9434765919");
    fold(first);

    auto clash =
        register_patient(a, R"({"first_name":"X","last_name":"Y","nhs_number":"9434765919"})");
    ASSERT_FALSE(clash.ok());
    EXPECT_EQ(clash.error().kind, ErrorKind::conflict);
    EXPECT_EQ(clash.error().fields.at(0).field, "nhs_number");
    EXPECT_TRUE(
        register_patient(b, R"({"first_name":"X","last_name":"Y","nhs_number":"9434765919"})").ok())
        << "another tenant may hold the same number";

    fold(decide(model, Delete{target(model::kPatient, a, first->aggregate_id), std::nullopt}));
    EXPECT_TRUE(
        register_patient(a, R"({"first_name":"X","last_name":"Y","nhs_number":"9434765919"})").ok())
        << "a deleted patient's number is free again";
}

TEST_F(CareDeciderTest, RefusesFutureBirthBadFieldsAndOtherTenantsRecords) {
    const auto a = tenant();
    auto future =
        register_patient(a, R"({"first_name":"A","last_name":"B","date_of_birth":"2030-01-01"})");
    ASSERT_FALSE(future.ok());
    EXPECT_EQ(future.error().fields.at(0).code, "in_future");
    auto bad = register_patient(
        a,
        R"({"first_name":"A","last_name":"B","nhs_number":"1234567890","phone":"nope","email":"x"})");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().fields.size(), 3u);

    auto ok = register_patient(a, R"({"first_name":"A","last_name":"B"})");
    fold(ok);
    const auto other = tenant();
    EXPECT_EQ(decide(model, Patch{target(model::kPatient, other, ok->aggregate_id), 1,
                                  body(R"({"first_name":"Z"})")})
                  .error()
                  .kind,
              ErrorKind::not_found)
        << "another tenant's patient looks missing";
    EXPECT_EQ(decide(model, Patch{target(model::kPatient, a, ok->aggregate_id), 3,
                                  body(R"({"first_name":"Z"})")})
                  .error()
                  .kind,
              ErrorKind::version_mismatch);
}

TEST_F(CareDeciderTest, CareProfessionalUserMustBeAMemberOfTheTenant) {
    const auto a = tenant();
    const auto user = UserId::generate();
    fold(decide(model, identity::register_user(
                           user, {parse(R"({"email":"cp@example.org"})").as_object()})));
    const std::string with_user =
        R"({"first_name":"C","last_name":"P","role":"Nurse","user_id":")" + user.to_string() +
        "\"}";
    auto refused = create_care_professional(a, with_user);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().fields.at(0).code, "not_a_member");
    fold(decide(model, identity::put_membership(a, user, MembershipId::generate(), std::nullopt,
                                                {parse(R"({"role":"clinician"})").as_object()})));
    EXPECT_TRUE(create_care_professional(a, with_user).ok());
    auto no_role = create_care_professional(a, R"({"first_name":"C","last_name":"P"})");
    ASSERT_FALSE(no_role.ok());
    EXPECT_EQ(no_role.error().fields.at(0).field, "role");
}

}  // namespace
}  // namespace cc::aggregate
