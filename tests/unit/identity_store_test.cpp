// The identity core on the generic steps: tenants filed under themselves,
// users under the platform, slug and email uniqueness from the described
// keys held in the Store, memberships PUT by their user, and the access
// policies the descriptions name. Pure: no I/O.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "command-service/command_bus.hpp"
#include "command-service/identity/identity.hpp"
#include "command-service/write_model.hpp"
#include "model/aggregates/identity.hpp"
#include "tests/support/envelopes.hpp"

namespace cc::identity {
namespace {

using boost::json::parse;

json::Body body(std::string_view text) {
    return {parse(text).as_object()};
}

class IdentityStoreTest : public ::testing::Test {
  protected:
    void fold(const Result<domain::Decision>& decision) {
        ASSERT_TRUE(decision.ok()) << decision.error().detail;
        testing::fold(model, *decision);
    }
    TenantId tenant(const std::string& slug) {
        const auto id = TenantId::generate();
        fold(decide(model, create_tenant(id, body(R"({"name":"T","slug":")" + slug + "\"}"))));
        return id;
    }
    UserId user(const std::string& email) {
        const auto id = UserId::generate();
        fold(decide(model, register_user(id, body(R"({"email":")" + email + "\"}"))));
        return id;
    }
    const aggregate::Store& store(const model::Aggregate& a) const {
        return *model.entities.of(a.name);
    }
    // nullopt when the caller may issue the command, else the refusal's kind.
    std::optional<ErrorKind> refused(const auth::Caller& caller, const auto& command) {
        auto status = authorize(model, caller, command);
        if (status) return std::nullopt;
        return status.error().kind;
    }
    command::WriteModel model;
};

TEST_F(IdentityStoreTest, ATenantIsFiledUnderItselfAndAUserUnderThePlatform) {
    const auto t = tenant("sunrise");
    const auto u = user("jane@example.org");
    EXPECT_NE(store(model::kTenant).find(t, t.uuid()), nullptr);
    EXPECT_EQ(store(model::kTenant).find(TenantId::generate(), t.uuid()), nullptr);
    EXPECT_NE(store(model::kUser).find(kPlatformTenant, u.uuid()), nullptr);
    EXPECT_EQ(aggregate::filed_under(model::kTenant, t.uuid(), kPlatformTenant), t);
    EXPECT_EQ(aggregate::filed_under(model::kUser, u.uuid(), t), kPlatformTenant);
    EXPECT_EQ(aggregate::filed_under(model::kMembership, u.uuid(), t), t);
}

TEST_F(IdentityStoreTest, TheSlugIndexLivesInTheStoreAndOutlivesADelete) {
    const auto first = tenant("sunrise");
    const auto& key = model::kTenant.unique.front();
    // Unique across the platform: whichever tenant asks, the slug is held.
    EXPECT_EQ(store(model::kTenant).holder(key, TenantId::generate(), {{"slug", "sunrise"}}),
              first.uuid());

    auto duplicate = decide(
        model, create_tenant(TenantId::generate(), body(R"({"name":"X","slug":"sunrise"})")));
    ASSERT_FALSE(duplicate.ok());
    EXPECT_EQ(duplicate.error().type, "slug-taken");
    EXPECT_EQ(duplicate.error().detail, "slug 'sunrise' is already in use");

    fold(decide(model, delete_tenant(first, std::nullopt)));
    EXPECT_FALSE(key.freed_on_delete);
    EXPECT_EQ(store(model::kTenant).holder(key, first, {{"slug", "sunrise"}}), first.uuid());
    EXPECT_EQ(
        decide(model, create_tenant(TenantId::generate(), body(R"({"name":"X","slug":"sunrise"})")))
            .error()
            .type,
        "slug-taken");
}

