#include <gtest/gtest.h>

#include <thread>

#include "query-service/access_cache.hpp"

namespace cc::query {
namespace {

AccessFacts member(const std::string& role) {
    return AccessFacts{true, role, true};
}

TEST(AccessCache, ServesNothingUntilAListenerHearsChanges) {
    AccessCache cache;
    cache.store("u|t|", member("admin"), cache.epoch());
    EXPECT_FALSE(cache.find("u|t|"));
    cache.set_listening(true);
    cache.store("u|t|", member("admin"), cache.epoch());
    ASSERT_TRUE(cache.find("u|t|"));
    EXPECT_EQ(cache.find("u|t|")->role, "admin");
}

TEST(AccessCache, AChangeHeardEmptiesIt) {
    AccessCache cache;
    cache.set_listening(true);
    cache.store("u|t|", member("admin"), cache.epoch());
    cache.invalidate();
    EXPECT_FALSE(cache.find("u|t|"));
}

TEST(AccessCache, WhatWasReadBeforeAChangeWasHeardIsNotKept) {
    AccessCache cache;
    cache.set_listening(true);
    const auto read_under = cache.epoch();
    cache.invalidate();  // heard while the facts were being read
    cache.store("u|t|", member("admin"), read_under);
    EXPECT_FALSE(cache.find("u|t|"));
}

TEST(AccessCache, ALostListenerTurnsItOffAndForgets) {
    AccessCache cache;
    cache.set_listening(true);
    cache.store("u|t|", member("admin"), cache.epoch());
    cache.set_listening(false);
    EXPECT_FALSE(cache.find("u|t|"));
    cache.set_listening(true);
    EXPECT_FALSE(cache.find("u|t|")) << "what was known before the gap may be out of date";
}

TEST(AccessCache, StaysWithinItsSize) {
    AccessCache cache(2);
    cache.set_listening(true);
    cache.store("a", member("admin"), cache.epoch());
    cache.store("b", member("admin"), cache.epoch());
    cache.store("c", member("carer"), cache.epoch());
    EXPECT_TRUE(cache.find("c"));
    EXPECT_FALSE(cache.find("a") && cache.find("b")) << "two entries at most";
}

TEST(FreshAccess, HoldsForItsScopeOnItsThreadOnly) {
    EXPECT_FALSE(FreshAccess::required());
    {
        const FreshAccess outer;
        EXPECT_TRUE(FreshAccess::required());
        {
            const FreshAccess inner;
            EXPECT_TRUE(FreshAccess::required());
        }
        EXPECT_TRUE(FreshAccess::required()) << "an inner scope leaves the outer one's";
        bool elsewhere = true;
        std::thread([&] { elsewhere = FreshAccess::required(); }).join();
        EXPECT_FALSE(elsewhere);
    }
    EXPECT_FALSE(FreshAccess::required());
}

}  // namespace
}  // namespace cc::query
