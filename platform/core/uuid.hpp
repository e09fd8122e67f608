#pragma once
// A UUID value and strong id types over it: a TenantId is not a UserId, and
// the compiler says so.
#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace cc {

class Uuid {
  public:
    constexpr Uuid() = default;
    explicit constexpr Uuid(std::array<std::uint8_t, 16> bytes) : bytes_(bytes) {}

    static Uuid random_v4();
    // Canonical 8-4-4-4-12 hex, case-insensitive; nothing else is accepted.
    static std::optional<Uuid> parse(std::string_view text);

    std::string to_string() const;
    bool is_nil() const;
    const std::array<std::uint8_t, 16>& bytes() const { return bytes_; }

    auto operator<=>(const Uuid&) const = default;

  private:
    std::array<std::uint8_t, 16> bytes_{};
};

template <class Tag>
class Id {
  public:
    constexpr Id() = default;
    explicit constexpr Id(Uuid value) : value_(value) {}

    static Id generate() { return Id(Uuid::random_v4()); }
    static std::optional<Id> parse(std::string_view text) {
        if (auto u = Uuid::parse(text)) return Id(*u);
        return std::nullopt;
    }

    const Uuid& uuid() const { return value_; }
    std::string to_string() const { return value_.to_string(); }
    auto operator<=>(const Id&) const = default;

  private:
    Uuid value_;
};

struct TenantTag {};
struct UserTag {};
struct MembershipTag {};
struct EventTag {};
struct RequestTag {};
using TenantId = Id<TenantTag>;
using UserId = Id<UserTag>;
using MembershipId = Id<MembershipTag>;
using EventId = Id<EventTag>;

// Events that belong to no customer tenant (users, the tenants themselves at the
// platform level) are filed under this reserved tenant, which the first
// migration creates so that audit_logs.tenant_id stays NOT NULL.
inline constexpr TenantId kPlatformTenant{};

}  // namespace cc

template <>
struct std::hash<cc::Uuid> {
    std::size_t operator()(const cc::Uuid& u) const noexcept {
        std::size_t h = 1469598103934665603ULL;
        for (auto b : u.bytes()) h = (h ^ b) * 1099511628211ULL;
        return h;
    }
};
template <class Tag>
struct std::hash<cc::Id<Tag>> {
    std::size_t operator()(const cc::Id<Tag>& id) const noexcept {
        return std::hash<cc::Uuid>{}(id.uuid());
    }
};
