#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <pqxx/pqxx>
#include <thread>

#include "platform/pg/migrator.hpp"
#include "tests/support/postgres_server.hpp"

namespace cc::pg {
namespace {

// The documented tables and their column counts (shared/complexcare-schema.md).
const std::map<std::string, int> kDocumentedTables{
    {"tenants", 9},
    {"users", 7},
    {"user_tenants", 8},
    {"patients", 13},
    {"care_professionals", 13},
    {"appointments", 12},
    {"tasks", 13},
    {"care_plans", 12},
    {"medications", 13},
    {"documents", 13},
    {"invoices", 13},
    {"clinical_notes", 10},
    {"clinical_note_categories", 7},
    {"policies", 9},
    {"risk_assessments", 12},
    {"audit_logs", 10},
    {"features", 6},
    {"tenant_features", 6},
};

TEST(Migrate, CreatesEveryDocumentedTableColumnAndIndex) {
    const auto url = testing::postgres().create_database("migrate_schema", false);
    auto report = migrate(url, testing::migrations_dir());
    ASSERT_TRUE(report.ok()) << report.error().detail;
    EXPECT_GE(report->applied.size(), 2u);

    pqxx::connection c(url);
    pqxx::read_transaction tx(c);
    for (const auto& [table, columns] : kDocumentedTables) {
        const auto count = tx.exec_params(
                                 "SELECT count(*) FROM information_schema.columns WHERE "
                                 "table_schema = 'public' AND "
                                 "table_name = $1",
                                 table)[0][0]
                               .as<int>();
        EXPECT_EQ(count, columns) << table;
    }
    const auto indexes =
        tx.exec(
              "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public' AND indexname IN ("
              "'idx_tenants_slug','idx_users_email','idx_user_tenants_user_id','idx_user_tenants_"
              "tenant_id',"
              "'idx_patients_tenant_id','idx_patients_nhs_number','idx_patients_name',"
              "'idx_care_professionals_tenant_id','idx_care_professionals_user_id',"
              "'idx_appointments_tenant_id','idx_appointments_patient_id',"
              "'idx_appointments_care_professional_id','idx_appointments_start_time',"
              "'idx_tasks_tenant_id','idx_tasks_assigned_to','idx_tasks_patient_id','idx_tasks_"
              "status',"
              "'idx_tasks_due_date','idx_documents_tenant_id','idx_documents_patient_id',"
              "'idx_clinical_notes_tenant_id','idx_clinical_notes_patient_id',"
              "'idx_clinical_notes_care_professional_id')")[0][0]
            .as<int>();
    EXPECT_EQ(indexes, 23);
    // Spot-check types the application relies on.
    EXPECT_EQ(tx.exec("SELECT data_type FROM information_schema.columns WHERE table_name = "
                      "'invoices' AND column_name = 'amount'")[0][0]
                  .as<std::string>(),
              "numeric");
    EXPECT_EQ(tx.exec("SELECT character_maximum_length FROM information_schema.columns WHERE "
                      "table_name = 'tenants' AND column_name = 'primary_color'")[0][0]
                  .as<int>(),
              7);
}

// Every timestamp an answer carries goes through cc_rfc3339: the planner
// must inline it into the statement (a function call per value was most of
// a list's rendering), and its text must stay RFC 3339 UTC with microseconds.
TEST(Migrate, TimestampsRenderInlineAsRfc3339Utc) {
    const auto url = testing::postgres().create_database("migrate_rfc3339", false);
    ASSERT_TRUE(migrate(url, testing::migrations_dir()).ok());
    pqxx::connection c(url);
    pqxx::read_transaction tx(c);
    std::string plan;
    for (const auto& row :
         tx.exec("EXPLAIN (VERBOSE) SELECT cc_rfc3339(t) FROM (VALUES (now())) AS v(t)")) {
        plan += row[0].as<std::string>() + "\n";
    }
    EXPECT_EQ(plan.find("cc_rfc3339"), std::string::npos) << plan;
    EXPECT_NE(plan.find("to_char"), std::string::npos) << plan;
    EXPECT_EQ(tx.exec("SET LOCAL TimeZone = 'Europe/London'; SELECT cc_rfc3339("
                      "'2026-07-01 12:00:00.5+01'::timestamptz)")[0][0]
                  .as<std::string>(),
              "2026-07-01T11:00:00.500000Z");
}

TEST(Migrate, SecondRunAppliesNothing) {
    const auto url = testing::postgres().create_database("migrate_twice", false);
    ASSERT_TRUE(migrate(url, testing::migrations_dir()).ok());
    auto again = migrate(url, testing::migrations_dir());
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(again->applied.empty());
    EXPECT_GE(again->already_applied.size(), 2u);
}

TEST(Migrate, RefusesWhenAnAppliedFileChanged) {
    const auto url = testing::postgres().create_database("migrate_changed", false);
    const auto dir = std::filesystem::temp_directory_path() / "cc-migrations-changed";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "0001_a.sql") << "CREATE TABLE a (x INT);";
    ASSERT_TRUE(migrate(url, dir).ok());
    std::ofstream(dir / "0001_a.sql") << "CREATE TABLE a (x BIGINT);";
    std::ofstream(dir / "0002_b.sql") << "CREATE TABLE b (x INT);";
    auto refused = migrate(url, dir);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().type, "migration-changed");
    pqxx::connection c(url);
    pqxx::read_transaction tx(c);
    EXPECT_EQ(tx.exec("SELECT count(*) FROM pg_tables WHERE tablename = 'b'")[0][0].as<int>(), 0)
        << "nothing after the changed file ran";
}

TEST(Migrate, AFailingFileLeavesNoTrace) {
    const auto url = testing::postgres().create_database("migrate_failing", false);
    const auto dir = std::filesystem::temp_directory_path() / "cc-migrations-failing";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "0001_a.sql") << "CREATE TABLE a (x INT); SELECT no_such_function();";
    ASSERT_FALSE(migrate(url, dir).ok());
    pqxx::connection c(url);
    pqxx::read_transaction tx(c);
    EXPECT_EQ(tx.exec("SELECT count(*) FROM pg_tables WHERE tablename = 'a'")[0][0].as<int>(), 0);
    EXPECT_EQ(tx.exec("SELECT count(*) FROM schema_migrations")[0][0].as<int>(), 0);
}

TEST(Migrate, ConcurrentRunsApplyEachFileOnce) {
    const auto url = testing::postgres().create_database("migrate_concurrent", false);
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (int i = 0; i < 4; ++i) {
        threads.emplace_back([&] {
            if (migrate(url, testing::migrations_dir()).ok()) ++ok;
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(ok.load(), 4);
    pqxx::connection c(url);
    pqxx::read_transaction tx(c);
    long files = 0;
    for (const auto& entry :
         std::filesystem::recursive_directory_iterator(testing::migrations_dir())) {
        if (entry.path().extension() == ".sql") ++files;
    }
    EXPECT_EQ(tx.exec("SELECT count(*) FROM schema_migrations")[0][0].as<long>(), files);
}

}  // namespace
}  // namespace cc::pg
