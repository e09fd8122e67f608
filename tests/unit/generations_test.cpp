// Projection generations without I/O: names and their schemas, the life of
// a generation, where an as-of replay stops, and who may read a past state.
#include <gtest/gtest.h>

#include "platform/generations/generation.hpp"
#include "query-service/as_of.hpp"

namespace cc::generations {
namespace {

const Timestamp kNow = *Timestamp::parse("2026-11-26T04:00:00Z");

TEST(GenerationNames, ArePlainIdentifiersWhoseSchemaIsPrefixed) {
    EXPECT_TRUE(check_name("inspection_2026_q3").ok());
    EXPECT_TRUE(check_name("a").ok());
    for (const auto* bad : {"", "2026", "Upper", "with-dash", "semi;colon", "quote\"",
                            "a_name_that_is_far_too_long_for_a_schema_x"}) {
        const auto checked = check_name(bad);
        ASSERT_FALSE(checked.ok()) << bad;
        EXPECT_EQ(checked.error().type, "bad-generation-name");
    }
    EXPECT_EQ(schema_for("inspection"), "gen_inspection");
    EXPECT_EQ(rebuild_name(kNow), "rebuild_20261126_040000");
    EXPECT_TRUE(check_name(rebuild_name(kNow)).ok());
}

TEST(GenerationStates, ALiveGenerationIsBuiltThenCurrentThenRetired) {
    EXPECT_EQ(*next_state(Kind::live, State::building, Step::caught_up), State::current);
    EXPECT_EQ(*next_state(Kind::live, State::current, Step::superseded), State::retired);
    EXPECT_EQ(*next_state(Kind::live, State::retired, Step::drop), State::dropped);
    EXPECT_EQ(*next_state(Kind::live, State::building, Step::drop), State::dropped)
        << "a rebuild is cancelled by dropping it";
}

TEST(GenerationStates, AnAsOfGenerationBecomesReadyNeverCurrent) {
    EXPECT_EQ(*next_state(Kind::as_of, State::building, Step::caught_up), State::ready);
    EXPECT_FALSE(next_state(Kind::as_of, State::ready, Step::superseded).ok());
    EXPECT_EQ(*next_state(Kind::as_of, State::ready, Step::drop), State::dropped);
}

TEST(GenerationStates, WhatReadersUseCannotBeDroppedAndNothingComesBack) {
    const auto refused = next_state(Kind::live, State::current, Step::drop);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().type, "generation-current");
    EXPECT_EQ(refused.error().kind, ErrorKind::conflict);
    EXPECT_EQ(next_state(Kind::live, State::dropped, Step::drop).error().type, "generation-state");
    EXPECT_FALSE(next_state(Kind::live, State::retired, Step::caught_up).ok());
    EXPECT_FALSE(next_state(Kind::live, State::building, Step::superseded).ok());
}

TEST(GenerationStates, TheLiveWorkerAppliesToTheCurrentOneABuilderToOneBuilding) {
    EXPECT_TRUE(accepts_events(State::current, false));
    EXPECT_FALSE(accepts_events(State::retired, false));
    EXPECT_FALSE(accepts_events(State::building, false));
    EXPECT_TRUE(accepts_events(State::building, true));
    EXPECT_FALSE(accepts_events(State::dropped, true));
    EXPECT_EQ(to_string(State::ready), "ready");
    EXPECT_EQ(parse_state("retired"), State::retired);
    EXPECT_EQ(parse_kind("as_of"), Kind::as_of);
    EXPECT_FALSE(parse_state("gone"));
}

TEST(AsOf, IsAnRfc3339InstantOrALogPosition) {
    const auto time = parse_as_of("2026-11-01T09:00:00+01:00", kNow);
    ASSERT_TRUE(time.ok());
    EXPECT_EQ(time->time, Timestamp::parse("2026-11-01T08:00:00Z"));
    EXPECT_FALSE(time->position);
    const auto position = parse_as_of("3:1042", kNow);
    ASSERT_TRUE(position.ok());
    EXPECT_EQ(position->position, (eventlog::Position{3, 1042}));
    EXPECT_EQ(position->text, "3:1042");
    EXPECT_EQ(parse_as_of("yesterday", kNow).error().type, "bad-as-of");
    EXPECT_EQ(parse_as_of("2027-01-01T00:00:00Z", kNow).error().type, "as-of-in-future");
}

TEST(AsOfCut, ATimeCutAdmitsWhatOccurredByThenInEveryPartition) {
    const AsOfCut cut(kNow, std::nullopt);
    EXPECT_TRUE(cut.admits(0, 7, Timestamp::from_micros(kNow.micros() - 1)));
    EXPECT_TRUE(cut.admits(5, 0, kNow)) << "at the instant itself: included";
    EXPECT_FALSE(cut.admits(0, 8, Timestamp::from_micros(kNow.micros() + 1)));
    EXPECT_TRUE(cut.admits(0, 9, std::nullopt)) << "unreadable: parked as live, not dropped";
}

TEST(AsOfCut, APositionCutEndsItsPartitionAtThatEventAndTheOthersAtItsTime) {
    const AsOfCut cut(kNow, eventlog::Position{2, 40});
    EXPECT_TRUE(cut.admits(2, 40, kNow)) << "the event named is in the state";
    EXPECT_FALSE(cut.admits(2, 41, kNow))
        << "nothing after it in its partition, same instant or not";
    EXPECT_TRUE(cut.admits(1, 900, kNow));
    EXPECT_FALSE(cut.admits(1, 901, Timestamp::from_micros(kNow.micros() + 1)));
}

TEST(AsOfReplay, APartitionEndsAtItsFirstRefusedRecordAndRereadsBeforeItAreAdmitted) {
    AsOfReplay replay(AsOfCut(kNow, std::nullopt));
    const auto at = [](std::vector<std::int64_t> micros) {
        return [micros](std::size_t i) {
            return std::optional<Timestamp>(Timestamp::from_micros(micros[i]));
        };
    };
    const auto t = kNow.micros();
    const std::vector<std::int64_t> first{0, 1, 2, 3};
    EXPECT_EQ(replay.admitted(1, first, at({t - 3, t - 2, t + 1, t - 1})), 2u)
        << "the record after the cut ends the partition, and a later one before the cut too";
    EXPECT_EQ(replay.end_of(1), 2);
    EXPECT_FALSE(replay.end_of(0));
    // The partition waited for a reference at offset 1: read again from there.
    const std::vector<std::int64_t> again{1, 2, 3};
    int asked = 0;
    EXPECT_EQ(replay.admitted(1, again,
                              [&](std::size_t) {
                                  ++asked;
                                  return std::optional<Timestamp>(kNow);
                              }),
              1u);
    EXPECT_EQ(asked, 0) << "decided by where the partition ended";
    const std::vector<std::int64_t> past{5, 6};
    EXPECT_EQ(replay.admitted(1, past, at({t - 9, t - 9})), 0u);
    const std::vector<std::int64_t> other{0};
    EXPECT_EQ(replay.admitted(0, other, at({t})), 1u) << "partitions end apart";
}

}  // namespace
}  // namespace cc::generations

