// The contracts generator: field rules as JSON Schema, event payloads,
// OpenAPI paths and the README table, checked on the product's descriptions
// and on a made-up invoice that has what they do not yet (decimals, a
// lifecycle with actions).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <regex>
#include <set>

#include "events/access.hpp"
#include "events/catalogue.hpp"
#include "model/aggregates/care.hpp"
#include "model/aggregates/identity.hpp"
#include "model/contracts/contracts.hpp"
#include "model/contracts/field_schema.hpp"
#include "model/contracts/text.hpp"
#include "model/formats.hpp"
#include "model/patterns.hpp"
#include "model/validate.hpp"

namespace cc::contracts {
namespace {

namespace json = boost::json;
using model::Field;
using model::FieldType;

constexpr std::string_view kInvoiceStates[] = {"draft", "issued", "paid", "void"};
constexpr std::string_view kFromIssued[] = {"issued"};
constexpr std::string_view kFromDraft[] = {"draft"};
constexpr Field kInvoiceFields[] = {
    {.name = "patient_id",
     .type = FieldType::reference,
     .references = "patient",
     .required = true,
     .immutable = true,
     .doc = "Who is billed for."},
    {.name = "amount",
     .type = FieldType::decimal,
     .precision = 10,
     .scale = 2,
     .non_negative = true,
     .required = true,
     .doc = "Amount in pounds."},
    {.name = "visits", .type = FieldType::integer, .non_negative = true, .doc = "Visits billed."},
    {.name = "status",
     .type = FieldType::enumeration,
     .values = kInvoiceStates,
     .required = true,
     .set_by = model::Setter::lifecycle,
     .doc = "Where it is in its life."},
    {.name = "paid_date",
     .type = FieldType::date,
     .set_by = model::Setter::rule,
     .doc = "When paid."},
    {.name = "created_by",
     .type = FieldType::reference,
     .references = model::kTenantMember,
     .set_by = model::Setter::caller,
     .doc = "Who raised it."},
};
constexpr Field kPayInputs[] = {
    {.name = "paid_date", .type = FieldType::date, .required = true, .doc = "When paid."},
    {.name = "reference", .max_length = 40, .doc = "The payer's reference."},
};
constexpr model::Action kInvoiceActions[] = {
    {.name = "issue",
     .event = "InvoiceIssued",
     .from = kFromDraft,
     .to = "issued",
     .roles = {"admin", "finance"}},
    {.name = "pay",
     .event = "InvoicePaid",
     .from = kFromIssued,
     .to = "paid",
     .inputs = kPayInputs,
     .roles = {"finance"}},
};
constexpr model::Aggregate kInvoice{
    .name = "invoice",
    .title = "Invoice",
    .table = "invoices",
    .collection = "invoices",
    .id_param = "invoice_id",
    .created = "InvoiceRaised",
    .updated = "InvoiceUpdated",
    .deleted = "InvoiceDeleted",
    .updated_version = 2,
    .fields = kInvoiceFields,
    .status = "status",
    .initial_state = "draft",
    .actions = kInvoiceActions,
    .permissions = {.read = {"admin", "finance", "auditor"},
                    .create = {"admin", "finance"},
                    .update = {"admin", "finance"},
                    .remove = {"admin"}},
};
const std::array kWithInvoice{&model::kPatient, &kInvoice};

bool matches(std::string_view pattern, const std::string& text) {
    // JSON Schema patterns are ECMA-262 regular expressions, unanchored.
    return std::regex_search(text, std::regex(std::string(pattern), std::regex::ECMAScript));
}

const json::object& at(const json::object& object, std::initializer_list<std::string_view> path) {
    const json::object* current = &object;
    for (auto key : path) {
        const auto* next = current->if_contains(key);
        if (next == nullptr || !next->is_object()) {
            ADD_FAILURE() << "missing " << key;
            static const json::object none;
            return none;
        }
        current = &next->as_object();
    }
    return *current;
}

TEST(FieldSchema, DecimalPatternAcceptsTheStoredTextOnly) {
    const auto pattern = decimal_pattern(10, 2, false);
    EXPECT_EQ(pattern, R"(^-?[0-9]{1,8}\.[0-9]{2}$)");
    EXPECT_TRUE(matches(pattern, "12.50"));
    EXPECT_TRUE(matches(pattern, "-0.01"));
    EXPECT_TRUE(matches(pattern, "99999999.99"));
    EXPECT_FALSE(matches(pattern, "12.345"));
    EXPECT_FALSE(matches(pattern, "12.5"));
    EXPECT_FALSE(matches(pattern, "123456789.00"));
    EXPECT_FALSE(matches(pattern, "1e2"));
    const auto non_negative = decimal_pattern(10, 2, true);
    EXPECT_TRUE(matches(non_negative, "12.50"));
    EXPECT_FALSE(matches(non_negative, "-12.50"));
    EXPECT_EQ(decimal_pattern(5, 0, false), "^-?[0-9]{1,5}$");
}

TEST(FieldSchema, DecimalPatternAgreesWithTheValidatorsNormalisedText) {
    const auto pattern = decimal_pattern(10, 2, true);
    for (const auto* text : {"12.5", "0", "0012.50", "99999999.99"}) {
        const auto parsed = model::parse_decimal(text, 10, 2, true);
        ASSERT_TRUE(parsed.value) << text;
        EXPECT_TRUE(matches(pattern, *parsed.value)) << *parsed.value;
    }
}

// A pattern may be looser than its format rule (a contract must never refuse
// a value the service stored), but not on these samples.
TEST(FieldSchema, PatternsAgreeWithTheFormatRules) {
    struct Case {
        std::string_view pattern;
        bool (*format)(std::string_view);
        std::vector<std::string> valid;
        std::vector<std::string> invalid;
    };
    const std::vector<Case> cases{
        {model::patterns::kEmail,
         model::is_email,
         {"a@example.org", "name.surname+tag@care.example"},
         {"no-at-sign", "a b@x.org"}},
        {model::patterns::kUkPhone,
         model::is_uk_phone,
         {"020 7946 0958", "+44 7700 900123", "(020) 7946-0958"},
         {"12345", "+33 1 23 45 67 89"}},
        {model::patterns::kSlug,
         model::is_slug,
         {"brightwater", "bright-water-2"},
         {"Bright", "a--b", "-a", "a-"}},
        {model::patterns::kHexColour,
         model::is_hex_colour,
         {"#1A7F64", "#abcdef"},
         {"#abc", "1A7F64"}},
        {model::patterns::kHttpUrl,
         model::is_http_url,
         {"https://x.example/logo.png"},
         {"ftp://x", "https://a b"}},
        {model::patterns::kLicence, model::is_licence_number, {"12A3456E", "GMC/123-4"}, {"12#3"}},
        {model::patterns::kNhsNumber, model::is_nhs_number, {"9434765919"}, {"943476591"}},
    };
    for (const auto& c : cases) {
        for (const auto& sample : c.valid) {
            EXPECT_TRUE(c.format(sample)) << sample;
            EXPECT_TRUE(matches(c.pattern, sample)) << c.pattern << " refuses " << sample;
        }
        for (const auto& sample : c.invalid) {
            EXPECT_FALSE(c.format(sample)) << sample;
            EXPECT_FALSE(matches(c.pattern, sample)) << c.pattern << " accepts " << sample;
        }
    }
}

TEST(FieldSchema, OptionalFieldsAreNullableAndBooleansNever) {
    const auto& phone = *model::kPatient.field("phone");
    const auto schema = stored_schema(model::kPatient, phone);
    EXPECT_EQ(schema.at("type"), (json::array{"string", "null"}));
    EXPECT_EQ(schema.at("maxLength"), 20);
    EXPECT_EQ(schema.at("description"), "UK telephone number as entered (patients.phone).");
    const auto primary = stored_schema(model::kMembership, *model::kMembership.field("is_primary"));
    EXPECT_EQ(primary.at("type"), "boolean");
    const auto role = stored_schema(model::kMembership, *model::kMembership.field("role"));
    EXPECT_EQ(role.at("type"), "string") << "a required enumeration is never null";
    EXPECT_EQ(role.at("enum").as_array().size(), auth::kRoles.size());
}

TEST(FieldSchema, RequestsTakeNhsNumbersWithSpacesAndEmailsInAnyCase) {
    const auto nhs = input_schema(model::kPatient, *model::kPatient.field("nhs_number"));
    EXPECT_FALSE(nhs.contains("pattern"));
    EXPECT_FALSE(nhs.contains("maxLength"));
    const auto email = input_schema(model::kPatient, *model::kPatient.field("email"));
    EXPECT_FALSE(email.contains("pattern"));
    const auto phone = input_schema(model::kPatient, *model::kPatient.field("phone"));
    EXPECT_TRUE(phone.contains("pattern"));
}

TEST(EventSchemas, CreatedEventsCarryEveryFieldAlwaysPresent) {
    const auto schema = created_schema(kInvoice);
    EXPECT_EQ(schema.at("$id"), "InvoiceRaised.v1.schema.json");
    EXPECT_EQ(schema.at("additionalProperties"), false);
    const auto& properties = schema.at("properties").as_object();
    EXPECT_EQ(properties.size(), std::size(kInvoiceFields));
    EXPECT_EQ(schema.at("required").as_array().size(), properties.size());
    EXPECT_EQ(properties.at("status").at("const"), "draft");
    EXPECT_EQ(properties.at("created_by").at("format"), "uuid");
    EXPECT_EQ(properties.at("visits").at("minimum"), 0);
    EXPECT_EQ(properties.at("amount").at("pattern"), R"(^[0-9]{1,8}\.[0-9]{2}$)");
}

TEST(EventSchemas, ActionEventsCarryTheirInputsAndTheStatusTheyReach) {
    const auto schema = action_schema(kInvoice, kInvoiceActions[1]);
    EXPECT_EQ(schema.at("$id"), "InvoicePaid.v1.schema.json");
    const auto& properties = schema.at("properties").as_object();
    EXPECT_EQ(properties.at("status").at("const"), "paid");
    EXPECT_EQ(properties.at("paid_date").at("format"), "date");
    EXPECT_EQ(properties.at("reference").at("type"), (json::array{"string", "null"}));
    EXPECT_NE(
        std::string(properties.at("reference").at("description").as_string()).find("Not a column"),
        std::string::npos);
    EXPECT_EQ(schema.at("required"), (json::array{"paid_date", "reference", "status"}));
}

TEST(EventSchemas, UpdatedVersionOneNeedsOldAndNewVersionTwoOnlyNew) {
    const auto v1 = updated_schema(kInvoice, 1);
    const auto v2 = updated_schema(kInvoice, 2);
    const auto& changes_v1 = at(v1, {"properties", "changes", "properties"});
    const auto& changes_v2 = at(v2, {"properties", "changes", "properties"});
    EXPECT_EQ(changes_v1.at("amount").at("required"), (json::array{"old", "new"}));
    EXPECT_EQ(changes_v2.at("amount").at("required"), (json::array{"new"}));
    EXPECT_TRUE(at(changes_v2, {"amount", "properties"}).contains("old"));
    EXPECT_FALSE(changes_v2.contains("patient_id")) << "immutable fields never change";
    EXPECT_FALSE(changes_v2.contains("status")) << "actions move the status, not patches";
}

TEST(EventSchemas, CarriedFieldsTravelInUpdatesAndDeletes) {
    const auto revoked = deleted_schema(model::kMembership);
    EXPECT_EQ(revoked.at("required"), (json::array{"user_id"}));
    const auto changed = updated_schema(model::kMembership, 1);
    EXPECT_EQ(changed.at("required"), (json::array{"user_id", "changes"}));
    const auto deleted = deleted_schema(model::kPatient);
    EXPECT_TRUE(deleted.at("properties").as_object().empty());
    EXPECT_FALSE(deleted.contains("required"));
}

TEST(EventSchemas, OneFilePerCatalogueEntryAndEveryOlderUpdateVersion) {
    std::set<std::string> files;
    for (const auto& schema : event_schemas()) {
        EXPECT_TRUE(files.insert(schema.file_name).second) << schema.file_name;
        EXPECT_EQ(schema.schema.at("$id"), json::value(schema.file_name)) << "a relative $id";
    }
    for (const auto& info : events::catalogue()) {
        for (int v = 1; v <= info.schema_version; ++v) {
            const auto name = schema_file_name(info.event_type, v);
            EXPECT_TRUE(files.contains(name) || v < info.schema_version) << name;
        }
        EXPECT_TRUE(files.contains(schema_file_name(info.event_type, info.schema_version)));
    }
    EXPECT_TRUE(files.contains("PatientUpdated.v1.schema.json")) << "old events stay readable";
    EXPECT_TRUE(files.contains("PatientUpdated.v2.schema.json"));
}

// Every "$ref" inside the document names something that is there.
void expect_refs_resolve(const json::value& root, const json::value& node,
                         const std::set<std::string>& files) {
    if (node.is_array()) {
        for (const auto& item : node.as_array()) expect_refs_resolve(root, item, files);
        return;
    }
    if (!node.is_object()) return;
    for (const auto& entry : node.as_object()) {
        if (entry.key() == "$ref" && entry.value().is_string()) {
            const std::string ref(entry.value().as_string());
            if (ref.rfind("#/", 0) == 0) {
                std::error_code ec;
                EXPECT_NE(root.find_pointer(ref.substr(1), ec), nullptr) << ref;
            } else {
                EXPECT_TRUE(files.contains(ref)) << ref;
            }
        } else {
            expect_refs_resolve(root, entry.value(), files);
        }
    }
}

TEST(AsyncApi, OneMessagePerEventTypeReferencingItsSchemaFile) {
    const json::value doc = asyncapi();
    EXPECT_EQ(doc.at("asyncapi"), "3.0.0");
    const auto& messages = doc.at("components").at("messages").as_object();
    // The domain log's event types, and the access stream's facts.
    EXPECT_EQ(messages.size(), events::catalogue().size() + events::access::types().size());
    EXPECT_EQ(doc.at("operations").at("consumeEvents").at("action"), "receive");
    EXPECT_EQ(doc.at("channels").at("access").at("address"), "complexcare.events.access");
    EXPECT_EQ(doc.at("channels").at("access").at("messages").as_object().size(),
              events::access::types().size());
    EXPECT_EQ(messages.at("RecordViewed")
                  .at("payload")
                  .at("allOf")
                  .at(1)
                  .at("properties")
                  .at("payload")
                  .at("$ref"),
              "./schemas/RecordViewed.v1.schema.json");
    EXPECT_EQ(doc.at("channels").at("events").at("address"), "complexcare.events");
    const auto& updated = messages.at("PatientUpdated").at("payload").at("allOf").at(1);
    EXPECT_EQ(updated.at("properties").at("payload").at("$ref"),
              "./schemas/PatientUpdated.v2.schema.json");
    EXPECT_EQ(updated.at("properties").at("schema_version").at("enum"), (json::array{1, 2}));
    std::set<std::string> files{"./schemas/envelope.schema.json"};
    for (const auto& schema : event_schemas()) files.insert("./schemas/" + schema.file_name);
    expect_refs_resolve(doc, doc, files);
    const auto description = std::string(doc.at("info").at("description").as_string());
    EXPECT_NE(description.find("FNV-1a"), std::string::npos);
    // The prose names every tenant-scoped aggregate, derived, not typed in.
    for (const auto* aggregate : model::aggregates()) {
        if (aggregate->scope != model::Scope::tenant) continue;
        EXPECT_NE(description.find("`" + std::string(aggregate->name) + "`"), std::string::npos)
            << aggregate->name;
    }
}

TEST(OpenApi, CommandPathsIncludeOnePerGenericAction) {
    const json::value doc = command_openapi(kWithInvoice);
    const auto& paths = doc.at("paths").as_object();
    const std::string item = "/v1/tenants/{tenant_id}/invoices/{invoice_id}";
    for (const auto& action : kInvoiceActions) {
        const auto path = item + "/" + std::string(action.name);
        ASSERT_TRUE(paths.contains(path)) << path;
        EXPECT_TRUE(paths.at(path).as_object().contains("post"));
    }
    const auto& pay = paths.at(item + "/pay").at("post");
    EXPECT_EQ(pay.at("x-permissions").at("roles"), (json::array{"finance"}));
    EXPECT_EQ(pay.at("requestBody").at("content").at("application/json").at("schema").at("$ref"),
              "#/components/schemas/InvoicePayInput");
    EXPECT_FALSE(paths.at(item + "/issue").at("post").as_object().contains("requestBody"));
    EXPECT_EQ(pay.at("operationId"), "payInvoice");
    EXPECT_TRUE(paths.contains("/v1/tenants/{tenant_id}/patients"));
    EXPECT_TRUE(paths.contains("/v1/tenants/{tenant_id}/members/{user_id}"));
    EXPECT_TRUE(paths.at("/v1/tenants/{tenant_id}/members/{user_id}").as_object().contains("put"));
    expect_refs_resolve(doc, doc, {});
}

TEST(OpenApi, AnswersFollowTheConventionOtherToolsRead) {
    const json::value doc = command_openapi(kWithInvoice);
    const auto& create = doc.at("paths").at("/v1/tenants/{tenant_id}/invoices").at("post");
    EXPECT_EQ(create.at("responses")
                  .at("201")
                  .at("content")
                  .at("application/json")
                  .at("schema")
                  .at("$ref"),
              "#/components/schemas/CommandResult");
    EXPECT_TRUE(create.at("responses").at("201").at("headers").as_object().contains("ETag"));
    EXPECT_EQ(create.at("responses")
                  .at("422")
                  .at("content")
                  .at("application/problem+json")
                  .at("schema")
                  .at("$ref"),
              "#/components/schemas/Problem");
    const auto& body = doc.at("components").at("schemas").at("InvoiceCreate");
    const auto& properties = body.at("properties").as_object();
    EXPECT_FALSE(properties.contains("status")) << "only client fields";
    EXPECT_FALSE(properties.contains("created_by"));
    EXPECT_FALSE(properties.contains("paid_date"));
    EXPECT_EQ(body.at("required"), (json::array{"patient_id", "amount"}));
    const auto& patch = doc.at("components").at("schemas").at("InvoicePatch");
    EXPECT_FALSE(patch.as_object().contains("required"));
    EXPECT_FALSE(patch.at("properties").as_object().contains("patient_id"));
    EXPECT_EQ(doc.at("paths").at("/healthz").at("get").at("security"), json::array{});
}

TEST(OpenApi, QueryItemsListsAndFilters) {
    const json::value doc = query_openapi(kWithInvoice);
    const auto& item = doc.at("components").at("schemas").at("Invoice");
    const auto& properties = item.at("properties").as_object();
    for (auto key : {"id", "tenant_id", "amount", "created_at", "updated_at", "version"})
        EXPECT_TRUE(properties.contains(key)) << key;
    EXPECT_EQ(properties.at("amount").at("type"), "string") << "decimals travel as text";
    const auto& list = doc.at("paths").at("/v1/tenants/{tenant_id}/patients").at("get");
    std::set<std::string> names;
    for (const auto& p : list.at("parameters").as_array()) {
        if (const auto* name = p.as_object().if_contains("name"))
            names.insert(std::string(name->as_string()));
    }
    EXPECT_TRUE(names.contains("q"));
    EXPECT_TRUE(names.contains("nhs_number"));
    EXPECT_TRUE(names.contains("date_of_birth"));
    EXPECT_EQ(
        list.at("responses").at("200").at("content").at("application/json").at("schema").at("$ref"),
        "#/components/schemas/PatientList");
    EXPECT_EQ(doc.at("components").at("parameters").at("Limit").at("schema").at("maximum"), 200);
    EXPECT_TRUE(doc.at("paths").as_object().contains("/v1/tenants/{tenant_id}/audit-logs"));
    expect_refs_resolve(doc, doc, {});
}

TEST(OpenApi, UndocumentedRoutesAreNamed) {
    const auto doc = query_openapi(model::aggregates());
    const std::vector<std::pair<std::string, std::string>> routes{
        {"GET", "/v1/tenants/{tenant_id}/patients"},
        {"POST", "/v1/tenants/{tenant_id}/patients"},
        {"GET", "/v1/nowhere"},
        {"GET", "/openapi.json"}};
    EXPECT_EQ(
        undocumented_routes(doc, routes),
        (std::vector<std::string>{"POST /v1/tenants/{tenant_id}/patients", "GET /v1/nowhere"}));
}

TEST(OpenApi, QueryParametersAreTheOperationsOwnWithRefsResolved) {
    const auto doc = query_openapi(model::aggregates());
    const auto patients = query_parameters(doc, "GET", "/v1/tenants/{tenant_id}/patients");
    for (const char* name : {"limit", "cursor", "min_position", "q"}) {
        EXPECT_TRUE(patients.contains(name)) << name;
    }
    EXPECT_FALSE(patients.contains("tenant_id")) << "a path parameter";
    EXPECT_FALSE(patients.contains("X-Min-Position")) << "a header";
    EXPECT_TRUE(patients.contains("as_of")) << "every read serves past states";
    EXPECT_FALSE(patients.contains("CC-As-Of")) << "a header";
    const auto item = query_parameters(doc, "get", "/v1/tenants/{tenant_id}/patients/{patient_id}");
    EXPECT_TRUE(item.contains("min_position"));
    EXPECT_FALSE(item.contains("limit")) << "an item is not a page";
    EXPECT_TRUE(query_parameters(doc, "GET", "/v1/nowhere").empty());
}

TEST(Permissions, TableRowsComeFromTheMatrixAndTheDescriptions) {
    const auto table = permissions_table(kWithInvoice);
    EXPECT_NE(table.find("| read memberships | ✓ | ✓ | | | | ✓ | |"), std::string::npos) << table;
    EXPECT_NE(table.find("| read patients | ✓ | ✓ | ✓ | ✓ | | ✓ | |"), std::string::npos);
    EXPECT_NE(table.find("| create and update invoices | ✓ | | | | ✓ | | |"), std::string::npos);
    EXPECT_NE(table.find("| delete invoices | ✓ | | | | | | |"), std::string::npos);
    EXPECT_NE(table.find("| pay invoices (`POST .../{invoice_id}/pay`) | | | | | ✓ | | |"),
              std::string::npos);
}

TEST(Permissions, IdentityDescriptionsAgreeWithTheMatrixThatGovernsThem) {
    using auth::TenantAction;
    EXPECT_EQ(model::kMembership.permissions.read,
              auth::permitted_roles(TenantAction::read_members));
    EXPECT_EQ(model::kMembership.permissions.create,
              auth::permitted_roles(TenantAction::manage_members));
    EXPECT_EQ(model::kMembership.permissions.remove,
              auth::permitted_roles(TenantAction::manage_members));
    EXPECT_EQ(model::kTenant.permissions.read, auth::permitted_roles(TenantAction::read_tenant));
    EXPECT_EQ(model::kTenant.permissions.update,
              auth::permitted_roles(TenantAction::update_tenant));
}

TEST(Permissions, SplicingNeedsBothMarkers) {
    EXPECT_FALSE(splice_permissions("no markers", "| t |\n"));
    const auto spliced = splice_permissions(
        "a\n<!-- generated:permissions -->\nold\n<!-- /generated:permissions -->\nb\n", "| t |\n");
    ASSERT_TRUE(spliced);
    EXPECT_EQ(*spliced,
              "a\n<!-- generated:permissions -->\n| t |\n<!-- /generated:permissions -->\nb\n");
}

TEST(Text, JsonIsIndentedAndYamlQuotesEveryString) {
    const json::value value{{"a", {1, "x"}}, {"empty", json::object{}}, {"on", true}};
    // "on" is a boolean to a YAML 1.1 reader: quoted as a key.
    EXPECT_EQ(json_text(value),
              "{\n  \"a\": [\n    1,\n    \"x\"\n  ],\n  \"empty\": {},\n  \"on\": true\n}\n");
    EXPECT_EQ(yaml_text(value, "c"), "# c\na:\n  - 1\n  - \"x\"\nempty: {}\n\"on\": true\n");
}

TEST(Text, YamlNestsCollectionsInSequencesAndKeepsProseAsLiteralBlocks) {
    const json::value value{{"list", {{{"k", "v"}, {"z", nullptr}}}},
                            {"prose", "line one\n  indented\n"},
                            {"$ref", "#/x: y"}};
    EXPECT_EQ(yaml_text(value, "c"),
              "# c\nlist:\n  - k: \"v\"\n    z: null\nprose: |\n  line one\n    indented\n"
              "$ref: \"#/x: y\"\n");
}

}  // namespace
}  // namespace cc::contracts
