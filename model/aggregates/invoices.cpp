// Invoices: exact money, a tenant's gapless numbering and a lifecycle in
// which time itself makes an issued invoice overdue.
#include "model/aggregates/invoices.hpp"

#include "model/aggregates/common_fields.hpp"

namespace cc::model {
namespace {

constexpr std::string_view kStates[] = {"draft", "issued", "paid", "void", "overdue"};
constexpr std::string_view kDraft[] = {"draft"};
constexpr std::string_view kIssued[] = {"issued"};
constexpr std::string_view kPayable[] = {"issued", "overdue"};
constexpr std::string_view kVoidable[] = {"draft", "issued"};

constexpr std::string_view kNumber[] = {"invoice_number"};
// A number stays taken after its draft is deleted: the sequence never hands
// it out again, and the deleted draft stays on the audit trail under it.
constexpr UniqueKey kUnique[] = {
    {.fields = kNumber, .conflict = "invoice-number-taken", .freed_on_delete = false},
};

constexpr Field kPaidDate{.name = "paid_date",
                          .type = FieldType::date,
                          .required = true,
                          .doc = "The day it was paid: on or after issue_date, not in the future."};

constexpr Field kFields[] = {
    {.name = "invoice_number",
     .max_length = 50,
     .immutable = true,
     .doc = "Unique within the tenant. Omitted: the server allocates the tenant's next number "
            "(INV-000001, INV-000002, ...), gapless. A client's own number must not have that "
            "shape (INV- and digits), which belongs to the sequence."},
    {.name = "patient_id",
     .type = FieldType::reference,
     .references = "patient",
     .doc = "The patient billed for, if any: a live patient of the tenant."},
    {.name = "amount",
     .type = FieldType::decimal,
     .precision = 10,
     .scale = 2,
     .non_negative = true,
     .required = true,
     .doc = "The amount in pounds, exact: 0 to 99999999.99, at most 2 decimals, as a JSON "
            "number or a string; answered as decimal text."},
    {.name = "status",
     .type = FieldType::enumeration,
     .values = kStates,
     .set_by = Setter::lifecycle,
     .doc = "Where the invoice stands: draft, issued, paid, void, or overdue (issued and past "
            "its due date)."},
    {.name = "issue_date",
     .type = FieldType::date,
     .required = true,
     .kept = true,
     .doc = "The invoice's date."},
    {.name = "due_date",
     .type = FieldType::date,
     .required = true,
     .kept = true,
     .doc = "When payment is due: on or after issue_date. The day after it, an issued invoice "
            "becomes overdue."},
    {.name = "paid_date",
     .type = FieldType::date,
     .set_by = Setter::rule,
     .doc = "The day it was paid (set by the pay step)."},
    {.name = "notes", .doc = "Free-text notes."},
};

constexpr std::string_view kRules[] = {"invoice-number", "due-not-before-issue"};
constexpr std::string_view kPayRules[] = {"paid-date"};
constexpr std::string_view kOverdueRules[] = {"past-due"};
constexpr Field kPayInputs[] = {kPaidDate};
constexpr Field kVoidInputs[] = {fields::kReason};

// Billing is the finance team's, and admins'.
constexpr auth::RoleSet kBilling{"admin", "finance"};

constexpr Action kActions[] = {
    {.name = "issue",
     .event = "InvoiceIssued",
     .from = kDraft,
     .to = "issued",
     .roles = kBilling,
     .doc = "Send it: it can no longer be edited or deleted."},
    {.name = "pay",
     .event = "InvoicePaid",
     .from = kPayable,
     .to = "paid",
     .inputs = kPayInputs,
     .roles = kBilling,
     .rules = kPayRules,
     .doc = "Record its payment, on paid_date; overdue invoices can still be paid."},
    {.name = "void",
     .event = "InvoiceVoided",
     .from = kVoidable,
     .to = "void",
     .inputs = kVoidInputs,
     .roles = kBilling,
     .doc = "Cancel it; a reason is required."},
    {.name = "mark-overdue",
     .event = "InvoiceBecameOverdue",
     .from = kIssued,
     .to = "overdue",
     .rules = kOverdueRules,
     .by_server = true,
     .doc = "The command service's overdue scheduler: an issued invoice whose due date has "
            "passed (in UTC). No client takes this step."},
};

constexpr Filter kFilters[] = {
    {.parameter = "status", .field = "status"},
    fields::kByPatient,
    {.parameter = "invoice_number", .field = "invoice_number"},
    {.parameter = "issued_from", .field = "issue_date", .op = FilterOp::at_least},
    {.parameter = "issued_to", .field = "issue_date", .op = FilterOp::before},
    {.parameter = "due_from", .field = "due_date", .op = FilterOp::at_least},
    {.parameter = "due_to", .field = "due_date", .op = FilterOp::before},
};

}  // namespace

constexpr Aggregate kInvoiceDescription{
    .name = "invoice",
    .title = "Invoice",
    .table = "invoices",
    .collection = "invoices",
    .id_param = "invoice_id",
    .created = "InvoiceRaised",
    .updated = "InvoiceUpdated",
    .deleted = "InvoiceDeleted",
    .updated_version = 2,
    .fields = kFields,
    .unique = kUnique,
    .status = "status",
    .initial_state = "draft",
    .actions = kActions,
    .changeable_in = kDraft,
    .permissions = {.read = {"admin", "manager", "finance", "auditor"},
                    .create = kBilling,
                    .update = kBilling,
                    .remove = kBilling},
    .filters = kFilters,
    .sort = "issue_date",
    .nested = fields::kUnderPatient,
    .totals = "amount",
    .rules = kRules,
    .feature = "invoices",
    .doc =
        "A bill, in exact pounds and pence, with its tenant's gapless number. Only drafts "
        "are edited or deleted.",
};

const Aggregate& kInvoice = kInvoiceDescription;

}  // namespace cc::model
