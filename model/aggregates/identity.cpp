// Tenants, users and memberships.
#include "model/aggregates/identity.hpp"

#include "model/formats.hpp"
#include "model/patterns.hpp"

namespace cc::model {
namespace {

constexpr std::string_view kSlug[] = {"slug"};
constexpr std::string_view kEmail[] = {"email"};
constexpr std::string_view kUserId[] = {"user_id"};

constexpr Field kTenantFields[] = {
    {.name = "name",
     .max_length = 255,
     .required = true,
     .doc = "Display name of the organisation."},
    {.name = "slug",
     .max_length = 255,
     .required = true,
     .kept = true,
     .format = is_slug,
     .format_message = "slug must be lower-case letters and digits joined by single hyphens",
     .pattern = patterns::kSlug,
     .doc = "URL-safe handle, unique across tenants (a deleted tenant's slug stays taken)."},
    {.name = "domain",
     .max_length = 255,
     .lower_case = true,
     .format = is_hostname,
     .format_message = "domain must be a host name such as care.example.org",
     .pattern = patterns::kHostname,
     .doc = "The organisation's own domain name."},
    {.name = "logo_url",
     .format = is_http_url,
     .format_message = "logo_url must be an absolute http(s) URL",
     .pattern = patterns::kHttpUrl,
     .doc = "Absolute http or https URL of the logo."},
    {.name = "primary_color",
     .max_length = 7,
     .format = is_hex_colour,
     .format_message = "primary_color must be #rrggbb",
     .pattern = patterns::kHexColour,
     .doc = "Brand colour as #RRGGBB."},
};
constexpr UniqueKey kTenantUnique[] = {
    {.fields = kSlug, .conflict = "slug-taken", .per_tenant = false, .freed_on_delete = false},
};

constexpr Field kUserFields[] = {
    {.name = "email",
     .max_length = 255,
     .required = true,
     .kept = true,
     .lower_case = true,
     .format = is_email,
     .format_message = "email must be an address such as name@example.org",
     .pattern = patterns::kEmail,
     .doc = "E-mail address, lower-cased; unique across users (a deleted user's stays taken)."},
    {.name = "name", .max_length = 255, .doc = "Display name."},
    {.name = "avatar_url",
     .format = is_http_url,
     .format_message = "avatar_url must be an absolute http(s) URL",
     .pattern = patterns::kHttpUrl,
     .doc = "Absolute http or https URL of the avatar image."},
};
constexpr UniqueKey kUserUnique[] = {
    {.fields = kEmail, .conflict = "email-taken", .per_tenant = false, .freed_on_delete = false},
};

constexpr Field kMembershipFields[] = {
    {.name = "user_id",
     .type = FieldType::reference,
     .references = "user",
     .required = true,
     .set_by = Setter::rule,
     .immutable = true,
     .kept = true,
     .doc = "The member's users.id (from the path). The user's events live on another "
            "partition; a projector waits for the user rather than dropping the reference."},
    {.name = "role",
     .type = FieldType::enumeration,
     .max_length = 50,
     .values = auth::kRoles,
     .required = true,
     .kept = true,
     .doc = "The member's role in the tenant; it decides what the user may do there."},
    {.name = "is_primary",
     .type = FieldType::boolean,
     .kept = true,
     .doc = "Whether this is the user's primary (default) tenant."},
};

// The documented UNIQUE(user_id, tenant_id), which covers revoked rows: a
// membership granted again revives its row.
constexpr UniqueKey kMembershipUnique[] = {
    {.fields = kUserId, .conflict = "membership-exists", .freed_on_delete = false},
};

constexpr Filter kMembershipFilters[] = {
    {.parameter = "role", .field = "role"},
};

}  // namespace

constexpr Aggregate kTenantDescription{
    .name = "tenant",
    .title = "Tenant",
    .table = "tenants",
    .collection = "tenants",
    .id_param = "tenant_id",
    .scope = Scope::own,
    .created = "TenantCreated",
    .updated = "TenantUpdated",
    .deleted = "TenantDeleted",
    .fields = kTenantFields,
    .unique = kTenantUnique,
    .permissions = {.read = auth::RoleSet::everyone(), .update = {"admin"}},
    .policies = {.create = Policy::platform_admin,
                 .update = Policy::tenant_role_or_platform_admin,
                 .remove = Policy::platform_admin},
    .doc =
        "A care provider organisation: the unit of isolation. Platform administrators create "
        "and delete tenants.",
};

constexpr Aggregate kUserDescription{
    .name = "user",
    .title = "User",
    .table = "users",
    .collection = "users",
    .id_param = "user_id",
    .scope = Scope::platform,
    .created = "UserRegistered",
    .updated = "UserUpdated",
    .deleted = "UserDeleted",
    .fields = kUserFields,
    .unique = kUserUnique,
    .policies = {.create = Policy::registrar,
                 .update = Policy::own_account,
                 .remove = Policy::platform_admin},
    .doc =
        "A person who signs in. Users are platform-level rows: a user reads and updates their "
        "own account; platform administrators list and delete accounts.",
};

constexpr Aggregate kMembershipDescription{
    .name = "membership",
    .title = "Membership",
    .table = "user_tenants",
    .collection = "members",
    .id_param = "user_id",
    .created = "MembershipGranted",
    .updated = "MembershipRoleChanged",
    .deleted = "MembershipRevoked",
    .fields = kMembershipFields,
    .carried = kUserId,
    .unique = kMembershipUnique,
    .permissions = {.read = {"admin", "manager", "auditor"},
                    .create = {"admin"},
                    .update = {"admin"},
                    .remove = {"admin"}},
    .policies = {.create = Policy::enrolment,
                 .update = Policy::tenant_role_or_platform_admin,
                 .remove = Policy::tenant_role_or_platform_admin},
    .filters = kMembershipFilters,
    .put_by = "user_id",
    .doc =
        "A user's role in a tenant: at most one row per (user, tenant), revived when granted "
        "again.",
};

const Aggregate& kTenant = kTenantDescription;
const Aggregate& kUser = kUserDescription;
const Aggregate& kMembership = kMembershipDescription;

namespace {
constexpr std::string_view kMemberAccount[] = {"name", "email", "avatar_url"};
}  // namespace
const std::span<const std::string_view> kMemberAccountFields = kMemberAccount;

}  // namespace cc::model
