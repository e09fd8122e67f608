// The contract checks themselves: the JSON Schema layer accepts what the
// schemas allow and refuses what they do not, the event hook turns a wrong
// payload into a test failure, and the OpenAPI helper fails on every kind of
// mismatch except a document that does not exist yet.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "command-service/identity/identity.hpp"
#include "command-service/write_model.hpp"
#include "events/catalogue.hpp"
#include "tests/support/envelopes.hpp"
#include "tests/support/event_contract.hpp"
#include "tests/support/json_schema.hpp"
#include "tests/support/openapi.hpp"

namespace cc::testing {
namespace {

using boost::json::parse;

std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& line : lines) out += line + "\n";
    return out;
}

// One schema using every keyword the event schemas use, and those the
// generated ones are expected to (oneOf, anyOf, items, const, maximum).
const char* const kThing = R"({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "Thing.v1.schema.json",
  "type": "object",
  "required": ["id", "name", "kind", "count", "tags", "note", "changes", "shape"],
  "additionalProperties": false,
  "properties": {
    "id": {"$ref": "common.schema.json#/$defs/uuid"},
    "name": {"type": "string", "minLength": 2, "maxLength": 5},
    "kind": {"type": "string", "enum": ["small", "large"]},
    "count": {"type": "integer", "minimum": 1, "maximum": 10},
    "tags": {"type": "array", "items": {"$ref": "#/$defs/tag"}},
    "note": {"type": ["string", "null"], "format": "date-time"},
    "version": {"const": 1},
    "changes": {"type": "object", "minProperties": 1, "additionalProperties": false,
                "properties": {"name": {"type": "object"}}},
    "shape": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
    "either": {"anyOf": [{"type": "boolean"}, {"type": "null"}]},
    "short_id": {"$ref": "common.schema.json#/$defs/uuid", "maxLength": 5}
  },
  "$defs": {"tag": {"type": "string", "pattern": "^[a-z]+$"}}
})";
const char* const kCommon = R"({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "common.schema.json",
  "$defs": {
    "uuid": {"type": "string", "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"},
    "tag": {"type": "integer"}
  }
})";
const char* const kValidThing = R"({
  "id": "0b6f7c1e-3f7a-4d0e-9a57-2f1c8c3e4b10", "name": "Ann", "kind": "small", "count": 3,
  "tags": ["a", "bc"], "note": null, "version": 1, "changes": {"name": {}}, "shape": 7,
  "either": null
})";

SchemaSet things() {
    SchemaSet set;
    set.add("Thing.v1.schema.json", parse(kThing));
    set.add("common.schema.json", parse(kCommon));
    return set;
}

TEST(JsonSchema, AcceptsADocumentThatConforms) {
    const auto set = things();
    EXPECT_EQ(joined(set.validate(parse(kValidThing), "Thing.v1.schema.json")), "");
    auto other = parse(kValidThing);
    other.as_object()["note"] = "2026-11-24T18:29:09.123456Z";
    other.as_object()["shape"] = "round";
    other.as_object()["either"] = true;
    EXPECT_EQ(joined(set.validate(other, "Thing.v1.schema.json")), "");
}

