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

}  // namespace
}  // namespace cc::model
