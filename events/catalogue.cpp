#include "events/catalogue.hpp"

#include <array>

#include "events/care_events.hpp"
#include "events/identity_events.hpp"

namespace cc::events {
namespace {
using namespace identity;
constexpr std::array kCatalogue{
    EventTypeInfo{kTenantCreated, kTenant, 1},
    EventTypeInfo{kTenantUpdated, kTenant, 1},
    EventTypeInfo{kTenantDeleted, kTenant, 1},
    EventTypeInfo{kUserRegistered, kUser, 1},
    EventTypeInfo{kUserUpdated, kUser, 1},
    EventTypeInfo{kUserDeleted, kUser, 1},
    EventTypeInfo{kMembershipGranted, kMembership, 1},
    EventTypeInfo{kMembershipRoleChanged, kMembership, 1},
    EventTypeInfo{kMembershipRevoked, kMembership, 1},
    EventTypeInfo{care::kPatientRegistered, care::kPatient, 1},
    EventTypeInfo{care::kPatientUpdated, care::kPatient, 1},
    EventTypeInfo{care::kPatientDeleted, care::kPatient, 1},
    EventTypeInfo{care::kCareProfessionalCreated, care::kCareProfessional, 1},
    EventTypeInfo{care::kCareProfessionalUpdated, care::kCareProfessional, 1},
    EventTypeInfo{care::kCareProfessionalDeleted, care::kCareProfessional, 1},
};
}  // namespace

std::span<const EventTypeInfo> catalogue() {
    return kCatalogue;
}

const EventTypeInfo* find_event_type(std::string_view event_type) {
    for (const auto& info : kCatalogue)
        if (info.event_type == event_type) return &info;
    return nullptr;
}

}  // namespace cc::events
