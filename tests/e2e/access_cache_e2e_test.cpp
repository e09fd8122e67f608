// The query service keeps access facts between requests (query-service/
// access_cache.hpp): a member's reads are answered from what it heard, and
// a change the projector commits (a revoked membership) empties it.
#include <gtest/gtest.h>

#include "platform/core/uuid.hpp"
#include "tests/support/backend_test.hpp"
#include "tests/support/prometheus.hpp"

namespace cc {
namespace {

using testing::BackendTest;
using testing::http_request;
using testing::HttpResponse;

class AccessCacheEndToEnd : public BackendTest {
  protected:
    HttpResponse read_as(const std::string& token, const std::string& target) {
        return http_request(stack().query_port, "GET", target, "",
                            {{"Authorization", "Bearer " + token}});
    }
    double checks(const std::string& source) {
        const auto page = http_request(stack().query_port, "GET", "/metrics").body;
        return testing::metric_sample(page, "query_access_checks_total",
                                      {"source=\"" + source + "\""})
            .value_or(0);
    }
};

TEST_P(AccessCacheEndToEnd, AMembersReadsAreCheckedFromTheCacheUntilTheMembershipIsRevoked) {
    const auto tenant = new_tenant("Cache", "cache-" + unique_suffix());
    const auto member =
        new_member(tenant, "clinician", "cached-" + unique_suffix() + "@example.org");
    const auto token = stack().token_for(UserId(*Uuid::parse(member.id)));
    const auto patients = tenant + "/patients";
    ASSERT_EQ(read_as(token, patients + "?min_position=" + member.granted).status, 200);

    // Once the facts are known, reads are checked without the database.
    // The listener may empty the cache at any moment (other tests' changes),
    // so a hit is waited for, not assumed on the second read.
    const double hits_before = checks("cache");
    EXPECT_TRUE(testing::eventually([&] {
        EXPECT_EQ(read_as(token, patients).status, 200);
        return checks("cache") > hits_before;
    })) << "reads of a known member never came from the cache";

    const auto revoked = command("DELETE", tenant + "/members/" + member.id);
    ASSERT_EQ(revoked.status, 200) << revoked.body;
    // A read that names the revocation's position is checked against the
    // database, whatever the cache has heard so far.
    EXPECT_EQ(read_as(token, patients + "?min_position=" + position_of(revoked)).status, 404);
    // And once the change is committed, the cache forgets the membership:
    // without that, this read would be answered 200 from it for ever.
    EXPECT_TRUE(testing::eventually([&] { return read_as(token, patients).status == 404; }));
}

INSTANTIATE_TEST_SUITE_P(Logs, AccessCacheEndToEnd,
                         ::testing::Values(eventlog::Backend::postgres, eventlog::Backend::kafka),
                         [](const auto& param_info) {
                             return testing::backend_name(param_info.param);
                         });

}  // namespace
}  // namespace cc