TEST(JsonSchema, RefusesEachKindOfViolation) {
    const auto set = things();
    struct Case {
        const char* key;
        const char* value;  // JSON; nullptr removes the key
        const char* expected;
    };
    const std::vector<Case> cases{
        {"id", nullptr, "Missing required property 'id'"},
        {"extra", "1", "could not be validated using 'properties' or 'additionalProperties'"},
        {"id", R"("0B6F7C1E-3F7A-4D0E-9A57-2F1C8C3E4B10")", "[id]: Failed to match regex"},
        {"name", R"("A")", "[name]: String should be no fewer than 2"},
        {"name", R"("Annabel")", "[name]: String should be no more than 5"},
        {"name", "null", "[name]: Value type not permitted"},
        {"kind", R"("medium")", "[kind]: Failed to match against any enum values"},
        {"count", "0", "[count]: Expected number greater than or equal to"},
        {"count", "11", "[count]: Expected number less than or equal to"},
        {"count", "2.5", "[count]: Value type not permitted"},
        {"count", R"("3")", "[count]: Value type not permitted"},
        {"tags", R"(["a", "B"])", "[tags][1]: Failed to match regex"},
        {"note", "7", "[note]: Value type not permitted"},
        {"note", R"("2026-13-01T00:00:00Z")", "[note]: String should be a valid date-time"},
        {"version", "2", "[version]: Failed to match expected value set by 'const'"},
        {"changes", "{}", "[changes]: Object should have no fewer than 1 properties"},
        {"shape", "true", "[shape]: Failed to validate against any child schemas allowed by oneOf"},
        {"either", R"("x")", "[either]: Failed to validate against any schemas allowed by anyOf"},
        // 2020-12 applies keywords beside $ref; draft 7 (valijson's own) would not.
        {"short_id", R"("0b6f7c1e-3f7a-4d0e-9a57-2f1c8c3e4b10")",
         "[short_id]: String should be no more than 5"},
    };
    for (const auto& c : cases) {
        auto document = parse(kValidThing);
        if (c.value == nullptr) {
            document.as_object().erase(c.key);
        } else {
            document.as_object()[c.key] = parse(c.value);
        }
        const auto violations = joined(set.validate(document, "Thing.v1.schema.json"));
        EXPECT_NE(violations.find(c.expected), std::string::npos)
            << c.key << " = " << (c.value ? c.value : "(absent)") << " gave:\n"
            << violations;
    }
}

TEST(JsonSchema, ShowsTheRefusedValue) {
    auto document = parse(kValidThing);
    document.as_object()["kind"] = "medium";
    EXPECT_EQ(joined(things().validate(document, "Thing.v1.schema.json")),
              "<root>[kind]: Failed to match against any enum values. (value \"medium\")\n");
}

TEST(JsonSchema, RefsResolveByAbsoluteIdAndRelativeNameToTheRightDocument) {
    // Today's schema files carry absolute https $ids; both documents define
    // "/$defs/code" differently, which valijson's own resolution would confuse.
    SchemaSet set;
    set.add("A.schema.json", parse(R"({
      "$id": "https://complexcare.example/schemas/events/A.schema.json",
      "type": "object",
      "properties": {
        "mine": {"$ref": "#/$defs/code"},
        "theirs": {"$ref": "./B.schema.json#/$defs/code"},
        "whole": {"$ref": "B.schema.json"}
      },
      "$defs": {"code": {"type": "string"}}
    })"));
    set.add("B.schema.json", parse(R"({
      "$id": "https://complexcare.example/schemas/events/B.schema.json",
      "type": "object", "required": ["b"],
      "$defs": {"code": {"type": "integer"}}
    })"));
    EXPECT_EQ(
        joined(set.validate(parse(R"({"mine":"x","theirs":1,"whole":{"b":0}})"), "A.schema.json")),
        "");
    EXPECT_NE(set.validate(parse(R"({"mine":1})"), "A.schema.json"), std::vector<std::string>{});
    EXPECT_NE(set.validate(parse(R"({"theirs":"x"})"), "A.schema.json"),
              std::vector<std::string>{});
    EXPECT_NE(set.validate(parse(R"({"whole":{}})"), "A.schema.json"), std::vector<std::string>{});
}

