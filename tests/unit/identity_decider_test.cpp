#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "command-service/identity/identity.hpp"
#include "command-service/write_model.hpp"
#include "events/identity_events.hpp"
#include "tests/support/envelopes.hpp"

namespace cc::identity {
namespace {

using boost::json::parse;

using testing::fold;

class IdentityDeciderTest : public ::testing::Test {
  protected:
    TenantId create_tenant(const std::string& slug) {
        const auto id = TenantId::generate();
        auto decision = decide(
            state, identity::create_tenant(
                       id, {parse(R"({"name":"Care","slug":")" + slug + "\"}").as_object()}));
        EXPECT_TRUE(decision.ok());
        fold(state, *decision);
        return id;
    }
    UserId register_user(const std::string& email) {
        const auto id = UserId::generate();
        auto decision = decide(
            state,
            identity::register_user(id, {parse(R"({"email":")" + email + "\"}").as_object()}));
        EXPECT_TRUE(decision.ok());
        fold(state, *decision);
        return id;
    }
    command::WriteModel state;
};

TEST_F(IdentityDeciderTest, CreateTenantEmitsTenantCreatedFiledUnderItself) {
    const auto id = TenantId::generate();
    auto decision = testing::checked(
        decide(state, identity::create_tenant(
                          id, {parse(R"({"name":"Sunrise","slug":"sunrise"})").as_object()})));
    ASSERT_TRUE(decision.ok());
    ASSERT_EQ(decision->events.size(), 1u);
    const auto& e = decision->events[0];
    EXPECT_EQ(e.event_type, events::identity::kTenantCreated);
    EXPECT_EQ(e.tenant_id, id);
    EXPECT_EQ(e.aggregate_version, 1);
    EXPECT_EQ(e.payload.at("slug"), "sunrise");
    EXPECT_TRUE(e.payload.at("domain").is_null());
}

TEST_F(IdentityDeciderTest, SlugIsUniqueEvenAfterTheOwnerIsDeleted) {
    const auto first = create_tenant("sunrise");
    auto duplicate = decide(
        state, identity::create_tenant(TenantId::generate(),
                                       {parse(R"({"name":"X","slug":"sunrise"})").as_object()}));
    ASSERT_FALSE(duplicate.ok());
    EXPECT_EQ(duplicate.error().kind, ErrorKind::conflict);
    EXPECT_EQ(duplicate.error().fields.at(0).field, "slug");

    fold(state, *decide(state, identity::delete_tenant(first, std::nullopt)));
    EXPECT_FALSE(decide(state, identity::create_tenant(
                                   TenantId::generate(),
                                   {parse(R"({"name":"X","slug":"sunrise"})").as_object()}))
                     .ok());
}

TEST_F(IdentityDeciderTest, RenamingASlugFreesTheOldOne) {
    const auto id = create_tenant("old-name");
    fold(state, *decide(state, identity::update_tenant(
                                   id, 1, {parse(R"({"slug":"new-name"})").as_object()})));
    EXPECT_TRUE(testing::checked(
                    decide(state, identity::create_tenant(
                                      TenantId::generate(),
                                      {parse(R"({"name":"X","slug":"old-name"})").as_object()})))
                    .ok());
    EXPECT_FALSE(decide(state, identity::create_tenant(
                                   TenantId::generate(),
                                   {parse(R"({"name":"X","slug":"new-name"})").as_object()}))
                     .ok());
}

TEST_F(IdentityDeciderTest, UpdateChecksVersionAndRecordsOldAndNew) {
    const auto id = create_tenant("sunrise");
    auto stale =
        decide(state, identity::update_tenant(id, 7, {parse(R"({"name":"New"})").as_object()}));
    ASSERT_FALSE(stale.ok());
    EXPECT_EQ(stale.error().kind, ErrorKind::version_mismatch);

    auto update = testing::checked(decide(
        state,
        identity::update_tenant(id, 1, {parse(R"({"name":"New","slug":"sunrise"})").as_object()})));
    ASSERT_TRUE(update.ok());
    ASSERT_EQ(update->events.size(), 1u);
    const auto& changes = update->events[0].payload.at("changes").as_object();
    EXPECT_EQ(changes.size(), 1u) << "an unchanged slug is not a change";
    EXPECT_EQ(changes.at("name").at("old"), "Care");
    EXPECT_EQ(changes.at("name").at("new"), "New");
    EXPECT_EQ(update->events[0].aggregate_version, 2);
}

