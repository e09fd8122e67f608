// Dead letters with the real parts: events parked by the real projector
// binary, a strict projector not ready while any is unresolved, and the
// real `complexcare dead-letters` retrying them.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <sstream>

#include "events/envelope.hpp"
#include "platform/eventlog/factory.hpp"
#include "projector/projector.hpp"
#include "tests/support/catch_up.hpp"
#include "tests/support/envelope_of.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/process.hpp"

namespace cc::projector {
namespace {

constexpr int kPartitions = 4;

struct CliRun {
    int status;
    std::string output;  // stdout and stderr
};

class DeadLettersTest : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
        std::string name = std::string("dead_letters_") + test->name();
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        url_ = testing::postgres().create_database(name.substr(0, 60));
        config_.postgres = {url_, kPartitions};
        writer_ = eventlog::open_writer(config_);
    }

    void append(const events::Envelope& e) {
        const auto key = e.tenant_id.to_string();
        eventlog::OutgoingRecord record{key, events::serialize(e), {}};
        ASSERT_TRUE(writer_->append(eventlog::partition_for(key, kPartitions), {&record, 1}).ok());
    }
    static events::Envelope tenant_created(const TenantId& tenant, const std::string& slug) {
        return testing::envelope_of("TenantCreated", "tenant", tenant.uuid(), tenant, 1,
                                    {{"name", slug}, {"slug", slug}});
    }

    // `complexcare dead-letters <args>`, run to its end.
    CliRun cli(const std::vector<std::string>& args) {
        static int runs = 0;
        const auto log = std::filesystem::temp_directory_path() /
                         ("cc-dead-letters-" + std::to_string(::getpid()) + "-" +
                          std::to_string(++runs) + ".log");
        std::vector<std::string> all{"dead-letters"};
        all.insert(all.end(), args.begin(), args.end());
        testing::Process process(testing::binary("cli/complexcare"), {{"CC_DATABASE_URL", url_}},
                                 log.string(), all);
        CliRun run{process.wait(), ""};
        std::ifstream in(log);
        std::stringstream text;
        text << in.rdbuf();
        run.output = text.str();
        std::filesystem::remove(log);
        return run;
    }

    long count(const std::string& sql) { return testing::scalar(url_, sql); }

    std::string url_;
    eventlog::LogConfig config_;
    std::unique_ptr<eventlog::LogWriter> writer_;
};

