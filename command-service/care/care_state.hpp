#pragma once
// Patients and care professionals as the write side folds them, with the
// index the deciders need: NHS numbers in use per tenant.
#include <map>
#include <optional>
#include <string>
#include <unordered_map>

#include "command-service/domain/decision.hpp"
#include "events/envelope.hpp"

namespace cc::care {

class CareState {
  public:
    void apply(const events::Envelope& event);

    // nullptr when missing or of another tenant: another tenant's record is
    // indistinguishable from none.
    const domain::EntityState* patient(const TenantId& tenant, const Uuid& id) const;
    const domain::EntityState* care_professional(const TenantId& tenant, const Uuid& id) const;
    // The live (not deleted) patient of the tenant holding this NHS number.
    std::optional<Uuid> patient_with_nhs_number(const TenantId& tenant,
                                                const std::string& nhs_number) const;

  private:
    std::unordered_map<Uuid, domain::EntityState> patients_;
    std::unordered_map<Uuid, domain::EntityState> care_professionals_;
    std::map<std::pair<TenantId, std::string>, Uuid> nhs_numbers_;
};

}  // namespace cc::care