TEST_F(IdentityDeciderTest, NoOpUpdateAppendsNothing) {
    const auto id = create_tenant("sunrise");
    auto update =
        decide(state, identity::update_tenant(id, 1, {parse(R"({"name":"Care"})").as_object()}));
    ASSERT_TRUE(update.ok());
    EXPECT_TRUE(update->events.empty());
    EXPECT_EQ(update->version, 1);
}

TEST_F(IdentityDeciderTest, DeletedTenantRefusesFurtherCommands) {
    const auto id = create_tenant("sunrise");
    fold(state, *decide(state, identity::delete_tenant(id, std::nullopt)));
    EXPECT_EQ(decide(state, identity::update_tenant(id, 2, {parse(R"({"name":"X"})").as_object()}))
                  .error()
                  .kind,
              ErrorKind::not_found);
    EXPECT_EQ(decide(state, identity::delete_tenant(id, std::nullopt)).error().kind,
              ErrorKind::not_found);
}

TEST_F(IdentityDeciderTest, EmailIsUniqueCaseInsensitively) {
    register_user("jane@example.org");
    auto duplicate = decide(
        state, identity::register_user(UserId::generate(),
                                       {parse(R"({"email":"JANE@example.org"})").as_object()}));
    ASSERT_FALSE(duplicate.ok());
    EXPECT_EQ(duplicate.error().kind, ErrorKind::conflict);
}

TEST_F(IdentityDeciderTest, MembershipGrantChangeRevokeAndRegrantReuseOneRow) {
    const auto tenant = create_tenant("sunrise");
    const auto user = register_user("jane@example.org");
    auto grant =
        decide(state, identity::put_membership(tenant, user, MembershipId::generate(), std::nullopt,
                                               {parse(R"({"role":"carer"})").as_object()}));
    ASSERT_TRUE(grant.ok());
    EXPECT_EQ(grant->events.at(0).event_type, events::identity::kMembershipGranted);
    EXPECT_EQ(grant->events.at(0).tenant_id, tenant);
    fold(state, *grant);
    const auto membership_id = grant->aggregate_id;

    auto same =
        decide(state, identity::put_membership(tenant, user, MembershipId::generate(), std::nullopt,
                                               {parse(R"({"role":"carer"})").as_object()}));
    ASSERT_TRUE(same.ok());
    EXPECT_TRUE(same->events.empty());

    auto change = decide(
        state,
        identity::put_membership(tenant, user, MembershipId::generate(), 1,
                                 {parse(R"({"role":"manager","is_primary":true})").as_object()}));
    ASSERT_TRUE(change.ok());
    EXPECT_EQ(change->events.at(0).event_type, events::identity::kMembershipRoleChanged);
    EXPECT_EQ(change->events.at(0).payload.at("changes").as_object().size(), 2u);
    fold(state, *change);

    fold(state, *decide(state, identity::revoke_membership(tenant, user, std::nullopt)));
    EXPECT_EQ(decide(state, identity::revoke_membership(tenant, user, std::nullopt)).error().kind,
              ErrorKind::not_found);

    auto regrant = testing::checked(
        decide(state, identity::put_membership(tenant, user, MembershipId::generate(), std::nullopt,
                                               {parse(R"({"role":"viewer"})").as_object()})));
    ASSERT_TRUE(regrant.ok());
    EXPECT_EQ(regrant->aggregate_id, membership_id);
    EXPECT_EQ(regrant->events.at(0).aggregate_version, 4);
}

