// The export file's line format: a record comes back byte for byte, whatever
// its value, and a line the export would not have written is refused rather
// than read as something else.
#include <gtest/gtest.h>

#include "cli/log_transfer.hpp"

namespace cc::cli {
namespace {

eventlog::LogRecord record_with(std::string value) {
    return {3,
            17,
            "9b2f4c1e-0d7a-4c56-9a51-1f0e6b8d2a44",
            std::move(value),
            {{"event_type", "PatientRegistered"}, {"content-type", "application/json"}}};
}

void expect_round_trip(const eventlog::LogRecord& original) {
    const auto line = encode_record(original);
    EXPECT_EQ(line.find('\n'), std::string::npos) << "one record, one line";
    const auto decoded = decode_record(line);
    ASSERT_TRUE(decoded.ok()) << decoded.error().detail << "\n" << line;
    EXPECT_EQ(decoded->partition, original.partition);
    EXPECT_EQ(decoded->offset, original.offset);
    EXPECT_EQ(decoded->key, original.key);
    EXPECT_EQ(decoded->value, original.value);
    EXPECT_EQ(decoded->headers, original.headers);
}

TEST(LogFileRecord, AJsonValueIsEmbeddedAsItIsAndComesBackByteForByte) {
    // Whitespace, key order, escapes and a number no double holds: all kept.
    const auto original = record_with(
        R"(  {"b" : 1 ,"a":[ ],"n":12345678901234567890.10,"s":"caf\u00e9 \"q\" é"}  )");
    const auto line = encode_record(original);
    EXPECT_NE(line.find(R"("value":  {"b" : 1 ,)"), std::string::npos)
        << "readable with jq as JSON, not a string: " << line;
    expect_round_trip(original);
}

TEST(LogFileRecord, AValueThatIsNotSingleLineJsonTravelsAsAString) {
    for (const std::string_view value : {"value-0", "{\"a\":\n1}", "", "{\"open\":"}) {
        const auto original = record_with(std::string(value));
        EXPECT_NE(encode_record(original).find("\"value_text\":"), std::string::npos) << value;
        expect_round_trip(original);
    }
}

TEST(LogFileRecord, AValueThatIsNotTextTravelsInBase64) {
    for (const std::string& value :
         {std::string("\xff\xfe"), std::string("a\0b\x80", 4), std::string("\xc3")}) {
        const auto original = record_with(value);
        EXPECT_NE(encode_record(original).find("\"value_base64\":"), std::string::npos);
        expect_round_trip(original);
    }
}

TEST(LogFileRecord, KeysAndHeadersWithQuotesAndValueLookalikesRoundTrip) {
    auto original = record_with(R"({"x":1})");
    original.key = R"(a "key", "value":{})";
    original.headers = {{"value", R"("value":2})"}, {"", ""}};
    expect_round_trip(original);
}

TEST(LogFileRecord, ALineNotInTheExportsFormIsRefused) {
    const auto line = encode_record(record_with(R"({"x":1})"));
    ASSERT_TRUE(decode_record(line).ok());
    // Reformatted (still the same JSON): the value's bytes could not be told apart.
    auto spaced = line;
    spaced.insert(spaced.find(",\"offset\""), " ");
    EXPECT_FALSE(decode_record(spaced).ok());
    // More members after the value, or a duplicate key that a parser folds away.
    auto extra = line;
    extra.insert(extra.size() - 1, R"(,"more":1)");
    EXPECT_FALSE(decode_record(extra).ok());
    auto duplicate = line;
    duplicate.insert(duplicate.size() - 1, R"(,"partition":3)");
    EXPECT_FALSE(decode_record(duplicate).ok());
    EXPECT_FALSE(decode_record(R"({"partition":0,"offset":0,"key":"k","headers":[]})").ok())
        << "no value";
    EXPECT_FALSE(
        decode_record(R"({"partition":-1,"offset":0,"key":"k","headers":[],"value":1})").ok());
    EXPECT_FALSE(decode_record("not json").ok());
}

TEST(LogFileHeader, RoundTripsWithPaddingAndRefusesOtherFilesAndVersions) {
    LogFileHeader header{.topic = "event_log",
                         .backend = "postgres",
                         .partitions = 2,
                         .records = 5,
                         .partition_records = {2, 3},
                         .exported_at = "2026-11-25T10:00:00.000000Z"};
    const auto decoded = decode_header(encode_header(header) + "      ");
    ASSERT_TRUE(decoded.ok()) << decoded.error().detail;
    EXPECT_EQ(decoded->partitions, 2);
    EXPECT_EQ(decoded->records, 5);
    EXPECT_EQ(decoded->partition_records, (std::vector<std::int64_t>{2, 3}));
    EXPECT_EQ(decoded->topic, "event_log");

    EXPECT_FALSE(
        decode_header(R"({"partition":0,"offset":0,"key":"k","headers":[],"value":1})").ok())
        << "a record is not a header: a file without its first line";
    EXPECT_EQ(decoded->stream, kDomainStream);
    header.stream = std::string(kAccessStream);
    EXPECT_EQ(decode_header(encode_header(header))->stream, kAccessStream);
    header.stream = "gossip";
    EXPECT_FALSE(decode_header(encode_header(header)).ok()) << "a stream this build has not";
    header.stream = std::string(kDomainStream);
    // A version 1 file (before the access stream was exported) is the domain log.
    const auto first = decode_header(
        R"({"format":"complexcare-log","version":1,"topic":"event_log","backend":"postgres",)"
        R"("partitions":1,"records":0,"partition_records":[0],"exported_at":"x"})");
    ASSERT_TRUE(first.ok()) << first.error().detail;
    EXPECT_EQ(first->stream, kDomainStream);
    header.version = kLogFileVersion + 1;
    const auto newer = decode_header(encode_header(header));
    ASSERT_FALSE(newer.ok());
    EXPECT_NE(newer.error().detail.find("version " + std::to_string(kLogFileVersion + 1)),
              std::string::npos);
    header.version = kLogFileVersion;
    header.partition_records = {5};
    EXPECT_FALSE(decode_header(encode_header(header)).ok()) << "a count for each partition";
}

}  // namespace
}  // namespace cc::cli
