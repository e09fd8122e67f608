// The header grammars the services judge requests by (RFC 9110): media
// types and entity-tag lists, without a server.
#include <gtest/gtest.h>

#include "platform/http/conditional.hpp"

namespace cc::http {
namespace {

bool json(std::string_view text) {
    const auto media_type = parse_media_type(text);
    return media_type && is_json_media_type(*media_type);
}

TEST(MediaType, TypeAndSubtypeAreCaseInsensitiveAndOnlyUtf8JsonIsRead) {
    EXPECT_TRUE(json("application/json"));
    EXPECT_TRUE(json("APPLICATION/JSON"));
    EXPECT_TRUE(json("application/json; charset=utf-8"));
    EXPECT_TRUE(json("application/json;charset=\"UTF-8\""));
    EXPECT_TRUE(json("  application/json ;  charset=utf-8  "));
    EXPECT_FALSE(json("application/jsonx"));
    EXPECT_FALSE(json("application/json-patch+json"));
    EXPECT_FALSE(json("application/json; charset=latin1"));
    EXPECT_FALSE(json("application/json; version=2"));
    EXPECT_FALSE(json("text/json"));
    EXPECT_FALSE(json("json"));
    EXPECT_FALSE(json(""));
    EXPECT_FALSE(json("application/json; charset"));
    EXPECT_FALSE(json("application/json; charset=\"utf-8"));
}

TEST(MediaType, ParametersAreParsedWithQuotedStrings) {
    const auto m = parse_media_type("Multipart/Form-Data; Boundary=\"a \\\"b\\\" c\"; x=y");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->type, "multipart");
    EXPECT_EQ(m->subtype, "form-data");
    ASSERT_EQ(m->parameters.size(), 2u);
    EXPECT_EQ(m->parameters[0], (std::pair<std::string, std::string>{"boundary", "a \"b\" c"}));
    EXPECT_EQ(m->parameters[1], (std::pair<std::string, std::string>{"x", "y"}));
}

TEST(EntityTags, ListsStarWeakTagsAndMalformedValues) {
    const auto list = parse_tag_list(R"("1", W/"2" ,, "x-3")");
    ASSERT_TRUE(list);
    EXPECT_FALSE(list->any);
    ASSERT_EQ(list->tags.size(), 3u);
    EXPECT_FALSE(list->tags[0].weak);
    EXPECT_EQ(list->tags[0].opaque, "1");
    EXPECT_TRUE(list->tags[1].weak);
    EXPECT_EQ(list->tags[1].opaque, "2");
    EXPECT_EQ(list->tags[2].opaque, "x-3");
    EXPECT_TRUE(parse_tag_list(" * ")->any);
    for (const auto* bad : {"1", "\"1", "W/1", "\"1\" \"2\"", "", "w/\"1\"", "\"a\"b\""})
        EXPECT_FALSE(parse_tag_list(bad)) << bad;
}

TEST(EntityTags, IfNoneMatchComparesWeakly) {
    const EntityTag current{false, "4"};
    EXPECT_TRUE(none_match_fails(*parse_tag_list(R"("4")"), current));
    EXPECT_TRUE(none_match_fails(*parse_tag_list(R"(W/"4")"), current));
    EXPECT_TRUE(none_match_fails(*parse_tag_list(R"("9", "4")"), current));
    EXPECT_TRUE(none_match_fails(*parse_tag_list("*"), current));
    EXPECT_FALSE(none_match_fails(*parse_tag_list(R"("3", W/"5")"), current));
}

}  // namespace
}  // namespace cc::http
