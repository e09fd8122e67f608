// Documents: files the care team keeps, usually about a patient (a GP
// letter, a DNACPR form, a photo of a wound). The bytes live in the blob
// store; the row and the events hold what the server found out about them.
#include "model/aggregates/documents.hpp"

#include "model/aggregates/common_fields.hpp"

namespace cc::model {
namespace {

constexpr Field kFields[] = {
    {.name = "name",
     .max_length = 255,
     .required = true,
     .doc = "What the document is called, e.g. the uploaded file's name; shown and offered as "
            "the download's file name."},
    {.name = "file_path",
     .set_by = Setter::rule,
     .immutable = true,
     .doc = "The blob key the server stored the bytes under, sha256/<2 hex>/<SHA-256 in hex>: "
            "content-addressed, never a path a client chose. The SHA-256 it names is the "
            "download's ETag and is checked on every full read."},
    {.name = "file_type",
     .max_length = 50,
     .set_by = Setter::rule,
     .immutable = true,
     .doc = "The type the content's magic bytes show, from the allow-list: pdf, png, jpeg, gif, "
            "docx, xlsx, txt, csv."},
    {.name = "file_size",
     .type = FieldType::integer,
     .non_negative = true,
     .set_by = Setter::rule,
     .immutable = true,
     .doc = "Bytes, as stored: 1 to CC_DOCUMENT_MAX_BYTES."},
    {.name = "patient_id",
     .type = FieldType::reference,
     .references = "patient",
     .immutable = true,
     .doc = "The patient it is about, if any: a live patient of the tenant. Fixed at upload."},
    {.name = "uploaded_by",
     .type = FieldType::reference,
     .references = kTenantMember,
     .set_by = Setter::caller,
     .doc = "Who uploaded it (the caller)."},
    {.name = "category",
     .max_length = 100,
     .doc = "A category of the tenant's choosing, e.g. consent or correspondence."},
    {.name = "tags", .type = FieldType::text_array, .doc = "Labels to find it by."},
};

constexpr Upload kUpload{.key = "file_path", .type = "file_type", .size = "file_size"};

constexpr Filter kFilters[] = {
    fields::kByPatient,
    {.parameter = "category", .field = "category"},
    {.parameter = "tag",
     .field = "tags",
     .op = FilterOp::contains,
     .doc = "documents whose tags include this one"},
    {.parameter = "uploaded_by", .field = "uploaded_by"},
};

}  // namespace

// Documents about patients are as sensitive as the rest of the record:
// those who deliver or oversee care read them (carers need the care
// instructions and consent forms), clinical staff file them, and only
// admins and managers remove them. Finance and viewers see none.
constexpr Aggregate kDocumentDescription{
    .name = "document",
    .title = "Document",
    .table = "documents",
    .collection = "documents",
    .id_param = "document_id",
    .created = "DocumentUploaded",
    .updated = "DocumentUpdated",
    .deleted = "DocumentDeleted",
    .updated_version = 2,
    .fields = kFields,
    .permissions = fields::kPatientRecord,
    .filters = kFilters,
    .nested = fields::kUnderPatient,
    .feature = "documents",
    .upload = &kUpload,
    .doc =
        "A stored file (PDF, image, office document or text), usually about a patient. "
        "Uploaded as bytes, read back from GET .../documents/{document_id}/content; a "
        "delete keeps the bytes for the audit trail.",
};

const Aggregate& kDocument = kDocumentDescription;

}  // namespace cc::model
