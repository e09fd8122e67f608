#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "model/aggregates/identity.hpp"
#include "model/formats.hpp"
#include "model/validate.hpp"

namespace cc::model {
namespace {

TEST(Formats, Email) {
    EXPECT_TRUE(is_email("jane.doe@care.example.org"));
    EXPECT_TRUE(is_email("a+tag@x.co"));
    EXPECT_FALSE(is_email("no-at-sign"));
    EXPECT_FALSE(is_email("two@@x.org"));
    EXPECT_FALSE(is_email("@x.org"));
    EXPECT_FALSE(is_email("a@localhost"));
    EXPECT_FALSE(is_email("a..b@x.org"));
    EXPECT_FALSE(is_email("a@-x.org"));
}

TEST(Formats, Slug) {
    EXPECT_TRUE(is_slug("sunrise-care"));
    EXPECT_TRUE(is_slug("a1"));
    EXPECT_FALSE(is_slug("Sunrise"));
    EXPECT_FALSE(is_slug("-a"));
    EXPECT_FALSE(is_slug("a--b"));
    EXPECT_FALSE(is_slug("a b"));
    EXPECT_FALSE(is_slug(""));
}

TEST(Formats, ColourUrlHost) {
    EXPECT_TRUE(is_hex_colour("#1a2B3c"));
    EXPECT_FALSE(is_hex_colour("1a2b3c"));
    EXPECT_FALSE(is_hex_colour("#1a2b3"));
    EXPECT_FALSE(is_hex_colour("#1a2b3g"));
    EXPECT_TRUE(is_http_url("https://cdn.example.org/logo.png"));
    EXPECT_TRUE(is_http_url("http://host:8080/x?y=1"));
    EXPECT_FALSE(is_http_url("ftp://x.org/a"));
    EXPECT_FALSE(is_http_url("https://bad host/a"));
    EXPECT_FALSE(is_http_url("javascript:alert(1)"));
    EXPECT_TRUE(is_hostname("care.example.org"));
    EXPECT_FALSE(is_hostname("under_score.org"));
}

TEST(Formats, LengthCountsCharactersNotBytes) {
    EXPECT_EQ(utf8_length("Zoë"), 3u);
    EXPECT_EQ(utf8_length("日本"), 2u);
}

TEST(ValidateCreate, ReportsEveryProblemWithItsField) {
    const auto body = boost::json::parse(
                          R"({"name": "", "slug": "Bad Slug", "primary_color": "red", "extra": 1})")
                          .as_object();
    auto result = validate_create(kTenant.fields, Body{body});
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().kind, ErrorKind::invalid);
    std::map<std::string, std::string> codes;
    for (const auto& f : result.error().fields) codes[f.field] = f.code;
    EXPECT_EQ(codes["name"], "required");
    EXPECT_EQ(codes["slug"], "format");
    EXPECT_EQ(codes["primary_color"], "format");
    EXPECT_EQ(codes["extra"], "unknown_field");
}

TEST(ValidateCreate, NormalisesAndFillsAbsentOptionalFields) {
    const auto body =
        boost::json::parse(R"({"email": "  Jane@Example.ORG ", "name": "Jane"})").as_object();
    auto result = validate_create(kUser.fields, Body{body});
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(result->at("email"), "jane@example.org");
    EXPECT_TRUE(result->at("avatar_url").is_null());
}

TEST(ValidateCreate, EnforcesVarcharLengths) {
    boost::json::object body{{"name", std::string(256, 'x')}, {"slug", "ok"}};
    auto result = validate_create(kTenant.fields, Body{body});
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().fields.at(0).field, "name");
    EXPECT_EQ(result.error().fields.at(0).code, "too_long");
    body["name"] = std::string(255, 'x');
    EXPECT_TRUE(validate_create(kTenant.fields, Body{body}).ok());
}

TEST(ValidatePatch, RefusesNullForRequiredAndEmptyPatch) {
    auto nulling =
        validate_patch(kTenant.fields, Body{boost::json::parse(R"({"name": null})").as_object()});
    ASSERT_FALSE(nulling.ok());
    EXPECT_EQ(nulling.error().fields.at(0).code, "required");
    EXPECT_FALSE(validate_patch(kTenant.fields, Body{}).ok());
    auto clearing =
        validate_patch(kTenant.fields, Body{boost::json::parse(R"({"domain": null})").as_object()});
    EXPECT_TRUE(clearing.ok());
}

TEST(Diff, KeepsOnlyChangedFieldsWithOldAndNew) {
    boost::json::object current{{"name", "A"}, {"slug", "a"}};
    boost::json::object patch{{"name", "B"}, {"slug", "a"}};
    const auto changes = diff(current, patch);
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes.at("name").at("old"), "A");
    EXPECT_EQ(changes.at("name").at("new"), "B");
    apply_changes(current, changes);
    EXPECT_EQ(current.at("name"), "B");
}

// Exact types, end to end through the body parser: what a client sends is
// what the event and the row hold.
constexpr std::string_view kPriorities[] = {"low", "normal", "high"};
constexpr Field kTypedFields[] = {
    {.name = "amount",
     .type = FieldType::decimal,
     .precision = 10,
     .scale = 2,
     .non_negative = true},
    {.name = "starts_at", .type = FieldType::timestamp},
    {.name = "tags", .type = FieldType::text_array, .max_length = 20},
    {.name = "priority", .type = FieldType::enumeration, .values = kPriorities},
    {.name = "count", .type = FieldType::integer, .non_negative = true},
    {.name = "created_by", .type = FieldType::reference, .set_by = Setter::caller},
};