TEST_F(IdentityStoreTest, EmailsAreLowerCasedAndUniqueAcrossThePlatform) {
    const auto id = UserId::generate();
    auto registered =
        testing::checked(decide(model, register_user(id, body(R"({"email":"Jane@Example.ORG"})"))));
    ASSERT_TRUE(registered.ok());
    const auto& e = registered->events.at(0);
    EXPECT_EQ(e.payload.at("email"), "jane@example.org");
    EXPECT_EQ(e.tenant_id, kPlatformTenant);
    fold(registered);

    const auto other = user("john@example.org");
    auto taken = decide(model, update_user(other, 1, body(R"({"email":"JANE@example.org"})")));
    ASSERT_FALSE(taken.ok());
    EXPECT_EQ(taken.error().type, "email-taken");
    EXPECT_EQ(taken.error().fields.at(0).field, "email");

    auto own = decide(model, update_user(id, 1, body(R"({"email":"jane@EXAMPLE.org"})")));
    ASSERT_TRUE(own.ok()) << "a user keeps their own address";
    EXPECT_TRUE(own->events.empty());
}

TEST_F(IdentityStoreTest, AUserUpdateRecordsOldAndNewFromTheStore) {
    const auto id = user("jane@example.org");
    auto named = testing::checked(decide(model, update_user(id, 1, body(R"({"name":"Jane"})"))));
    ASSERT_TRUE(named.ok());
    const auto& change = named->events.at(0).payload.at("changes").at("name");
    EXPECT_TRUE(change.at("old").is_null());
    EXPECT_EQ(change.at("new"), "Jane");
    fold(named);
    auto again = decide(model, update_user(id, 2, body(R"({"name":"Jane"})")));
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(again->events.empty()) << "the store keeps every field of a version 1 aggregate";
}

// Group commit folds a batch's events before they are durable; a failed
// append undoes them, newest first, to exactly the model the log holds.
TEST_F(IdentityStoreTest, TentativeEventsUndoneNewestFirstLeaveTheModelAsTheLogHasIt) {
    const auto t = tenant("sunrise");
    const auto jane = user("jane@example.org");
    const auto registrar = user("registrar@example.org");
    const auto& users = store(model::kUser);
    const auto& email = model::kUser.unique.front();
    const auto& slug = model::kTenant.unique.front();

    std::vector<command::WriteModel::Replaced> replaced;
    const auto tentatively = [&](const Result<domain::Decision>& decision) {
        ASSERT_TRUE(decision.ok()) << decision.error().detail;
        for (const auto& pending : decision->events) {
            auto e = testing::envelope_of(pending);
            e.actor = registrar;
            replaced.push_back(model.apply_tentatively(e));
        }
    };
    const auto john = UserId::generate();
    tentatively(decide(model, register_user(john, body(R"({"email":"john@example.org"})"))));
    tentatively(decide(model, update_user(jane, 1, body(R"({"email":"janet@example.org"})"))));
    tentatively(decide(model, delete_tenant(t, 1)));
    // The next decision sees every tentative effect: john's address is
    // taken, jane's old one free, the tenant gone.
    EXPECT_EQ(
        decide(model, register_user(UserId::generate(), body(R"({"email":"john@example.org"})")))
            .error()
            .type,
        "email-taken");
    EXPECT_EQ(users.holder(email, kPlatformTenant, {{"email", "jane@example.org"}}), std::nullopt);
    EXPECT_EQ(model.registrations.registrar_of(john), registrar);
    EXPECT_TRUE(store(model::kTenant).find(t, t.uuid())->deleted);

    for (auto it = replaced.rbegin(); it != replaced.rend(); ++it) model.undo(*it);
    EXPECT_EQ(users.find(kPlatformTenant, john.uuid()), nullptr);
    EXPECT_EQ(users.holder(email, kPlatformTenant, {{"email", "john@example.org"}}), std::nullopt);
    EXPECT_EQ(users.holder(email, kPlatformTenant, {{"email", "janet@example.org"}}), std::nullopt);
    EXPECT_EQ(users.holder(email, kPlatformTenant, {{"email", "jane@example.org"}}), jane.uuid());
    EXPECT_EQ(users.find(kPlatformTenant, jane.uuid())->version, 1);
    EXPECT_EQ(model.registrations.registrar_of(john), std::nullopt);
    EXPECT_FALSE(store(model::kTenant).find(t, t.uuid())->deleted);
    EXPECT_EQ(store(model::kTenant).holder(slug, t, {{"slug", "sunrise"}}), t.uuid());
    EXPECT_TRUE(
        decide(model, register_user(UserId::generate(), body(R"({"email":"john@example.org"})")))
            .ok());
    EXPECT_EQ(users.size(), 2u) << "john's record is gone, not left empty";
}