TEST_F(DeadLettersTest, AStrictProjectorIsNotReadyUntilItsParkedEventIsRetriedAfterAFix) {
    // Two tenants claiming one slug, in one partition so the order is known:
    // the second breaks UNIQUE(slug) and is parked (the write side never
    // appends that; an import of another system's log might).
    const auto first = TenantId::generate();
    auto second = TenantId::generate();
    while (eventlog::partition_for(second.to_string(), kPartitions) !=
           eventlog::partition_for(first.to_string(), kPartitions)) {
        second = TenantId::generate();
    }
    append(tenant_created(first, "shared"));
    append(tenant_created(second, "shared"));

    const int port = testing::free_port();
    testing::Process projector(testing::binary("projector/projector"),
                               {{"CC_DATABASE_URL", url_},
                                {"CC_LOG_PARTITIONS", std::to_string(kPartitions)},
                                {"CC_HTTP_PORT", std::to_string(port)},
                                {"CC_PROJECTOR_STRICT", "1"},
                                {"CC_LOG_LEVEL", "warn"}},
                               "/tmp/cc-dead-letters-projector.log");
    ASSERT_TRUE(
        testing::eventually([&] { return count("SELECT count(*) FROM dead_letters") == 1; }));
    ASSERT_TRUE(testing::wait_until_ready(port, "/healthz", 30000));
    // Ready but for the dead letter: 503, saying why.
    testing::HttpResponse readyz;
    ASSERT_TRUE(testing::eventually([&] {
        readyz = testing::http_request(port, "GET", "/readyz");
        return readyz.body.find("dead letter") != std::string::npos;
    })) << readyz.body;
    EXPECT_EQ(readyz.status, 503);
    EXPECT_EQ(readyz.json().at("status").as_string(), "not-ready");
    EXPECT_NE(readyz.json().at("reason").as_string().find("1 unresolved dead letter"),
              std::string::npos);

    const auto listed = cli({"list"});
    ASSERT_EQ(listed.status, 0) << listed.output;
    EXPECT_NE(listed.output.find("TenantCreated"), std::string::npos) << listed.output;
    EXPECT_NE(listed.output.find("23505"), std::string::npos) << "the reason" << listed.output;
    EXPECT_NE(listed.output.find("1 unresolved dead letters"), std::string::npos);
    const std::string id = listed.output.substr(0, listed.output.find(' '));
    const auto shown = cli({"show", id});
    ASSERT_EQ(shown.status, 0) << shown.output;
    EXPECT_NE(shown.output.find(second.to_string()), std::string::npos) << shown.output;
    EXPECT_NE(shown.output.find("unresolved"), std::string::npos);

    // Still unapplicable: refused cleanly, nothing applied, still parked.
    const auto too_soon = cli({"retry", id});
    EXPECT_EQ(too_soon.status, 1) << too_soon.output;
    EXPECT_NE(too_soon.output.find("stays parked"), std::string::npos) << too_soon.output;
    EXPECT_EQ(count("SELECT count(*) FROM dead_letters WHERE resolved_at IS NULL"), 1);
    EXPECT_EQ(count("SELECT count(*) FROM tenants WHERE id = '" + second.to_string() + "'"), 0);
    EXPECT_EQ(testing::http_request(port, "GET", "/readyz").status, 503);

    // The fix: the first tenant gives the slug up (its own event, in the log).
    append(testing::envelope_of("TenantUpdated", "tenant", first.uuid(), first, 2,
                                {{"changes", {{"slug", {{"old", "shared"}, {"new", "first"}}}}}}));
    ASSERT_TRUE(testing::eventually(
        [&] { return count("SELECT count(*) FROM tenants WHERE slug = 'first'") == 1; }));

    const auto retried = cli({"retry", id});
    EXPECT_EQ(retried.status, 0) << retried.output;
    EXPECT_NE(retried.output.find("applied and resolved"), std::string::npos) << retried.output;
    EXPECT_EQ(count("SELECT count(*) FROM tenants WHERE slug = 'shared' AND id = '" +
                    second.to_string() + "'"),
              1);
    EXPECT_EQ(
        count("SELECT count(*) FROM audit_logs WHERE entity_id = '" + second.to_string() + "'"), 1)
        << "its audit row, in the same transaction";
    EXPECT_EQ(count("SELECT count(*) FROM audit_chain c JOIN audit_logs a ON a.id = "
                    "c.audit_log_id WHERE a.entity_id = '" +
                    second.to_string() + "'"),
              1)
        << "linked into its tenant's chain, as the projector links its rows";
    EXPECT_EQ(count("SELECT count(*) FROM audit_logs a WHERE NOT EXISTS (SELECT 1 FROM "
                    "audit_chain c WHERE c.audit_log_id = a.id)"),
              0)
        << "no audit row left unchained";
    EXPECT_EQ(count("SELECT count(*) FROM dead_letters WHERE resolved_at IS NOT NULL"), 1);
    EXPECT_EQ(testing::http_request(port, "GET", "/readyz").status, 200);

    EXPECT_EQ(cli({"retry", id}).status, 1) << "applied once only";
    EXPECT_EQ(
        count("SELECT count(*) FROM audit_logs WHERE entity_id = '" + second.to_string() + "'"), 1);
    const auto after = cli({"list"});
    EXPECT_NE(after.output.find("0 unresolved dead letters"), std::string::npos) << after.output;
    EXPECT_NE(cli({"list", "--all"}).output.find("resolved 20"), std::string::npos);
    EXPECT_EQ(projector.terminate(), 0);
}

TEST_F(DeadLettersTest, EventsThisBuildCannotApplyOrThatCameTooLateStayParked) {
    const auto tenant = TenantId::generate();
    append(
        testing::envelope_of("TenantRenamedInTheFuture", "tenant", tenant.uuid(), tenant, 3, {}));
    append(tenant_created(tenant, "late"));
    // A version the projection has already moved past: a stale copy of the creation.
    auto stale = tenant_created(tenant, "stale");
    append(testing::envelope_of("TenantUpdated", "tenant", tenant.uuid(), tenant, 2,
                                {{"changes", {{"name", {{"old", "late"}, {"new", "later"}}}}}}));
    append(stale);
    Projector p(ProjectorOptions{.database_url = url_, .topic = "event_log"});
    auto reader = eventlog::open_reader(
        config_, {.group = "projector", .start_offset = [&](int i) { return p.checkpoint(i); }});
    ASSERT_EQ(testing::catch_up(p, *reader), "");
    ASSERT_EQ(count("SELECT count(*) FROM dead_letters"), 2);

    const auto all = cli({"retry", "--all"});
    EXPECT_EQ(all.status, 1) << all.output;
    EXPECT_NE(all.output.find("unknown event type"), std::string::npos) << all.output;
    EXPECT_NE(all.output.find("already holds version 2"), std::string::npos) << all.output;
    EXPECT_NE(all.output.find("0 of 2 applied"), std::string::npos) << all.output;
    EXPECT_EQ(count("SELECT count(*) FROM dead_letters WHERE resolved_at IS NULL"), 2);
    EXPECT_EQ(count("SELECT count(*) FROM tenants WHERE name = 'later'"), 1);

    EXPECT_EQ(cli({"retry"}).status, 2) << "an id or --all";
    EXPECT_EQ(cli({"show", "999999"}).status, 1);
}

}  // namespace
}  // namespace cc::projector
