// The audit trail's hash chain without a database: canonical content,
// links, and how each kind of tampering is told apart.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "command-service/audit/chain_head.hpp"
#include "events/audit_events.hpp"
#include "platform/audit/chain.hpp"
#include "platform/core/hash.hpp"
#include "tests/support/envelope_of.hpp"
#include "tests/support/event_contract.hpp"

namespace cc::audit {
namespace {

TEST(CanonicalJson, SortsKeysByBytesWhateverTheInputOrderAndSpacing) {
    // jsonb prints keys shortest first; the canonical form does not care.
    const auto from_jsonb =
        canonical_json(R"({"b": 1, "aa": [true, null], "ab": {"y": 2, "x": "s"}})");
    const auto reordered = canonical_json(R"({"ab":{"x":"s","y":2},"aa":[true,null],"b":1})");
    ASSERT_TRUE(from_jsonb.ok());
    ASSERT_TRUE(reordered.ok());
    EXPECT_EQ(*from_jsonb, R"({"aa":[true,null],"ab":{"x":"s","y":2},"b":1})");
    EXPECT_EQ(*from_jsonb, *reordered);
}

TEST(CanonicalJson, EscapesOneWayAndKeepsNumbersAsWritten) {
    const auto canonical =
        canonical_json(R"(["\u00e9\/\u0001\n", "é", 1.50, -0.0, 1E+2, "\ud83d\ude00"])");
    ASSERT_TRUE(canonical.ok());
    EXPECT_EQ(*canonical,
              "[\"\xC3\xA9/\\u0001\\n\",\"\xC3\xA9\",1.50,-0.0,1E+2,\"\xF0\x9F\x98\x80\"]");
}

TEST(CanonicalJson, RefusesWhatIsNotJson) {
    for (const char* bad : {"", "{", R"({"a":1,"a":2})", "[1,]", "01", "\"\\ud800\"", "\"\x01\"",
                            "\"\xC0\xAF\"", "[1] x", "tru"}) {
        EXPECT_FALSE(canonical_json(bad).ok()) << bad;
    }
}

AuditRow row(std::string id, std::string details = R"({"changes": {}})") {
    return AuditRow{std::move(id),      "11111111-1111-4111-8111-111111111111",
                    std::nullopt,       "PatientRegistered",
                    "patient",          "22222222-2222-4222-8222-222222222222",
                    std::move(details), "10.0.0.1",
                    std::nullopt,       "2026-11-24T18:29:09.123456Z"};
}

TEST(CanonicalContent, IsTheDocumentedObject) {
    const auto content =
        canonical_content(row("33333333-3333-4333-8333-333333333333", R"({"z": "\"q\"", "a": 1})"));
    ASSERT_TRUE(content.ok());
    EXPECT_EQ(*content,
              R"({"action":"PatientRegistered","created_at":"2026-11-24T18:29:09.123456Z",)"
              R"("details":{"a":1,"z":"\"q\""},"entity_id":"22222222-2222-4222-8222-222222222222",)"
              R"("entity_type":"patient","id":"33333333-3333-4333-8333-333333333333",)"
              R"("ip_address":"10.0.0.1","tenant_id":"11111111-1111-4111-8111-111111111111",)"
              R"("user_agent":null,"user_id":null})");
    // The hash is SHA-256 over prev_hash then those bytes.
    EXPECT_EQ(link_hash(kGenesisHash, *content), sha256_hex(std::string(kGenesisHash) + *content));
}

TEST(Extend, ChainsEachTenantAndStreamOnItsOwnHead) {
    Heads heads;
    heads[{"11111111-1111-4111-8111-111111111111", "changes"}] = Head{7, std::string(64, 'a')};
    auto other = row("44444444-4444-4444-8444-444444444444");
    other.tenant_id = "55555555-5555-4555-8555-555555555555";
    const std::vector<Chained> rows{{row("33333333-3333-4333-8333-333333333333"), "changes"},
                                    {other, "changes"},
                                    {row("66666666-6666-4666-8666-666666666666"), "changes"},
                                    {row("77777777-7777-4777-8777-777777777777"), "access"}};
    const auto links = extend(heads, rows);
    ASSERT_TRUE(links.ok());
    ASSERT_EQ(links->size(), 4u);
    EXPECT_EQ((*links)[0].seq, 8);
    EXPECT_EQ((*links)[0].prev_hash, std::string(64, 'a'));
    EXPECT_EQ((*links)[1].seq, 1);
    EXPECT_EQ((*links)[1].prev_hash, kGenesisHash);
    EXPECT_EQ((*links)[2].seq, 9);
    EXPECT_EQ((*links)[2].prev_hash, (*links)[0].row_hash);
    EXPECT_EQ((*links)[3].seq, 1);
    EXPECT_EQ((*links)[3].stream, "access");
    EXPECT_EQ(heads.at({"11111111-1111-4111-8111-111111111111", "changes"}).row_hash,
              (*links)[2].row_hash);
}

// A chain of n rows as the projector writes it.
std::vector<ChainEntry> chain_of(int n) {
    Heads heads;
    std::vector<Chained> rows;
    for (int i = 0; i < n; ++i) {
        rows.push_back({row("00000000-0000-4000-8000-00000000000" + std::to_string(i),
                            R"({"n": )" + std::to_string(i) + "}"),
                        "changes"});
    }
    const auto links = extend(heads, rows);
    std::vector<ChainEntry> entries;
    for (int i = 0; i < n; ++i) entries.push_back({(*links)[i], rows[i].row});
    return entries;
}

