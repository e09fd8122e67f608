#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "tests/support/postgres_server.hpp"

namespace cc {
namespace {

// Runs one statement as a service role; true when PostgreSQL accepted it.
bool allowed(const std::string& database, const std::string& role, const std::string& sql) {
    pqxx::connection c(testing::postgres().conninfo(database) + " user=" + role);
    pqxx::work tx(c);
    try {
        tx.exec(sql);
        tx.abort();  // nothing a probe does is kept
        return true;
    } catch (const pqxx::sql_error&) {
        return false;
    }
}

class ServiceRoles : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        testing::postgres().create_database("roles");
        pqxx::connection c(testing::postgres().conninfo("roles"));
        pqxx::work tx(c);
        tx.exec(
            "INSERT INTO audit_logs (tenant_id, action, entity_type) VALUES "
            "('00000000-0000-0000-0000-000000000000', 'Probe', 'probe')");
        tx.exec(
            "INSERT INTO audit_chain SELECT id, tenant_id, 'changes', 1, repeat('0', 64), "
            "repeat('a', 64) FROM audit_logs");
        tx.commit();
    }
};

TEST_F(ServiceRoles, QueryServiceCanOnlyRead) {
    EXPECT_TRUE(allowed("roles", "complexcare_query", "SELECT count(*) FROM tenants"));
    EXPECT_TRUE(allowed("roles", "complexcare_query", "SELECT count(*) FROM audit_logs"));
    EXPECT_FALSE(allowed("roles", "complexcare_query",
                         "INSERT INTO tenants (name, slug) VALUES ('x', 'x')"));
    EXPECT_FALSE(allowed("roles", "complexcare_query", "UPDATE tenants SET name = 'y'"));
    EXPECT_FALSE(allowed("roles", "complexcare_query", "DELETE FROM audit_logs"));
    EXPECT_FALSE(allowed("roles", "complexcare_query", "SELECT count(*) FROM event_log"));
}

TEST_F(ServiceRoles, AuditLogsTakeInsertAndNothingElse) {
    const std::string insert =
        "INSERT INTO audit_logs (tenant_id, action, entity_type) VALUES "
        "('00000000-0000-0000-0000-000000000000', 'Probe', 'probe')";
    EXPECT_TRUE(allowed("roles", "complexcare_projector", insert));
    for (const char* role : {"complexcare_projector", "complexcare_query", "complexcare_command"}) {
        EXPECT_FALSE(allowed("roles", role, "UPDATE audit_logs SET action = 'Changed'")) << role;
        EXPECT_FALSE(allowed("roles", role, "DELETE FROM audit_logs")) << role;
        EXPECT_FALSE(allowed("roles", role, "TRUNCATE audit_logs")) << role;
    }
    EXPECT_FALSE(allowed("roles", "complexcare_query", insert));
    EXPECT_FALSE(allowed("roles", "complexcare_command", insert));
    // Not even the owner rewrites history.
    EXPECT_FALSE(allowed("roles", "postgres", "UPDATE audit_logs SET action = 'Changed'"));
    EXPECT_FALSE(allowed("roles", "postgres", "DELETE FROM audit_logs"));
    EXPECT_FALSE(allowed("roles", "postgres", "TRUNCATE event_log"));
}

TEST_F(ServiceRoles, AuditChainTakesLinksFromTheProjectorAndNothingElse) {
    EXPECT_TRUE(allowed("roles", "complexcare_projector",
                        "WITH a AS (INSERT INTO audit_logs (tenant_id, action, entity_type) VALUES "
                        "('00000000-0000-0000-0000-000000000000', 'Probe', 'probe') RETURNING id, "
                        "tenant_id) INSERT INTO audit_chain SELECT id, tenant_id, 'changes', 2, "
                        "repeat('a', 64), repeat('b', 64) FROM a"));
    for (const char* role :
         {"complexcare_projector", "complexcare_query", "complexcare_command", "postgres"}) {
        EXPECT_TRUE(allowed("roles", role, "SELECT count(*) FROM audit_chain")) << role;
        EXPECT_FALSE(allowed("roles", role, "UPDATE audit_chain SET seq = 9")) << role;
        EXPECT_FALSE(allowed("roles", role, "DELETE FROM audit_chain")) << role;
        EXPECT_FALSE(allowed("roles", role, "TRUNCATE audit_chain")) << role;
    }
    for (const char* role : {"complexcare_query", "complexcare_command"}) {
        EXPECT_FALSE(allowed("roles", role,
                             "INSERT INTO audit_chain SELECT id, tenant_id, 'changes', 3, "
                             "repeat('a', 64), repeat('c', 64) FROM audit_logs LIMIT 1"))
            << role;
    }
    // The command service publishes the heads: which action a head row
    // records, never the trail's contents.
    EXPECT_TRUE(allowed("roles", "complexcare_command", "SELECT id, action FROM audit_logs"));
    EXPECT_FALSE(allowed("roles", "complexcare_command", "SELECT details FROM audit_logs"));
}

TEST_F(ServiceRoles, CommandServiceTouchesOnlyTheLog) {
    EXPECT_TRUE(allowed("roles", "complexcare_command", "SELECT count(*) FROM event_log"));
    EXPECT_FALSE(allowed("roles", "complexcare_command", "SELECT count(*) FROM patients"));
    EXPECT_FALSE(allowed("roles", "complexcare_command",
                         "INSERT INTO tenants (name, slug) VALUES ('x', 'x')"));
}

}  // namespace
}  // namespace cc