TEST(JsonSchema, ValidatesAgainstAPointerIntoAnOpenApiStyleDocument) {
    SchemaSet set;
    set.add("service.json", parse(R"({
      "openapi": "3.1.0",
      "components": {"schemas": {
        "Uuid": {"type": "string", "pattern": "^[0-9a-f-]{36}$"},
        "Thing": {"type": "object", "required": ["id"],
                  "properties": {"id": {"$ref": "#/components/schemas/Uuid"},
                                 "odd": {"$ref": "#/components/schemas/Odd~1Name%25"}}},
        "Odd/Name%": {"type": "integer"}
      }}
    })"));
    EXPECT_EQ(joined(set.validate(parse(R"({"id":"0b6f7c1e-3f7a-4d0e-9a57-2f1c8c3e4b10"})"),
                                  "service.json", "/components/schemas/Thing")),
              "");
    EXPECT_NE(set.validate(parse(R"({"id":"nope"})"), "service.json", "/components/schemas/Thing"),
              std::vector<std::string>{});
    EXPECT_NE(
        joined(set.validate(parse(R"({"id":"0b6f7c1e-3f7a-4d0e-9a57-2f1c8c3e4b10","odd":"x"})"),
                            "service.json", "/components/schemas/Thing")),
        "")
        << "a $ref escapes '/' and '%' in names";
}

