// A list ordered by two names and the key: its cursor carries both names
// (any text PostgreSQL can hold) and the key, and only such a cursor is taken.
#include <gtest/gtest.h>

#include "platform/core/uuid.hpp"
#include "query-service/resource.hpp"

namespace cc::query {
namespace {

constexpr Column kColumns[] = {{"id"}, {"tenant_id"}, {"first_name"}, {"last_name"}};
const Resource kPeople{.entity_type = "patient",
                       .table = "patients",
                       .columns = kColumns,
                       .tenant_column = "tenant_id",
                       .sort_column = "last_name",
                       .sort_cast = "text",
                       .then_column = "first_name",
                       .then_cast = "text"};

std::string hex(std::string_view plain) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (const unsigned char c : plain) {
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
    }
    return out;
}

TEST(ListOrder, ACursorCarriesBothNamesWhateverTheyHold) {
    const auto id = Uuid::random_v4().to_string();
    const std::string last = "O'Brien~Ó Briain";  // '~' separates the key: still a name
    const std::string first = "Zoë Ann";
    const auto cursor = decode_cursor(kPeople, hex(last + std::string(1, '\0') + first + "~" + id));
    ASSERT_TRUE(cursor.has_value());
    EXPECT_EQ(cursor->sort_value, last);
    EXPECT_EQ(cursor->then_value, first);
    EXPECT_EQ(cursor->key, id);
}

TEST(ListOrder, ACursorWithoutTheSecondNameOrTheKeyIsRefused) {
    const auto id = Uuid::random_v4().to_string();
    EXPECT_FALSE(decode_cursor(kPeople, hex("Smith~" + id))) << "a one-name cursor";
    EXPECT_FALSE(decode_cursor(kPeople, hex(std::string("Smith") + '\0' + "Ann~not-a-key")));
    EXPECT_FALSE(decode_cursor(kPeople, id)) << "a by-id cursor";
    EXPECT_FALSE(decode_cursor(kPeople, "zz"));
}

TEST(ListOrder, APageAfterACursorComparesTheRowNotEachColumn) {
    ListRequest request;
    request.tenant_id = Uuid::random_v4().to_string();
    request.after_sort = "Smith";
    request.after_then = "Ann";
    request.after = Uuid::random_v4().to_string();
    const auto s = list_statement(kPeople, request);
    EXPECT_NE(s.sql.find("(t.last_name, t.first_name, t.id) > ($2::text, $3::text, $4::uuid)"),
              std::string::npos)
        << s.sql;
    EXPECT_NE(s.sql.find("ORDER BY t.last_name, t.first_name, t.id LIMIT"), std::string::npos)
        << s.sql;
    EXPECT_EQ(s.sql.find("jsonb"), std::string::npos)
        << "names the item carries are read from it, not added and taken out: " << s.sql;
}

}  // namespace
}  // namespace cc::query