TEST_F(IdentityDeciderTest, MembershipNeedsLiveTenantUserAndKnownRole) {
    const auto tenant = create_tenant("sunrise");
    const auto user = register_user("jane@example.org");
    auto bad_role =
        decide(state, identity::put_membership(tenant, user, MembershipId::generate(), std::nullopt,
                                               {parse(R"({"role":"superuser"})").as_object()}));
    ASSERT_FALSE(bad_role.ok());
    EXPECT_EQ(bad_role.error().fields.at(0).code, "not_allowed");
    EXPECT_EQ(decide(state, identity::put_membership(tenant, UserId::generate(),
                                                     MembershipId::generate(), std::nullopt,
                                                     {parse(R"({"role":"carer"})").as_object()}))
                  .error()
                  .kind,
              ErrorKind::not_found);
    fold(state, *decide(state, identity::delete_user(user, std::nullopt)));
    EXPECT_EQ(
        decide(state, identity::put_membership(tenant, user, MembershipId::generate(), std::nullopt,
                                               {parse(R"({"role":"carer"})").as_object()}))
            .error()
            .kind,
        ErrorKind::not_found);
}

}  // namespace
}  // namespace cc::identity

namespace cc::identity {
namespace {

class AuthorizeTest : public ::testing::Test {
  protected:
    void SetUp() override {
        tenant = TenantId::generate();
        testing::fold(
            model,
            *decide(model,
                    identity::create_tenant(
                        tenant, {boost::json::parse(R"({"name":"T","slug":"t"})").as_object()})));
        for (auto* who : {&admin, &carer, &outsider}) {
            *who = UserId::generate();
            testing::fold(
                model,
                *decide(model, identity::register_user(
                                   *who, {boost::json::parse(R"({"email":")" + who->to_string() +
                                                             R"(@example.org"})")
                                              .as_object()})));
        }
        testing::fold(model,
                      *decide(model, identity::put_membership(
                                         tenant, admin, MembershipId::generate(), std::nullopt,
                                         {boost::json::parse(R"({"role":"admin"})").as_object()})));
        testing::fold(model,
                      *decide(model, identity::put_membership(
                                         tenant, carer, MembershipId::generate(), std::nullopt,
                                         {boost::json::parse(R"({"role":"carer"})").as_object()})));
    }
    void grant(const TenantId& in, const UserId& user, const std::string& role) {
        testing::fold(
            model,
            *decide(model, identity::put_membership(
                               in, user, MembershipId::generate(), std::nullopt,
                               {boost::json::parse(R"({"role":")" + role + "\"}").as_object()})));
    }
    TenantId new_tenant() {
        const auto id = TenantId::generate();
        testing::fold(model,
                      *decide(model, identity::create_tenant(
                                         id, {boost::json::parse(R"({"name":"T","slug":"t-)" +
                                                                 id.to_string() + "\"}")
                                                  .as_object()})));
        return id;
    }
    // An account registered by `registrar`, as the command bus records it.
    UserId registered_by(const UserId& registrar) {
        const auto id = UserId::generate();
        const auto decision = decide(
            model,
            identity::register_user(
                id, {boost::json::parse(R"({"email":")" + id.to_string() + R"(@example.org"})")
                         .as_object()}));
        auto event = testing::envelope_of(decision->events.at(0));
        event.actor = registrar;
        model.apply(event, eventlog::Position{1, ++registrations});
        return id;
    }
    // nullopt when the caller may issue the command, else the refusal's kind.
    std::optional<ErrorKind> refused(const auth::Caller& caller, const auto& command) {
        auto status = authorize(model, caller, command);
        if (status) return std::nullopt;
        return status.error().kind;
    }
    command::WriteModel model;
    TenantId tenant;
    UserId admin, carer, outsider;
    std::int64_t registrations = 0;
};