TEST(JsonSchema, SchemasItCannotReadFaithfullyFailLoudly) {
    const auto refused = [](const char* schema) {
        SchemaSet set;
        set.add("s.json", parse(schema));
        try {
            (void)set.validate(parse("{}"), "s.json");
        } catch (const SchemaError& error) {
            return std::string(error.what());
        }
        return std::string("accepted");
    };
    EXPECT_NE(refused(R"({"unevaluatedProperties": false})").find("unevaluatedProperties"),
              std::string::npos);
    EXPECT_NE(refused(R"({"properties": {"a": {"prefixItems": []}}})").find("s.json#/properties/a"),
              std::string::npos);
    EXPECT_NE(refused(R"({"$ref": "missing.schema.json"})").find("no loaded document"),
              std::string::npos);
    EXPECT_NE(refused(R"({"$ref": "#/$defs/missing"})").find("points at nothing"),
              std::string::npos);
    EXPECT_NE(refused(R"({"$ref": "#thing"})").find("anchor"), std::string::npos);
    EXPECT_THROW((void)things().validate(parse("{}"), "Other.v1.schema.json"), SchemaError);

    SchemaSet set;
    set.add("s.json", parse(R"({"properties": {"a": {"unevaluatedItems": false}}})"));
    EXPECT_THROW((void)set.validate(parse("{}"), "s.json"), SchemaError);
    EXPECT_THROW((void)set.validate(parse("{}"), "s.json"), SchemaError) << "and it stays refused";
    EXPECT_THROW((void)set.validate(parse("{}"), "s.json", "/properties/a"), SchemaError);
}

TEST(EventContract, EverySchemaFileIsReadableAndItsOwnExamplesConform) {
    const auto folder = std::filesystem::path(CC_SOURCE_DIR) / "events" / "schemas";
    const auto& schemas = event_schemas();
    for (const auto& info : events::catalogue()) {
        const auto file = std::string(info.event_type) + ".v" +
                          std::to_string(info.schema_version) + ".schema.json";
        EXPECT_TRUE(schemas.contains(file)) << "no " << file << " for a catalogued event type";
    }
    int examples = 0;
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
        const auto name = entry.path().filename().string();
        std::ifstream in(entry.path());
        std::stringstream text;
        text << in.rdbuf();
        const auto schema = parse(text.str());
        const auto* listed = schema.as_object().if_contains("examples");
        if (listed == nullptr) continue;
        for (const auto& example : listed->as_array()) {
            ++examples;
            EXPECT_EQ(joined(schemas.validate(example, name)), "") << name << " example";
            if (name == "envelope.schema.json") {
                const auto payload_schema =
                    std::string(example.at("event_type").as_string()) + ".v" +
                    std::to_string(example.at("schema_version").as_int64()) + ".schema.json";
                EXPECT_EQ(joined(schemas.validate(example.at("payload"), payload_schema)), "")
                    << name << " example of " << payload_schema;
            }
        }
    }
    EXPECT_GT(examples, 0) << "the examples are what this test checks the schemas by";
}

domain::Decision tenant_created(boost::json::object payload) {
    const auto id = TenantId::generate();
    return domain::Decision{
        {domain::PendingEvent{"TenantCreated", "tenant", id.uuid(), 1, id, std::move(payload)}},
        id.uuid(),
        1};
}

TEST(EventContract, ARealDecisionConforms) {
    command::WriteModel model;
    auto decision = aggregate::decide(
        model, identity::create_tenant(TenantId::generate(),
                                       {parse(R"({"name":"Care","slug":"care"})").as_object()}));
    ASSERT_TRUE(decision.ok());
    EXPECT_EQ(joined(event_contract_violations(envelope_of(decision->events.at(0)))), "");
}

TEST(EventContract, AWrongPayloadIsCaughtNamingTheEventTypeAndTheViolation) {
    auto decision =
        tenant_created(parse(R"({"name":"Care","slug":"Not A Slug","domain":null,"logo_url":null,
                  "colour":"#000000"})")
                           .as_object());
    const auto violations = joined(event_contract_violations(envelope_of(decision.events[0])));
    EXPECT_NE(violations.find("TenantCreated v1: TenantCreated.v1.schema.json: <root>[slug]: "
                              "Failed to match regex"),
              std::string::npos)
        << violations;
    EXPECT_NE(violations.find("Missing required property 'primary_color'"), std::string::npos)
        << violations;
    EXPECT_NE(violations.find("'colour'"), std::string::npos) << violations;

    // The hook every decider test folds through turns that into a test failure.
    command::WriteModel model;
    EXPECT_NONFATAL_FAILURE(fold(model, decision),
                            "TenantCreated v1: TenantCreated.v1.schema.json");
    EXPECT_NONFATAL_FAILURE((void)checked(decision), "<root>[slug]: Failed to match regex");
}

TEST(EventContract, AWrongEnvelopeOrUnknownTypeIsCaught) {
    auto decision = tenant_created(
        parse(R"({"name":"Care","slug":"care","domain":null,"logo_url":null,"primary_color":null})")
            .as_object());
    EXPECT_EQ(joined(event_contract_violations(envelope_of(decision.events[0]))), "");

    auto envelope = envelope_of(decision.events[0]);
    envelope.aggregate_type = "Tenant";
    const auto wrong_aggregate = joined(event_contract_violations(envelope));
    EXPECT_NE(wrong_aggregate.find("envelope.schema.json: <root>[aggregate_type]"),
              std::string::npos)
        << wrong_aggregate;
    EXPECT_NE(wrong_aggregate.find("the catalogue says \"tenant\""), std::string::npos);

    envelope = envelope_of(decision.events[0]);
    envelope.event_type = "TenantRenamed";
    const auto unknown = joined(event_contract_violations(envelope));
    EXPECT_NE(unknown.find("TenantRenamed v1: not in events/catalogue.cpp"), std::string::npos);
    EXPECT_NE(unknown.find("no payload schema events/schemas/TenantRenamed.v1.schema.json"),
              std::string::npos);
}

const auto kFixture = std::filesystem::path(CC_SOURCE_DIR) / "tests" / "fixtures" / "openapi" /
                      "fixture-service.json";
const char* const kThingBody = R"({"id":"0b6f7c1e-3f7a-4d0e-9a57-2f1c8c3e4b10","name":"Ann",
  "kind":"small","count":3,"tags":["x"],"note":null,"version":1})";