Result<boost::json::object> typed(std::string_view text) {
    auto body = json::parse_body(text);
    if (!body) return std::move(body).error();
    return validate_create(kTypedFields, *body);
}

std::string first_code(const Result<boost::json::object>& result) {
    return result.ok() ? "ok" : result.error().fields.at(0).code;
}

TEST(ExactTypes, DecimalsAreCarriedAsTheirTextNeverAsADouble) {
    // 0.1 + 0.2 style values would drift through a double; these must not.
    EXPECT_EQ(typed(R"({"amount": 12.5})")->at("amount"), "12.50");
    EXPECT_EQ(typed(R"({"amount": "0.10"})")->at("amount"), "0.10");
    EXPECT_EQ(typed(R"({"amount": 99999999.99})")->at("amount"), "99999999.99");
    EXPECT_EQ(typed(R"({"amount": 7})")->at("amount"), "7.00");
    EXPECT_EQ(first_code(typed(R"({"amount": "-0"})")), "decimal")
        << "no sign on a non-negative field";
    EXPECT_EQ(first_code(typed(R"({"amount": -0})")), "decimal") << "read from its source text";
    EXPECT_EQ(first_code(typed(R"({"amount": -0.00})")), "decimal");
    EXPECT_EQ(typed(R"({"amount": 0.30000000000000004})").error().fields.at(0).code, "decimal");
    EXPECT_EQ(first_code(typed(R"({"amount": "12.345"})")), "decimal");
    EXPECT_EQ(first_code(typed(R"({"amount": 1e2})")), "decimal") << "no exponents";
    EXPECT_NE(typed(R"({"amount": 1e2})").error().fields.at(0).message.find("exponent"),
              std::string::npos);
    EXPECT_EQ(first_code(typed(R"({"amount": "NaN"})")), "decimal");
    EXPECT_EQ(first_code(typed(R"({"amount": 100000000})")), "decimal") << "DECIMAL(10,2) range";
    EXPECT_EQ(first_code(typed(R"({"amount": -1})")), "decimal") << "not negative";
    EXPECT_EQ(first_code(typed(R"({"amount": true})")), "type");
}

TEST(ExactTypes, TimestampsNeedAnOffsetAndAreStoredInUtc) {
    EXPECT_EQ(typed(R"({"starts_at": "2026-04-23T09:30:00+01:00"})")->at("starts_at"),
              "2026-04-23T08:30:00.000000Z");
    EXPECT_EQ(typed(R"({"starts_at": "2026-04-23T09:30:00.5-05:30"})")->at("starts_at"),
              "2026-04-23T15:00:00.500000Z");
    EXPECT_EQ(first_code(typed(R"({"starts_at": "2026-04-23T09:30:00"})")), "format")
        << "a local time names no instant";
    EXPECT_EQ(first_code(typed(R"({"starts_at": "2026-02-30T09:30:00Z"})")), "format");
    EXPECT_EQ(first_code(typed(R"({"starts_at": 1714000000})")), "type");
}

TEST(ExactTypes, TextArraysRoundTripAndEnumsNameTheirAllowedSet) {
    const auto tags = typed(R"({"tags": [" a ", "b c"]})");
    ASSERT_TRUE(tags.ok());
    EXPECT_EQ(tags->at("tags"), boost::json::parse(R"(["a", "b c"])"));
    EXPECT_EQ(first_code(typed(R"({"tags": ["a", 1]})")), "type");
    EXPECT_EQ(first_code(typed(R"({"tags": [""]})")), "required");
    EXPECT_EQ(first_code(typed(R"({"tags": "a"})")), "type");
    const auto bad = typed(R"({"priority": "urgent"})");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().fields.at(0).code, "not_allowed");
    EXPECT_NE(bad.error().fields.at(0).message.find("low, normal, high"), std::string::npos);
}

TEST(ExactTypes, IntegersAreWholeNumbersInRangeAndTextIsNotANumber) {
    EXPECT_EQ(typed(R"({"count": 3})")->at("count"), 3);
    EXPECT_EQ(first_code(typed(R"({"count": 2.5})")), "type");
    EXPECT_EQ(first_code(typed(R"({"count": "3"})")), "type");
    EXPECT_EQ(first_code(typed(R"({"count": 2147483648})")), "range");
    EXPECT_EQ(first_code(typed(R"({"priority": 1.5})")), "type")
        << "a number's text is held as a string, and still is not text";
}

TEST(ExactTypes, ServerSetFieldsAreRefusedFromTheClient) {
    const auto result = typed(R"({"created_by": "0b0e4a7c-1d2e-4f3a-9b8c-7d6e5f4a3b2c"})");
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().fields.at(0).code, "read_only");
}

TEST(Body, DuplicateKeysAreRefusedAtAnyDepth) {
    EXPECT_FALSE(json::parse_body(R"({"role":"viewer","role":"admin"})").ok());
    EXPECT_FALSE(json::parse(R"({"a":{"b":1,"b":2}})").ok());
    EXPECT_TRUE(json::parse(R"({"a":{"b":1},"b":2})").ok());
}

}  // namespace
}  // namespace cc::model