TEST(VerifyChain, AnIntactChainHolds) {
    EXPECT_FALSE(verify_chain(chain_of(5)).has_value());
}

TEST(VerifyChain, NamesAnEditedRow) {
    auto entries = chain_of(5);
    entries[2].row->details = R"({"n": 99})";
    const auto found = verify_chain(entries);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->kind, Tampering::edited);
    EXPECT_EQ(found->seq, 3);
}

TEST(VerifyChain, NamesADeletedRowByTheGapOrTheMissingRow) {
    auto gap = chain_of(5);
    gap.erase(gap.begin() + 1);
    auto found = verify_chain(gap);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->kind, Tampering::deleted);
    EXPECT_EQ(found->seq, 3);

    auto rowless = chain_of(5);
    rowless[3].row.reset();
    found = verify_chain(rowless);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->kind, Tampering::deleted);
    EXPECT_EQ(found->seq, 4);
}

TEST(VerifyChain, NamesReorderedLinksAndReorderedRows) {
    auto links_swapped = chain_of(5);
    std::swap(links_swapped[1].link.seq, links_swapped[2].link.seq);
    std::swap(links_swapped[1], links_swapped[2]);  // sorted by seq again
    auto found = verify_chain(links_swapped);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->kind, Tampering::reordered);
    EXPECT_EQ(found->seq, 2);

    auto rows_swapped = chain_of(5);
    std::swap(rows_swapped[1].row, rows_swapped[2].row);
    found = verify_chain(rows_swapped);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->kind, Tampering::reordered);
    EXPECT_EQ(found->seq, 2);
}

TEST(VerifyChain, NamesAForgedRowPutInBetweenWithAWellMadeLink) {
    auto entries = chain_of(5);
    // The forger knows the algorithm: the forged link is right, but the
    // genuine row after it still names the row before it.
    auto forged = row("99999999-9999-4999-8999-999999999999", R"({"forged": true})");
    const auto prev = entries[1].link.row_hash;
    Link link{forged.id, forged.tenant_id,
              "changes", 3,
              prev,      link_hash(prev, *canonical_content(forged))};
    for (std::size_t i = 2; i < entries.size(); ++i) ++entries[i].link.seq;
    entries.insert(entries.begin() + 2, ChainEntry{link, forged});
    const auto found = verify_chain(entries);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->kind, Tampering::inserted);
    EXPECT_EQ(found->seq, 3);
    EXPECT_EQ(found->audit_log_id, forged.id);
}

TEST(VerifyChain, NamesARewrittenLink) {
    auto entries = chain_of(5);
    // The row and its own hash rewritten together: the next link no longer follows.
    entries[1].row->details = R"({"n": 42})";
    entries[1].link.row_hash =
        link_hash(entries[1].link.prev_hash, *canonical_content(*entries[1].row));
    const auto found = verify_chain(entries);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->kind, Tampering::link_altered);
    EXPECT_EQ(found->seq, 3);
}

TEST(ChainHeads, PublishesWhatMovedButNotTheRowOfAPublishedHead) {
    const auto tenant = TenantId::generate();
    const auto other = TenantId::generate();
    const std::vector<command::ChainHead> heads{
        {tenant, "changes", 5, std::string(64, 'a'), "PatientRegistered"},
        {tenant, "access", 2, std::string(64, 'b'), "view"},
        // Nothing happened since its last head was published but that event's own row.
        {other, "changes", 9, std::string(64, 'c'),
         std::string(events::audit::kChainHeadRecorded)}};
    const command::PublishedHeads published{{{tenant, "access"}, 2}, {{tenant, "changes"}, 4}};
    const auto due = command::heads_to_publish(heads, published);
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].stream, "changes");
    EXPECT_EQ(due[0].seq, 5);

    const auto decision = command::chain_head_decision(due[0], [](const Uuid&) { return 0; });
    ASSERT_EQ(decision.events.size(), 1u);
    const auto& event = decision.events[0];
    EXPECT_EQ(event.event_type, events::audit::kChainHeadRecorded);
    EXPECT_EQ(event.tenant_id, tenant);
    EXPECT_EQ(event.aggregate_version, 1);
    EXPECT_EQ(event.payload,
              (boost::json::object{
                  {"stream", "changes"}, {"seq", 5}, {"row_hash", std::string(64, 'a')}}));
    // As the bus wraps it: the published schemas and AsyncAPI hold it.
    EXPECT_EQ(testing::event_contract_violations(testing::envelope_of(event)),
              std::vector<std::string>{});
}

TEST(ChainHeads, APlatformChainsHeadLandsInThePartitionOfItsRows) {
    EXPECT_EQ(chain_stream("changes", kPlatformTenant.to_string(), 3), "changes.p3");
    EXPECT_EQ(chain_partition("changes.p3"), 3);
    EXPECT_EQ(chain_partition("changes"), std::nullopt);
    const auto partition_of = [](const Uuid& id) {
        return static_cast<int>(id.to_string()[7]) % 4;
    };
    const command::ChainHead head{kPlatformTenant, "changes.p3", 7, std::string(64, 'd'),
                                  "UserRegistered"};
    for (int i = 0; i < 20; ++i) {
        const auto decision = command::chain_head_decision(head, partition_of);
        EXPECT_EQ(partition_of(decision.events[0].aggregate_id), 3);
        EXPECT_EQ(decision.events[0].tenant_id, kPlatformTenant);
    }
}

}  // namespace
}  // namespace cc::audit