TEST(OpenApi, AnswersThatMatchTheDocumentPass) {
    EXPECT_EQ(expect_matches_openapi_document(kFixture, "GET", "/v1/things/{thing_id}", 200,
                                              parse(kThingBody)),
              OpenApiCheck::checked);
    auto page = parse(R"({"items":[],"next_cursor":"abc"})");
    page.as_object()["items"].as_array().push_back(parse(kThingBody));
    expect_matches_openapi_document(kFixture, "get", "/v1/things", 200, page);
    expect_matches_openapi_document(kFixture, "POST", "/v1/things", 201,
                                    parse(R"({"id":"0b6f7c1e-3f7a-4d0e-9a57-2f1c8c3e4b10",
                                              "version":1,"position":"3:17"})"));
    const auto problem =
        parse(R"({"type":"urn:complexcare:problem:not-found","title":"Not Found","status":404})");
    expect_matches_openapi_document(kFixture, "GET", "/v1/things/{thing_id}", 404, problem);
    // "4XX" stands for any 4xx status.
    expect_matches_openapi_document(kFixture, "GET", "/v1/things", 403, problem);
    expect_matches_openapi_document(kFixture, "DELETE", "/v1/things/{thing_id}", 204, nullptr);
}

TEST(OpenApi, EveryKindOfMismatchFails) {
    auto missing_field = parse(kThingBody);
    missing_field.as_object().erase("version");
    EXPECT_NONFATAL_FAILURE(expect_matches_openapi_document(
                                kFixture, "GET", "/v1/things/{thing_id}", 200, missing_field),
                            "Missing required property 'version'");
    auto extra_field = parse(kThingBody);
    extra_field.as_object()["secret"] = true;
    EXPECT_NONFATAL_FAILURE(
        expect_matches_openapi_document(kFixture, "GET", "/v1/things/{thing_id}", 200, extra_field),
        "'secret'");
    auto bad_owner = parse(kThingBody);
    bad_owner.as_object()["owner"] = "nobody";
    EXPECT_NONFATAL_FAILURE(
        expect_matches_openapi_document(kFixture, "GET", "/v1/things/{thing_id}", 200, bad_owner),
        "[owner]: Failed to match regex");
    EXPECT_NONFATAL_FAILURE(
        expect_matches_openapi_document(kFixture, "GET", "/v1/things", 200,
                                        parse(R"({"items":[{"id":"x"}],"next_cursor":null})")),
        "<root>[items][0]");
    EXPECT_NONFATAL_FAILURE(
        expect_matches_openapi_document(kFixture, "GET", "/v1/things/{thing_id}", 404,
                                        parse(R"({"status":404})")),
        "Missing required property 'type'");

    EXPECT_NONFATAL_FAILURE(
        expect_matches_openapi_document(kFixture, "GET", "/v1/widgets", 200, parse("{}")),
        "GET /v1/widgets 200: no such path");
    EXPECT_NONFATAL_FAILURE(expect_matches_openapi_document(
                                kFixture, "PATCH", "/v1/things/{thing_id}", 200, parse("{}")),
                            "no PATCH operation on this path");
    EXPECT_NONFATAL_FAILURE(
        expect_matches_openapi_document(kFixture, "GET", "/v1/things/{thing_id}", 500, parse("{}")),
        "no such response (documented: 200, 404)");
    EXPECT_NONFATAL_FAILURE(
        expect_matches_openapi_document(kFixture, "GET", "/v1/things/{thing_id}", 200,
                                        parse(kThingBody), "text/csv"),
        "no text/csv content (documented: application/json)");
    EXPECT_NONFATAL_FAILURE(expect_matches_openapi_document(
                                kFixture, "DELETE", "/v1/things/{thing_id}", 204, parse("{}")),
                            "describes no body");
}

TEST(OpenApi, AMissingDocumentIsReportedNotFailed) {
    EXPECT_EQ(expect_matches_openapi_document(kFixture.parent_path() / "no-such-service.json",
                                              "GET", "/v1/things", 200, parse("{}")),
              OpenApiCheck::no_document);
    EXPECT_EQ(expect_matches_openapi("no-such-service", "GET", "/v1/things", 200, parse("{}")),
              OpenApiCheck::no_document);
    EXPECT_FALSE(HasFailure());
}

}  // namespace
}  // namespace cc::testing
