#pragma once
// An end-to-end test run once per log backend, against the shared stack of
// that backend, calling the services as the configured platform operator.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "tests/support/eventually.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/stack.hpp"

namespace cc::testing {

class BackendTest : public ::testing::TestWithParam<StackKind> {
  protected:
    static void TearDownTestSuite() { stacks().clear(); }
    Stack& stack() { return stack_for(GetParam()); }

    HttpResponse command(const std::string& method, const std::string& target,
                         const std::string& body = "",
                         std::map<std::string, std::string> headers = {}) {
        headers.emplace("Authorization", "Bearer " + stack().token_for_target(target));
        return http_request(stack().command_port, method, target, body, headers);
    }
    // Unique within the test binary and log, for slugs and e-mails: one
    // stack serves every test of a suite.
    std::string unique_suffix() {
        static std::atomic<int> n{0};
        auto stack = stack_name(GetParam());
        std::replace(stack.begin(), stack.end(), '_', '-');
        return std::to_string(::getpid()) + "-" + std::to_string(++n) + "-" + stack;
    }
    // A tenant of the test's own, by the platform operator: "/v1/tenants/<id>".
    std::string new_tenant(const std::string& name, const std::string& slug) {
        return "/v1/tenants/" +
               id_of(command("POST", "/v1/tenants",
                             R"({"name":")" + name + R"(","slug":")" + slug + "\"}"));
    }
    // A new user with `role` in `tenant` ("/v1/tenants/<id>"), by the
    // platform operator; `granted` is the grant's position, which a read
    // waits for before the query service knows the member.
    struct Member {
        std::string id;
        std::string granted;
    };
    Member new_member(const std::string& tenant, const std::string& role,
                      const std::string& email) {
        Member member{id_of(command("POST", "/v1/users", R"({"email":")" + email + "\"}")), {}};
        const auto grant =
            command("PUT", tenant + "/members/" + member.id, R"({"role":")" + role + "\"}");
        EXPECT_EQ(grant.status, 201) << grant.body;
        if (grant.status == 201) member.granted = position_of(grant);
        return member;
    }
    // A new item's id from its 201 answer ("" and a failure otherwise).
    static std::string id_of(const HttpResponse& r) {
        EXPECT_EQ(r.status, 201) << r.body;
        return r.status == 201 ? std::string(r.json().at("id").as_string()) : "";
    }
    // A command answer's position ("" for a command that changed nothing).
    static std::string position_of(const HttpResponse& r) {
        const auto json = r.json();
        return json.at("position").is_null() ? "" : std::string(json.at("position").as_string());
    }
    // Whether the query service reaches `position` (503 until it has). One
    // read's own wait is bounded (CC_CONSISTENCY_TIMEOUT_MS); a test that
    // appended thousands of events, on a busy machine, waits here first.
    bool projected(const std::string& target, const std::string& position) {
        const auto separator = target.find('?') == std::string::npos ? "?" : "&";
        return eventually(
            [&] { return query(target + separator + "min_position=" + position).status != 503; });
    }
    // Whether the projector reaches, on the access stream, where the stream
    // ends now: every read recorded before is then in audit_logs.
    bool access_projected() {
        const auto access = stack().log.access_stream();
        auto ends = eventlog::open_ends(access)->end_offsets();
        EXPECT_TRUE(ends.ok());
        if (!ends) return false;
        std::int64_t end = 0;
        for (auto e : *ends) end += e;
        pqxx::connection owner(stack().database_url);
        return eventually([&] {
            return pqxx::nontransaction(owner)
                       .exec_params(
                           "SELECT COALESCE(sum(next_offset), 0) FROM projection_checkpoints "
                           "WHERE projection = 'main' AND topic = $1",
                           access.topic())[0][0]
                       .as<std::int64_t>() >= end;
        });
    }
    HttpResponse query(const std::string& target, std::map<std::string, std::string> headers = {}) {
        headers.emplace("Authorization", "Bearer " + stack().token_for_target(target));
        return http_request(stack().query_port, "GET", target, "", headers);
    }
    // The ids of a list's items, in order; none (and a failure) unless 200.
    static std::vector<std::string> ids(const HttpResponse& r) {
        EXPECT_EQ(r.status, 200) << r.body;
        std::vector<std::string> out;
        if (r.status != 200) return out;
        const auto json = r.json();
        for (const auto& item : json.at("items").as_array())
            out.emplace_back(item.at("id").as_string());
        return out;
    }
};

}  // namespace cc::testing

// Runs a parameterised end-to-end suite once per log adapter, each named
// after its adapter (".../postgres", ".../kafka").
#define CC_E2E_ON_EVERY_LOG(Suite)                                                            \
    INSTANTIATE_TEST_SUITE_P(                                                                 \
        Logs, Suite,                                                                          \
        ::testing::Values(::cc::eventlog::Backend::postgres, ::cc::eventlog::Backend::kafka), \
        [](const auto& param_info) { return ::cc::testing::backend_name(param_info.param); })
