#include <gtest/gtest.h>

#include <thread>

#include "platform/core/no_blocking.hpp"
#include "platform/http/router.hpp"

namespace cc {
namespace {

http::Response ok(http::Request&) {
    return http::Response::empty(204);
}

TEST(Router, SaysWhichRoutesDeclineToBlock) {
    http::Router router;
    router.add("POST", "/v1/tenants/{tenant_id}/patients", ok, http::Blocking::declines);
    router.add("GET", "/v1/tenants/{tenant_id}/patients/{id}", ok, http::Blocking::declines);
    router.add("POST", "/v1/tenants/{tenant_id}/documents", ok);
    EXPECT_TRUE(router.declines_to_block("POST", "/v1/tenants/t1/patients"));
    EXPECT_TRUE(router.declines_to_block("HEAD", "/v1/tenants/t1/patients/p1")) << "HEAD is GET";
    EXPECT_FALSE(router.declines_to_block("POST", "/v1/tenants/t1/documents")) << "may block";
    EXPECT_FALSE(router.declines_to_block("DELETE", "/v1/tenants/t1/patients")) << "no such route";
    EXPECT_FALSE(router.declines_to_block("POST", "/v1/tenants/t1/unknown"));
}

TEST(NoBlocking, IsActiveOnlyInsideItsScopeAndEachScopeKnowsWhatDeclinedInIt) {
    EXPECT_FALSE(NoBlocking::active());
    NoBlocking::decline();  // outside any scope: nothing to tell
    const NoBlocking outer;
    EXPECT_TRUE(NoBlocking::active());
    {
        const NoBlocking inner;
        NoBlocking::decline();
        EXPECT_TRUE(inner.declined());
    }
    EXPECT_TRUE(NoBlocking::active());
    EXPECT_FALSE(outer.declined()) << "what declined inside the inner scope was its own";
    NoBlocking::decline();
    EXPECT_TRUE(outer.declined());
}

TEST(NoBlocking, DeclinesAWaitOnlyInsideItsScope) {
    EXPECT_FALSE(NoBlocking::declines()) << "outside a scope the caller may wait";
    const NoBlocking attempt;
    EXPECT_TRUE(NoBlocking::declines());
    EXPECT_TRUE(attempt.declined());
}

TEST(NoBlocking, IsAThreadsOwn) {
    const NoBlocking here;
    bool elsewhere = true;
    std::thread([&] { elsewhere = NoBlocking::active(); }).join();
    EXPECT_FALSE(elsewhere);
}

}  // namespace
}  // namespace cc