namespace cc::query {
namespace {

TEST(AsOfReads, TheTenantOfAPath) {
    EXPECT_EQ(tenant_in_path("/v1/tenants/abc/patients/1"), "abc");
    EXPECT_EQ(tenant_in_path("/v1/tenants/abc"), "abc");
    EXPECT_FALSE(tenant_in_path("/v1/tenants"));
    EXPECT_FALSE(tenant_in_path("/v1/tenants/"));
    EXPECT_FALSE(tenant_in_path("/v1/users/me"));
}

TEST(AsOfReads, OnlyATenantsAdminsAndAuditorsOrPlatformAdminsOutsideTenants) {
    const auth::Caller member{UserId::generate(), false};
    const auth::Caller platform{UserId::generate(), true};
    EXPECT_TRUE(may_read_as_of(member, true, "auditor").ok());
    EXPECT_TRUE(may_read_as_of(member, true, "admin").ok());
    for (const auto* role : {"manager", "clinician", "carer", "finance", "viewer"}) {
        const auto refused = may_read_as_of(member, true, std::string_view(role));
        ASSERT_FALSE(refused.ok()) << role;
        EXPECT_EQ(refused.error().kind, ErrorKind::forbidden);
        EXPECT_EQ(refused.error().type, "as-of-forbidden");
    }
    EXPECT_EQ(may_read_as_of(member, true, std::nullopt).error().kind, ErrorKind::forbidden)
        << "a non-member is refused as others are: 403 whether the tenant exists or not";
    EXPECT_EQ(may_read_as_of(platform, true, std::nullopt).error().kind, ErrorKind::forbidden)
        << "platform administration is not access to care records";
    EXPECT_TRUE(may_read_as_of(platform, false, std::nullopt).ok());
    EXPECT_FALSE(may_read_as_of(member, false, std::nullopt).ok());
}

TEST(AsOfReads, AQueryParameterOrAHeaderNamingOneGenerationWithoutAWait) {
    EXPECT_FALSE(*requested_as_of(std::nullopt, std::nullopt, true));
    EXPECT_EQ(*requested_as_of("q3", std::nullopt, false), "q3");
    EXPECT_EQ(*requested_as_of(std::nullopt, "q3", false), "q3");
    EXPECT_EQ(*requested_as_of("q3", "q3", false), "q3");
    EXPECT_EQ(requested_as_of("q3", "q4", false).error().type, "as-of-conflict");
    EXPECT_EQ(requested_as_of("q3", std::nullopt, true).error().type, "as-of-with-min-position");
    EXPECT_EQ(unknown_as_of("q3").kind, ErrorKind::not_found);
}

}  // namespace
}  // namespace cc::query
