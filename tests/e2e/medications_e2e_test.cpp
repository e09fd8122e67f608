// Medications over HTTP: no double entry of a current medicine, a stop that
// defaults to today, and current/past lists per patient.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>

#include "platform/core/time.hpp"
#include "tests/support/backend_test.hpp"
#include "tests/support/openapi.hpp"

namespace cc::e2e {
namespace {

using testing::HttpResponse;

class MedicationsEndToEnd : public testing::BackendTest {
  protected:
    void SetUp() override {
        static std::atomic<int> n{0};
        const auto slug = "meds-" + std::to_string(::getpid()) + "-" + std::to_string(++n) + "-" +
                          testing::backend_name(GetParam());
        tenant = "/v1/tenants/" +
                 id_of(command("POST", "/v1/tenants", R"({"name":"Meds","slug":")" + slug + "\"}"));
        patient = id_of(
            command("POST", tenant + "/patients", R"({"first_name":"Pat","last_name":"Med"})"));
        other_patient = id_of(
            command("POST", tenant + "/patients", R"({"first_name":"Oth","last_name":"Er"})"));
    }
    HttpResponse record(const std::string& who, const std::string& name) {
        return command(
            "POST", tenant + "/medications",
            R"({"patient_id":")" + who + R"(","name":")" + name +
                R"(","dosage":"500 mg","frequency":"twice daily","start_date":"2026-01-01"})");
    }
    std::string tenant, patient, other_patient;
};

TEST_P(MedicationsEndToEnd, NoDoubleEntryDiscontinueDefaultsToTodayAndCurrentOrPastLists) {
    const auto first = id_of(record(patient, "Metformin"));
    const auto twice = record(patient, "METFORMIN");
    ASSERT_EQ(twice.status, 409) << twice.body;
    EXPECT_TRUE(twice.json().at("type").as_string().ends_with("duplicate-medication"));
    EXPECT_EQ(record(other_patient, "Metformin").status, 201) << "another patient's list";
    EXPECT_EQ(command("POST", tenant + "/medications",
                      R"({"patient_id":")" + patient + R"(","name":"X","start_date":"2026-01-01"})")
                  .status,
              422)
        << "dosage and frequency are required";

    const std::string item = tenant + "/medications/" + first;
    EXPECT_EQ(
        command("POST", item + "/discontinue", R"({"end_date":"2025-12-31","reason":"x"})").status,
        422)
        << "not before it started";
    EXPECT_EQ(command("POST", item + "/discontinue", "{}").status, 422) << "a reason is required";
    const auto stopped = command("POST", item + "/discontinue", R"({"reason":"side effects"})");
    ASSERT_EQ(stopped.status, 200) << stopped.body;
    // Ended today, it is still current until tomorrow: a double entry today is refused.
    EXPECT_EQ(record(patient, "metformin").status, 409);

    const auto position = std::string(stopped.json().at("position").as_string());
    const auto read = query(item + "?min_position=" + position);
    ASSERT_EQ(read.status, 200);
    EXPECT_EQ(read.json().at("end_date").as_string(), Timestamp::now().to_string().substr(0, 10));
    const auto past = query(tenant + "/patients/" + patient + "/medications?current=false");
    ASSERT_EQ(past.status, 200);
    EXPECT_EQ(past.json().at("items").as_array().size(), 0u) << "ended today is not past yet";
    const auto current = query(tenant + "/patients/" + patient + "/medications?current=true");
    ASSERT_EQ(current.status, 200);
    EXPECT_EQ(
        testing::expect_matches_openapi("query-service", "GET",
                                        "/v1/tenants/{tenant_id}/patients/{patient_id}/medications",
                                        current.status, current.json()),
        testing::OpenApiCheck::checked);
    EXPECT_EQ(current.json().at("items").as_array().size(), 1u);
    EXPECT_EQ(query(tenant + "/medications?current=maybe").status, 400);

    // An ended course in the past frees the name.
    const auto old = id_of(record(patient, "Amoxicillin"));
    ASSERT_EQ(command("POST", tenant + "/medications/" + old + "/discontinue",
                      R"({"end_date":"2026-01-05","reason":"course done"})")
                  .status,
              200);
    const auto again = record(patient, "amoxicillin");
    ASSERT_EQ(again.status, 201) << again.body;
    const auto listed =
        query(tenant + "/patients/" + patient + "/medications?current=false&min_position=" +
              std::string(again.json().at("position").as_string()));
    ASSERT_EQ(listed.status, 200);
    const auto listed_json = listed.json();
    ASSERT_EQ(listed_json.at("items").as_array().size(), 1u);
    EXPECT_EQ(listed_json.at("items").as_array()[0].at("id").as_string(), old);
}

CC_E2E_ON_EVERY_LOG(MedicationsEndToEnd);

}  // namespace
}  // namespace cc::e2e
