#include <gtest/gtest.h>

#include <map>

#include "query-service/audit_trail.hpp"

namespace cc::query {
namespace {

Result<AuditFilter> filter_of(const std::map<std::string, std::string, std::less<>>& query) {
    return audit_filter([&](std::string_view name) -> std::optional<std::string> {
        const auto it = query.find(name);
        if (it == query.end()) return std::nullopt;
        return it->second;
    });
}

std::string field_at_fault(const Result<AuditFilter>& filter) {
    EXPECT_FALSE(filter);
    if (filter || filter.error().fields.empty()) return "";
    EXPECT_EQ(filter.error().type, "bad-filter");
    return filter.error().fields.front().field;
}

TEST(AuditTrail, FiltersAreNormalisedAndBadOnesNameTheirField) {
    const auto filter = filter_of({{"from", "2026-11-01T01:00:00+01:00"},
                                   {"to", "2026-11-02T00:00:00Z"},
                                   {"user_id", "6f1c1bde-2a6c-4a57-9d1b-4f0d1c7b2e10"},
                                   {"action", "PatientUpdated"}});
    ASSERT_TRUE(filter);
    EXPECT_EQ(filter->from, "2026-11-01T00:00:00.000000Z");
    EXPECT_EQ(filter->to, "2026-11-02T00:00:00.000000Z");
    EXPECT_EQ(filter->action, "PatientUpdated");
    EXPECT_FALSE(filter->entity_id);

    EXPECT_EQ(field_at_fault(filter_of({{"from", "yesterday"}})), "from");
    EXPECT_EQ(field_at_fault(filter_of({{"to", "2026-11-02T00:00:00"}})), "to")
        << "a time without an offset is ambiguous";
    EXPECT_EQ(field_at_fault(
                  filter_of({{"from", "2026-11-02T00:00:00Z"}, {"to", "2026-11-02T00:00:00Z"}})),
              "to");
    EXPECT_EQ(field_at_fault(filter_of({{"user_id", "me"}})), "user_id");
    EXPECT_EQ(field_at_fault(filter_of({{"entity_id", "42"}})), "entity_id");
    EXPECT_EQ(field_at_fault(filter_of({{"action", ""}})), "action");
    EXPECT_EQ(field_at_fault(filter_of({{"entity_type", std::string(101, 'x')}})), "entity_type");
}

TEST(AuditTrail, EveryFilterIsABoundParameterOfBothPartsOfTheTrail) {
    AuditFilter filter;
    filter.from = "2026-11-01T00:00:00.000000Z";
    filter.action = "UserUpdated'; DROP TABLE audit_logs; --";
    const auto s = audit_page_statement("t", filter,
                                        AuditCursor{1, "6f1c1bde-2a6c-4a57-9d1b-4f0d1c7b2e10"}, 10);
    EXPECT_EQ(s.sql.find("DROP"), std::string::npos);
    ASSERT_EQ(s.params.size(), 6u);  // tenant, from, action, cursor time and id, limit
    EXPECT_EQ(s.params.back(), "11") << "one more than the page, to know whether one follows";
    // The tenant's own rows and its members' platform rows, each filtered.
    EXPECT_NE(s.sql.find("a.created_at >= $2::timestamptz AND a.action = $3 AND "
                         "(a.created_at, a.id) < ($4::timestamptz, $5::uuid) ORDER BY"),
              std::string::npos)
        << s.sql;
    const auto first = s.sql.find("a.action = $3");
    EXPECT_NE(s.sql.find("a.action = $3", first + 1), std::string::npos) << s.sql;
    EXPECT_NE(s.sql.find("UNION ALL"), std::string::npos);
}

TEST(AuditTrail, CsvFieldsAreQuotedAsRfc4180Says) {
    EXPECT_EQ(csv_field(std::string("plain")), "plain");
    EXPECT_EQ(csv_field(std::nullopt), "") << "NULL is an empty field";
    EXPECT_EQ(csv_field(std::string()), "\"\"") << "an empty string is not NULL";
    EXPECT_EQ(csv_field(std::string("a,b")), "\"a,b\"");
    EXPECT_EQ(csv_field(std::string(R"({"name":"O'Brien"})")), R"("{""name"":""O'Brien""}")");
    EXPECT_EQ(csv_field(std::string("two\r\nlines")), "\"two\r\nlines\"");
    EXPECT_EQ(csv_header().substr(0, 13), "id,tenant_id,");
    EXPECT_EQ(csv_header().substr(csv_header().size() - 31), "stream,seq,prev_hash,row_hash\r\n");
}

TEST(AuditTrail, CursorsAreTimeAndId) {
    const auto cursor = parse_audit_cursor("1764115200000000_6f1c1bde-2a6c-4a57-9d1b-4f0d1c7b2e10");
    ASSERT_TRUE(cursor);
    EXPECT_EQ(cursor->micros, 1764115200000000);
    EXPECT_FALSE(parse_audit_cursor("1764115200000000"));
    EXPECT_FALSE(parse_audit_cursor("x_6f1c1bde-2a6c-4a57-9d1b-4f0d1c7b2e10"));
    EXPECT_FALSE(parse_audit_cursor("1_not-a-uuid"));
}

}  // namespace
}  // namespace cc::query
