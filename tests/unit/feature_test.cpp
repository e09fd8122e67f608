// Features on the write side, without I/O: the catalogue, a tenant's choice
// PUT by the feature's name, premium features reserved to platform
// administrators, and the gate that refuses a module's commands while its
// feature is off.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "command-service/aggregate/features.hpp"
#include "command-service/identity/identity.hpp"
#include "command-service/write_model.hpp"
#include "model/aggregates/appointments.hpp"
#include "model/aggregates/care.hpp"
#include "model/aggregates/features.hpp"
#include "model/aggregates/identity.hpp"
#include "model/aggregates/tasks.hpp"
#include "tests/support/envelopes.hpp"

namespace cc::aggregate {
namespace {

json::Body body(std::string_view text) {
    return {boost::json::parse(text).as_object()};
}

class FeatureTest : public ::testing::Test {
  protected:
    void SetUp() override {
        fold(decide(model, identity::create_tenant(tenant, body(R"({"name":"T","slug":"t-)" +
                                                                tenant.to_string() + "\"}"))));
        for (const auto& [user, role] : {std::pair{admin, "admin"}, std::pair{carer, "carer"}}) {
            fold(decide(model,
                        identity::register_user(
                            user, body(R"({"email":")" + user.to_string() + R"(@example.org"})"))));
            fold(decide(model, identity::put_membership(
                                   tenant, user, MembershipId::generate(), std::nullopt,
                                   body(R"({"role":")" + std::string(role) + "\"}"))));
        }
        fold(decide(model, identity::register_user(as_operator.user,
                                                   body(R"({"email":"ops@example.org"})"))));
        for (const auto& f : model::builtin_features()) feature(std::string(f.name), false);
        feature("telehealth", true);
    }
    void fold(const Result<domain::Decision>& decision) {
        ASSERT_TRUE(decision.ok()) << decision.error().detail;
        testing::fold(model, *decision);
    }
    Target target(const model::Aggregate& a, const Uuid& id, bool platform_admin = false) const {
        return Target{&a,
                      a.scope == model::Scope::platform ? kPlatformTenant : tenant,
                      id,
                      admin,
                      Timestamp::now(),
                      platform_admin};
    }
    void feature(const std::string& name, bool premium) {
        fold(decide(model, Create{target(model::kFeature, Uuid::random_v4(), true),
                                  body(R"({"name":")" + name + R"(","is_premium":)" +
                                       (premium ? "true" : "false") + "}")}));
    }
    Put toggle(const std::string& name, bool on, bool platform_admin = false) const {
        return Put{target(model::kTenantFeature, Uuid::random_v4(), platform_admin),
                   Uuid::random_v4(), name, std::nullopt,
                   body(on ? R"({"is_enabled":true})" : R"({"is_enabled":false})")};
    }
    Create new_task() const {
        return Create{target(model::kTask, Uuid::random_v4()), body(R"({"title":"Call GP"})")};
    }
    command::WriteModel model;
    TenantId tenant = TenantId::generate();
    UserId admin = UserId::generate(), carer = UserId::generate();
    auth::Caller as_admin{admin, false};
    auth::Caller as_operator{UserId::generate(), true};
};

TEST_F(FeatureTest, EveryGatedAggregateNamesABuiltinFeature) {
    std::set<std::string_view> builtins;
    for (const auto& f : model::builtin_features()) builtins.insert(f.name);
    EXPECT_EQ(builtins.size(), 9u);
    int gated = 0;
    for (const auto* a : model::aggregates()) {
        if (a->feature.empty()) continue;
        ++gated;
        EXPECT_TRUE(builtins.contains(a->feature)) << a->name << " names " << a->feature;
        EXPECT_EQ(a->scope, model::Scope::tenant) << a->name;
    }
    EXPECT_GE(gated, 4) << "appointments, tasks, care plans and medications at least";
    EXPECT_TRUE(model::kPatient.feature.empty()) << "patients are every tenant's core";
}