TEST_F(IdentityStoreTest, ARevokedMembershipIsRevivedOnItsRowWithTheNextVersion) {
    const auto t = tenant("sunrise");
    const auto u = user("jane@example.org");
    const auto first_id = MembershipId::generate();
    auto grant = testing::checked(
        decide(model, put_membership(t, u, first_id, std::nullopt, body(R"({"role":"carer"})"))));
    ASSERT_TRUE(grant.ok());
    EXPECT_EQ(grant->aggregate_id, first_id.uuid());
    fold(grant);
    EXPECT_EQ(role_in(model, t, u), "carer");

    auto revoke = testing::checked(decide(model, revoke_membership(t, u, 1)));
    ASSERT_TRUE(revoke.ok());
    EXPECT_EQ(revoke->events.at(0).payload.at("user_id").as_string(), u.to_string());
    EXPECT_EQ(revoke->aggregate_id, first_id.uuid());
    fold(revoke);
    EXPECT_EQ(role_in(model, t, u), std::nullopt);

    auto stale = decide(
        model, put_membership(t, u, MembershipId::generate(), 1, body(R"({"role":"viewer"})")));
    ASSERT_FALSE(stale.ok());
    EXPECT_EQ(stale.error().kind, ErrorKind::version_mismatch);

    auto regrant = testing::checked(decide(
        model, put_membership(t, u, MembershipId::generate(), 2, body(R"({"role":"viewer"})"))));
    ASSERT_TRUE(regrant.ok());
    const auto& e = regrant->events.at(0);
    EXPECT_EQ(e.event_type, model::kMembership.created);
    EXPECT_EQ(e.aggregate_id, first_id.uuid());
    EXPECT_EQ(e.aggregate_version, 3);
    EXPECT_EQ(e.payload.at("user_id").as_string(), u.to_string());
    fold(regrant);
    EXPECT_EQ(role_in(model, t, u), "viewer");
    EXPECT_EQ(store(model::kMembership).size(), 1u);

    auto change = testing::checked(decide(
        model, put_membership(t, u, MembershipId::generate(), 3, body(R"({"role":"manager"})"))));
    ASSERT_TRUE(change.ok());
    EXPECT_EQ(change->events.at(0).payload.at("user_id").as_string(), u.to_string());
    EXPECT_EQ(change->events.at(0).payload.at("changes").at("role").at("old"), "viewer");
}

TEST_F(IdentityStoreTest, AMembershipOfADeletedTenantIsGoneWithIt) {
    const auto t = tenant("sunrise");
    const auto u = user("jane@example.org");
    fold(decide(model, put_membership(t, u, MembershipId::generate(), std::nullopt,
                                      body(R"({"role":"admin"})"))));
    EXPECT_TRUE(permitted_anywhere(model, u, auth::TenantAction::register_user));
    fold(decide(model, delete_tenant(t, std::nullopt)));
    EXPECT_EQ(role_in(model, t, u), std::nullopt);
    EXPECT_FALSE(permitted_anywhere(model, u, auth::TenantAction::register_user));
    auto revoke = decide(model, revoke_membership(t, u, std::nullopt));
    ASSERT_FALSE(revoke.ok());
    EXPECT_EQ(revoke.error().detail, domain::not_found("tenant").detail);
}

