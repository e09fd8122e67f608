#pragma once
// Patients and care professionals on the write side: commands, authorisation
// and deciders (pure functions of the write model).
#include <boost/json/object.hpp>

#include <optional>
#include <span>

#include "command-service/domain/decision.hpp"
#include "command-service/domain/validation.hpp"
#include "platform/auth/permissions.hpp"
#include "platform/core/time.hpp"

namespace cc::command {
struct WriteModel;
}

namespace cc::care {

using command::WriteModel;

std::span<const domain::FieldSpec> patient_fields();
std::span<const domain::FieldSpec> care_professional_fields();

struct RegisterPatient {
    TenantId tenant;
    Uuid id;
    boost::json::object body;
    Timestamp now;  // "date_of_birth not in the future" is judged against it
};
struct UpdatePatient {
    TenantId tenant;
    Uuid id;
    std::optional<std::int64_t> expected_version;
    boost::json::object body;
    Timestamp now;
};
struct DeletePatient {
    TenantId tenant;
    Uuid id;
    std::optional<std::int64_t> expected_version;
};
struct CreateCareProfessional {
    TenantId tenant;
    Uuid id;
    boost::json::object body;
};
struct UpdateCareProfessional {
    TenantId tenant;
    Uuid id;
    std::optional<std::int64_t> expected_version;
    boost::json::object body;
};
struct DeleteCareProfessional {
    TenantId tenant;
    Uuid id;
    std::optional<std::int64_t> expected_version;
};

Status authorize(const WriteModel& model, const auth::Caller& caller, const RegisterPatient& c);
Status authorize(const WriteModel& model, const auth::Caller& caller, const UpdatePatient& c);
Status authorize(const WriteModel& model, const auth::Caller& caller, const DeletePatient& c);
Status authorize(const WriteModel& model, const auth::Caller& caller,
                 const CreateCareProfessional& c);
Status authorize(const WriteModel& model, const auth::Caller& caller,
                 const UpdateCareProfessional& c);
Status authorize(const WriteModel& model, const auth::Caller& caller,
                 const DeleteCareProfessional& c);

Result<domain::Decision> decide(const WriteModel& model, const RegisterPatient& c);
Result<domain::Decision> decide(const WriteModel& model, const UpdatePatient& c);
Result<domain::Decision> decide(const WriteModel& model, const DeletePatient& c);
Result<domain::Decision> decide(const WriteModel& model, const CreateCareProfessional& c);
Result<domain::Decision> decide(const WriteModel& model, const UpdateCareProfessional& c);
Result<domain::Decision> decide(const WriteModel& model, const DeleteCareProfessional& c);

}  // namespace cc::care
