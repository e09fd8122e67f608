#include <gtest/gtest.h>

#include "events/envelope.hpp"
#include "platform/core/json.hpp"
#include "platform/eventlog/event_log.hpp"

namespace cc::events {
namespace {

Envelope sample() {
    Envelope e;
    e.event_id = EventId::generate();
    e.event_type = "TenantCreated";
    e.schema_version = 1;
    e.tenant_id = TenantId::generate();
    e.aggregate_type = "tenant";
    e.aggregate_id = e.tenant_id.uuid();
    e.aggregate_version = 1;
    e.occurred_at = Timestamp::from_micros(1'795'000'000'123'456);
    e.actor = UserId::generate();
    e.request.ip = "127.0.0.1";
    e.request.user_agent = "curl/8";
    e.request.request_id = "req-1";
    e.correlation_id = Uuid::random_v4();
    e.payload = {{"name", "Sunrise \"Care\" ✓"}, {"slug", "sunrise"}, {"domain", nullptr}};
    return e;
}

TEST(Envelope, RoundTripsEveryField) {
    const auto original = sample();
    auto parsed = parse_envelope(serialize(original));
    ASSERT_TRUE(parsed.ok()) << parsed.error().detail;
    EXPECT_EQ(*parsed, original);
}

TEST(Envelope, TimestampKeepsMicroseconds) {
    const auto text = serialize(sample());
    EXPECT_NE(text.find("\"occurred_at\":\"2026-11-18T"), std::string::npos) << text;
    EXPECT_NE(text.find(".123456Z\""), std::string::npos) << text;
}

TEST(Envelope, RejectsMissingOrMistypedFields) {
    auto object = json::parse_object(serialize(sample()));
    ASSERT_TRUE(object.ok());
    for (const char* field :
         {"event_id", "event_type", "aggregate_version", "payload", "occurred_at"}) {
        auto copy = *object;
        copy.erase(field);
        EXPECT_FALSE(parse_envelope(json::serialize(copy)).ok()) << field;
    }
    auto bad_uuid = *object;
    bad_uuid["tenant_id"] = "not-a-uuid";
    EXPECT_FALSE(parse_envelope(json::serialize(bad_uuid)).ok());
    auto bad_version = *object;
    bad_version["aggregate_version"] = 0;
    EXPECT_FALSE(parse_envelope(json::serialize(bad_version)).ok());
    EXPECT_FALSE(parse_envelope("{\"truncated\": ").ok());
    EXPECT_FALSE(parse_envelope("[1,2]").ok());
}

// Found by fuzz/jwt.cpp: simdjson 3.0's get_number() reads a fraction with
// more than 19 integer digits as 0.
TEST(Json, ReadsLongFractionsAsTheirValue) {
    const auto parsed = json::parse(R"([12345678901234567890.5, 1e-400, 0.1])");
    ASSERT_TRUE(parsed.ok());
    const auto& numbers = parsed->as_array();
    EXPECT_DOUBLE_EQ(numbers.at(0).as_double(), 12345678901234567890.5);
    EXPECT_EQ(numbers.at(1).as_double(), 0.0);
    EXPECT_EQ(numbers.at(2).as_double(), 0.1);
}

TEST(Json, RejectsTrailingGarbageAndDeepNesting) {
    EXPECT_FALSE(json::parse_object("{} {}").ok());
    EXPECT_FALSE(json::parse_object("{\"a\": tru}").ok());
    EXPECT_FALSE(json::parse_object("{\"a\": \"\xff\"}").ok()) << "invalid UTF-8";
    EXPECT_FALSE(json::parse_object(std::string(100, '[') + std::string(100, ']')).ok());
    EXPECT_TRUE(json::parse_object(R"({"a": [1, 2.5, -3, true, null, {"b": "c"}]})").ok());
}

TEST(Time, ParsesAndFormatsRfc3339) {
    auto t = Timestamp::parse("2026-11-24T18:29:09.5Z");
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(t->to_string(), "2026-11-24T18:29:09.500000Z");
    EXPECT_FALSE(Timestamp::parse("2026-11-24 18:29:09").has_value());
    EXPECT_FALSE(Timestamp::parse("2026-13-24T18:29:09Z").has_value());
}

TEST(Uuid, ParsesCanonicalFormOnly) {
    const auto id = Uuid::random_v4();
    EXPECT_EQ(Uuid::parse(id.to_string()), id);
    EXPECT_FALSE(Uuid::parse("1234").has_value());
    EXPECT_FALSE(Uuid::parse("zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz").has_value());
    EXPECT_EQ(Uuid::parse("0123ABCD-89ab-cdEF-0000-ffffffffffff")->to_string(),
              "0123abcd-89ab-cdef-0000-ffffffffffff");
    // One bad character anywhere, or a dash out of place, refuses it.
    const std::string good = "0123abcd-89ab-cdef-0000-ffffffffffff";
    for (std::size_t i = 0; i < good.size(); ++i) {
        auto bad = good;
        bad[i] = bad[i] == '-' ? 'a' : 'g';
        EXPECT_FALSE(Uuid::parse(bad).has_value()) << bad;
    }
    EXPECT_FALSE(Uuid::parse("0123abcd0-9ab-cdef-0000-ffffffffffff").has_value());
    EXPECT_NE(Uuid::random_v4(), Uuid::random_v4());
}

TEST(Position, TextFormRoundTrips) {
    const eventlog::Position p{3, 1042};
    EXPECT_EQ(p.to_string(), "3:1042");
    EXPECT_EQ(eventlog::Position::parse("3:1042"), p);
    EXPECT_FALSE(eventlog::Position::parse("3:").has_value());
    EXPECT_FALSE(eventlog::Position::parse("-1:2").has_value());
    EXPECT_FALSE(eventlog::Position::parse("3:4x").has_value());
}

TEST(Partitioning, IsStableAndInRange) {
    // FNV-1a is part of the log's contract (export/import between adapters).
    EXPECT_EQ(eventlog::partition_for("", 8), static_cast<int>(2166136261u % 8));
    for (int i = 0; i < 100; ++i) {
        const auto key = Uuid::random_v4().to_string();
        const int p = eventlog::partition_for(key, 8);
        EXPECT_GE(p, 0);
        EXPECT_LT(p, 8);
        EXPECT_EQ(p, eventlog::partition_for(key, 8));
    }
}

}  // namespace
}  // namespace cc::events