TEST_F(AuthorizeTest, EnrolmentNeedsASharedTenantOrTheCallersOwnRegistration) {
    const auto put = [&](const UserId& user) {
        return identity::put_membership(tenant, user, MembershipId::generate(), std::nullopt, {});
    };
    const auto other = new_tenant();
    grant(other, outsider, "viewer");
    // Another tenant's member and an id that names no one get the same refusal.
    const auto foreign = authorize(model, {admin, false}, put(outsider));
    const auto unknown = authorize(model, {admin, false}, put(UserId::generate()));
    ASSERT_FALSE(foreign.ok());
    ASSERT_FALSE(unknown.ok());
    EXPECT_EQ(foreign.error().kind, ErrorKind::not_found);
    EXPECT_EQ(foreign.error().type, unknown.error().type);
    EXPECT_EQ(foreign.error().detail, unknown.error().detail);
    EXPECT_EQ(refused({outsider, true}, put(outsider)), std::nullopt) << "a platform admin";

    // Once the admin is a member of the outsider's tenant, any role there, they share it.
    grant(other, admin, "viewer");
    EXPECT_EQ(refused({admin, false}, put(outsider)), std::nullopt);
    testing::fold(model, *decide(model, identity::delete_tenant(other, std::nullopt)));
    EXPECT_EQ(refused({admin, false}, put(outsider)), ErrorKind::not_found)
        << "a deleted tenant is shared by no one";

    // The admin's own registration, until it belongs to a tenant the admin is not in.
    const auto onboarded = registered_by(admin);
    const auto elsewhere = registered_by(carer);
    EXPECT_EQ(refused({admin, false}, put(onboarded)), std::nullopt);
    EXPECT_EQ(refused({admin, false}, put(elsewhere)), ErrorKind::not_found);
    grant(new_tenant(), onboarded, "carer");
    EXPECT_EQ(refused({admin, false}, put(onboarded)), ErrorKind::not_found);

    // A deleted account is no one's to enrol, the registrar's included.
    const auto deleted = registered_by(admin);
    testing::fold(model, *decide(model, identity::delete_user(deleted, std::nullopt)));
    EXPECT_EQ(refused({admin, false}, put(deleted)), ErrorKind::not_found);
}

TEST_F(AuthorizeTest, TenantCommandsFollowTheMatrixAndHideTenantsFromOutsiders) {
    const auto grant =
        identity::put_membership(tenant, outsider, MembershipId::generate(), std::nullopt, {});
    EXPECT_EQ(refused({admin, false}, grant), ErrorKind::not_found)
        << "an account the admin shares no tenant with is answered as missing";
    EXPECT_EQ(refused({carer, false}, grant), ErrorKind::forbidden);
    EXPECT_EQ(refused({outsider, false}, grant), ErrorKind::not_found)
        << "non-members see no tenant";
    EXPECT_EQ(refused({outsider, true}, grant), std::nullopt) << "platform admin";
    EXPECT_EQ(refused({admin, false}, identity::create_tenant(TenantId::generate(), {})),
              ErrorKind::forbidden);
    EXPECT_EQ(refused({admin, false}, identity::delete_tenant(tenant, std::nullopt)),
              ErrorKind::forbidden);
}

TEST_F(AuthorizeTest, UnknownAndDeletedCallersAreUnauthenticated) {
    EXPECT_EQ(
        refused({UserId::generate(), true}, identity::create_tenant(TenantId::generate(), {})),
        ErrorKind::unauthorized);
    testing::fold(model, *decide(model, identity::delete_user(carer, std::nullopt)));
    EXPECT_EQ(refused({carer, false}, identity::update_user(carer, 1, {})),
              ErrorKind::unauthorized);
}

TEST_F(AuthorizeTest, AccountsAreOwnOrPlatformAdmins) {
    EXPECT_EQ(refused({carer, false}, identity::update_user(carer, 1, {})), std::nullopt);
    EXPECT_EQ(refused({carer, false}, identity::update_user(admin, 1, {})), ErrorKind::not_found);
    EXPECT_EQ(refused({carer, false}, identity::register_user(UserId::generate(), {})),
              ErrorKind::forbidden);
    EXPECT_EQ(refused({admin, false}, identity::register_user(UserId::generate(), {})),
              std::nullopt)
        << "a tenant admin onboards staff";
}

}  // namespace
}  // namespace cc::identity
