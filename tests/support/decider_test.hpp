#pragma once
// What decider unit tests share: a write model their decisions are folded
// into (each event held to its JSON Schema on the way), and live tenants to
// act in.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <source_location>
#include <string>

#include "command-service/identity/identity.hpp"
#include "command-service/write_model.hpp"
#include "tests/support/envelopes.hpp"

namespace cc::testing {

class DeciderTest : public ::testing::Test {
  protected:
    void fold(const Result<domain::Decision>& decision,
              std::source_location where = std::source_location::current()) {
        ASSERT_TRUE(decision.ok()) << decision.error().detail;
        testing::fold(model, *decision, where);
    }
    // A new live tenant.
    TenantId tenant() {
        const auto id = TenantId::generate();
        fold(decide(
            model, identity::create_tenant(
                       id, {boost::json::parse(R"({"name":"T","slug":"t-)" + id.to_string() + "\"}")
                                .as_object()})));
        return id;
    }
    static json::Body body(const std::string& text) { return *json::parse_body(text); }

    command::WriteModel model;
};

}  // namespace cc::testing
