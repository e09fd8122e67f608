// `complexcare seed` against the running services: a small demo agency goes
// in through the command API, reads back through the query service, and a
// second run of the same command replays instead of doubling anything.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <optional>
#include <regex>

#include "tests/support/backend_test.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/postgres_server.hpp"

namespace cc::e2e {
namespace {

struct SeedRun {
    int exit_code = -1;
    std::string output;  // stdout and stderr
};

class SeedEndToEnd : public testing::BackendTest {
  protected:
    SeedRun seed(const std::string& slug) {
        return seed_as(stack().admin, "--slug " + slug +
                                          " --tenants 1 --carers 3 --patients 4 --days 2 "
                                          "--tasks 5 --connections 4");
    }
    SeedRun seed_as(const UserId& operator_id, const std::string& arguments) {
        const std::string command =
            "CC_JWT_SECRET='" + stack().auth_config.hs256_secret + "' " +
            testing::binary("cli/complexcare") +
            " seed --command-url http://127.0.0.1:" + std::to_string(stack().command_port) +
            " --operator " + operator_id.to_string() + " " + arguments + " 2>&1";
        SeedRun run;
        std::FILE* pipe = ::popen(command.c_str(), "r");
        if (pipe == nullptr) return run;
        char buffer[4096];
        for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;)
            run.output.append(buffer, n);
        const int status = ::pclose(pipe);
        run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        return run;
    }
    // Every item of a list, across pages; nullopt until the query service
    // answers it (the projector may not have the tenant yet).
    std::optional<std::vector<boost::json::value>> list(const std::string& path,
                                                        const std::string& token) {
        std::vector<boost::json::value> items;
        std::string cursor;
        do {
            const auto r =
                testing::http_request(stack().query_port, "GET",
                                      path + (path.find('?') == std::string::npos ? "?" : "&") +
                                          "limit=200" + (cursor.empty() ? "" : "&cursor=" + cursor),
                                      "", {{"Authorization", "Bearer " + token}});
            if (r.status != 200) return std::nullopt;
            const auto json = r.json();
            for (const auto& item : json.at("items").as_array()) items.push_back(item);
            cursor = json.at("next_cursor").is_null()
                         ? ""
                         : std::string(json.at("next_cursor").as_string());
        } while (!cursor.empty());
        return items;
    }
    std::vector<boost::json::value> all(const std::string& path, const std::string& token) {
        auto items = list(path, token);
        EXPECT_TRUE(items.has_value()) << path;
        return items.value_or(std::vector<boost::json::value>{});
    }
};

TEST_P(SeedEndToEnd, LoadsADemoAgencyThroughTheApiAndResumesWithoutDoubling) {
    const std::string slug = "seed-" + testing::backend_name(GetParam());
    const auto first = seed(slug);
    ASSERT_EQ(first.exit_code, 0) << first.output;
    std::smatch found;
    ASSERT_TRUE(std::regex_search(first.output, found,
                                  std::regex("seeded ([0-9]+) commands.*, ([0-9]+) of them "
                                             "replayed")))
        << first.output;
    const auto commands = std::stoul(found[1]);
    EXPECT_EQ(found[2], "0");
    EXPECT_NE(first.output.find("patients: 4 to do"), std::string::npos)
        << "not a terminal: plain progress lines\n"
        << first.output;
    ASSERT_TRUE(std::regex_search(first.output, found,
                                  std::regex("tenant ([0-9a-f-]{36})  admin ([0-9a-f-]{36})")));
    const std::string tenant = "/v1/tenants/" + found[1].str();
    const auto admin = stack().token_for(UserId(*Uuid::parse(found[2].str())));

    // The seeded admin reads it all back once the projector has it: the
    // tasks come in the same phase as the visits, whose steps come after.
    const auto ended = [](const boost::json::value& visit) {
        const auto& status = visit.at("status").as_string();
        return status == "completed" || status == "cancelled" || status == "no_show";
    };
    EXPECT_TRUE(testing::eventually([&] {
        const auto tasks = list(tenant + "/tasks", admin);
        const auto visits = list(tenant + "/appointments?status=completed", admin);
        return tasks && tasks->size() == 5 && visits && !visits->empty();
    })) << "yesterday's visits have happened";
    EXPECT_EQ(all(tenant + "/patients", admin).size(), 4u);
    EXPECT_EQ(all(tenant + "/care-professionals", admin).size(), 3u);
    EXPECT_EQ(all(tenant + "/care-plans", admin).size(), 4u);
    EXPECT_GE(all(tenant + "/medications", admin).size(), 4u);
    // 5 office staff and 3 carers.
    EXPECT_EQ(all(tenant + "/members", admin).size(), 8u);
    const auto visits = all(tenant + "/appointments", admin);
    EXPECT_GE(visits.size(), 4u * 2) << "every patient is visited every day";
    EXPECT_GT(std::count_if(visits.begin(), visits.end(), ended), 0);

    // The same command again: every step is answered from the first run.
    const auto before = stack().log_size();
    const auto second = seed(slug);
    ASSERT_EQ(second.exit_code, 0) << second.output;
    ASSERT_TRUE(std::regex_search(second.output, found,
                                  std::regex("seeded ([0-9]+) commands.*, ([0-9]+) of them "
                                             "replayed")))
        << second.output;
    // A visit that began between the runs adds its new steps; nothing else is appended.
    EXPECT_GE(std::stoul(found[1]), commands);
    EXPECT_EQ(stack().log_size() - before,
              static_cast<std::int64_t>(std::stoul(found[1]) - std::stoul(found[2])));
    EXPECT_EQ(all(tenant + "/patients", admin).size(), 4u);
}

TEST_P(SeedEndToEnd, StopsWithTheRefusalWhenTheOperatorIsNotAnAdministrator) {
    const auto before = stack().log_size();
    const auto run = seed_as(UserId::generate(), "--patients 1 --carers 1 --days 1 --tasks 0");
    EXPECT_EQ(run.exit_code, 1) << run.output;
    EXPECT_NE(run.output.find("answered 401"), std::string::npos) << run.output;
    EXPECT_EQ(stack().log_size(), before);
}

CC_E2E_ON_EVERY_LOG(SeedEndToEnd);

}  // namespace
}  // namespace cc::e2e