TEST_F(FeatureTest, DefaultsAreOnUnlessPremiumAndATenantsChoiceWins) {
    EXPECT_TRUE(feature_enabled(model, tenant, "tasks"));
    EXPECT_FALSE(feature_enabled(model, tenant, "telehealth"));
    EXPECT_TRUE(feature_enabled(model, tenant, "no-such-feature"));

    const auto off = toggle("tasks", false);
    ASSERT_TRUE(authorize(model, as_admin, off).ok());
    auto decision = decide(model, off);
    ASSERT_TRUE(decision.ok()) << decision.error().detail;
    ASSERT_EQ(decision->events.size(), 1u);
    EXPECT_EQ(decision->events[0].event_type, "TenantFeatureSet");
    EXPECT_EQ(decision->events[0].payload.at("feature_id").as_string(),
              feature_named(model, "tasks")->to_string());
    fold(decision);
    EXPECT_FALSE(feature_enabled(model, tenant, "tasks"));
    EXPECT_TRUE(feature_enabled(model, TenantId::generate(), "tasks")) << "one tenant's choice";

    // The same choice again appends nothing; the opposite one toggles the row.
    auto again = decide(model, toggle("tasks", false));
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(again->events.empty());
    auto on = decide(model, toggle("tasks", true));
    ASSERT_TRUE(on.ok());
    ASSERT_EQ(on->events.size(), 1u);
    EXPECT_EQ(on->events[0].event_type, "TenantFeatureToggled");
    EXPECT_EQ(on->events[0].aggregate_version, 2);
    fold(on);
    EXPECT_TRUE(feature_enabled(model, tenant, "tasks"));
}

TEST_F(FeatureTest, AnUnknownFeatureNameAnswers404) {
    auto decision = decide(model, toggle("teleportation", true));
    ASSERT_FALSE(decision.ok());
    EXPECT_EQ(decision.error().kind, ErrorKind::not_found);
}

TEST_F(FeatureTest, PremiumFeaturesAreForPlatformAdministratorsToGrant) {
    auto by_admin = decide(model, toggle("telehealth", true));
    ASSERT_FALSE(by_admin.ok());
    EXPECT_EQ(by_admin.error().kind, ErrorKind::forbidden);
    EXPECT_EQ(by_admin.error().type, "premium-feature");
    EXPECT_TRUE(decide(model, toggle("tasks", false)).ok()) << "non-premium ones are the tenant's";

    const auto granted = toggle("telehealth", true, /*platform_admin=*/true);
    ASSERT_TRUE(authorize(model, as_operator, granted).ok())
        << "platform administration of a tenant's settings needs no membership";
    fold(decide(model, granted));
    EXPECT_TRUE(feature_enabled(model, tenant, "telehealth"));

    const auto carer_try = toggle("tasks", false);
    const auto refused = authorize(model, auth::Caller{carer, false}, carer_try);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().kind, ErrorKind::forbidden);
}

TEST_F(FeatureTest, AModuleTurnedOffRefusesItsCommandsWith403NamingTheFeature) {
    ASSERT_TRUE(authorize(model, as_admin, new_task()).ok());
    fold(decide(model, toggle("tasks", false)));
    const auto refused = authorize(model, as_admin, new_task());
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().kind, ErrorKind::forbidden);
    EXPECT_EQ(refused.error().type, "feature-disabled");
    EXPECT_NE(refused.error().detail.find("tasks"), std::string::npos);
    ASSERT_EQ(refused.error().fields.size(), 1u);
    EXPECT_EQ(refused.error().fields[0].message, "tasks");

    // Other modules and the core are untouched; turning it back on restores it.
    EXPECT_TRUE(authorize(model, as_admin,
                          Create{target(model::kPatient, Uuid::random_v4()),
                                 body(R"({"first_name":"A","last_name":"B"})")})
                    .ok());
    fold(decide(model, toggle("tasks", true)));
    EXPECT_TRUE(authorize(model, as_admin, new_task()).ok());
}

TEST_F(FeatureTest, BuiltinFeaturesStayAndOthersAreDeletedByPlatformAdministrators) {
    const auto tasks = *feature_named(model, "tasks");
    auto kept = decide(model, Delete{target(model::kFeature, tasks, true), std::nullopt});
    ASSERT_FALSE(kept.ok());
    EXPECT_EQ(kept.error().type, "feature-built-in");

    const auto telehealth = *feature_named(model, "telehealth");
    const Delete remove{target(model::kFeature, telehealth, true), std::nullopt};
    const auto by_member = authorize(model, as_admin, remove);
    ASSERT_FALSE(by_member.ok());
    EXPECT_EQ(by_member.error().kind, ErrorKind::forbidden);
    ASSERT_TRUE(authorize(model, as_operator, remove).ok());
    fold(decide(model, remove));
    EXPECT_EQ(decide(model, toggle("telehealth", true, true)).error().kind, ErrorKind::not_found);
    // The name is free again: the row is gone with it.
    feature("telehealth", false);
    EXPECT_NE(*feature_named(model, "telehealth"), telehealth);
}

}  // namespace
}  // namespace cc::aggregate