TEST_F(IdentityStoreTest, PoliciesNamedInTheDescriptions) {
    const auto t = tenant("sunrise");
    const auto admin = user("admin@example.org");
    const auto carer = user("carer@example.org");
    const auto outsider = user("outsider@example.org");
    fold(decide(model, put_membership(t, admin, MembershipId::generate(), std::nullopt,
                                      body(R"({"role":"admin"})"))));
    fold(decide(model, put_membership(t, carer, MembershipId::generate(), std::nullopt,
                                      body(R"({"role":"carer"})"))));

    // Own account: another user's is answered as missing, unless a platform admin.
    EXPECT_EQ(refused({carer, false}, update_user(carer, 1, {})), std::nullopt);
    EXPECT_EQ(refused({carer, false}, update_user(admin, 1, {})), ErrorKind::not_found);
    EXPECT_EQ(refused({outsider, true}, update_user(admin, 1, {})), std::nullopt);
    // Deleting an account needs a platform admin, even one's own.
    EXPECT_EQ(refused({carer, false}, delete_user(carer, std::nullopt)), ErrorKind::forbidden);
    EXPECT_EQ(refused({carer, false}, delete_user(admin, std::nullopt)), ErrorKind::not_found);
    EXPECT_EQ(refused({outsider, true}, delete_user(carer, std::nullopt)), std::nullopt);
    // Tenants: members learn a tenant exists (403), outsiders do not (404).
    EXPECT_EQ(refused({admin, false}, delete_tenant(t, std::nullopt)), ErrorKind::forbidden);
    EXPECT_EQ(refused({outsider, false}, delete_tenant(t, std::nullopt)), ErrorKind::not_found);
    EXPECT_EQ(refused({outsider, true}, delete_tenant(t, std::nullopt)), std::nullopt);
    EXPECT_EQ(refused({admin, false}, update_tenant(t, 1, {})), std::nullopt);
    EXPECT_EQ(refused({carer, false}, update_tenant(t, 1, {})), ErrorKind::forbidden);
    // Registering users: a platform admin, or a role that may in some tenant.
    EXPECT_EQ(refused({admin, false}, register_user(UserId::generate(), {})), std::nullopt);
    EXPECT_EQ(refused({carer, false}, register_user(UserId::generate(), {})), ErrorKind::forbidden);
    EXPECT_EQ(refused({outsider, true}, register_user(UserId::generate(), {})), std::nullopt);
    // A PUT needs what the step it takes needs.
    EXPECT_EQ(refused({carer, false},
                      put_membership(t, carer, MembershipId::generate(), std::nullopt, {})),
              ErrorKind::forbidden);
}

TEST(IdentityDescriptions, TheirRolesAreThePermissionMatrixRows) {
    using auth::permitted_roles;
    using auth::TenantAction;
    EXPECT_EQ(model::kTenant.permissions.read, permitted_roles(TenantAction::read_tenant));
    EXPECT_EQ(model::kTenant.permissions.update, permitted_roles(TenantAction::update_tenant));
    const auto manage = permitted_roles(TenantAction::manage_members);
    EXPECT_EQ(model::kMembership.permissions.create, manage);
    EXPECT_EQ(model::kMembership.permissions.update, manage);
    EXPECT_EQ(model::kMembership.permissions.remove, manage);
    EXPECT_EQ(model::kMembership.permissions.read, permitted_roles(TenantAction::read_members));
}

TEST(IdentityDescriptions, PlatformRowsShareThePlatformsIdempotencyScope) {
    // A retried POST /v1/tenants names a new id each time: its key must not
    // be scoped by it, or the retry would create a second tenant.
    EXPECT_EQ(command::tenant_scope(create_tenant(TenantId::generate(), {})), kPlatformTenant);
    EXPECT_EQ(command::tenant_scope(update_tenant(TenantId::generate(), 1, {})), kPlatformTenant);
    EXPECT_EQ(command::tenant_scope(register_user(UserId::generate(), {})), kPlatformTenant);
    const auto t = TenantId::generate();
    EXPECT_EQ(command::tenant_scope(put_membership(t, UserId::generate(), MembershipId::generate(),
                                                   std::nullopt, {})),
              t);
}

}  // namespace
}  // namespace cc::identity
