// One contract, two adapters: every test runs against the directory store
// in a temporary folder and against the S3 adapter talking to a real
// S3-protocol server (s3rver) on loopback.
#include <gtest/gtest.h>

#include <unistd.h>
#include <chrono>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>

#include "platform/blob/directory_store.hpp"
#include "platform/blob/s3_store.hpp"
#include "platform/core/hash.hpp"
#include "tests/support/s3_server.hpp"

namespace cc::blob {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

enum class Adapter { directory, s3 };

// One server for the binary: a node process takes a moment to start.
testing::S3Server& s3rver() {
    static testing::S3Server server;
    return server;
}

std::string bytes_of(std::size_t size, unsigned seed) {
    std::mt19937 random(seed);
    std::string out(size, '\0');
    for (auto& c : out) c = static_cast<char>(random());
    return out;
}

std::string key_of(const std::string& bytes) {
    return key_for_digest(sha256_hex(bytes));
}

class BlobStoreContract : public ::testing::TestWithParam<Adapter> {
  protected:
    void SetUp() override {
        if (GetParam() == Adapter::directory) {
            root_ = fs::temp_directory_path() /
                    ("cc-blob-contract-" + std::to_string(::getpid()) + "-" +
                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
            fs::remove_all(root_);
            store_ = std::make_unique<DirectoryStore>(root_);
        } else {
            s3rver().clear();
            auto config = s3rver().config();
            // Small pages, so that a listing of a few blobs walks continuation tokens.
            config.list_page_size = 2;
            store_ = std::make_unique<S3Store>(config);
        }
    }
    void TearDown() override {
        if (!root_.empty()) fs::remove_all(root_);
    }

    // Everything a reader yields, asked for `chunk` bytes at a time.
    static std::string drain(BlobReader& reader, std::size_t chunk) {
        std::string out;
        std::vector<char> buffer(chunk);
        for (;;) {
            auto n = reader.read(buffer);
            EXPECT_TRUE(n.ok()) << n.error().detail;
            if (!n || *n == 0) return out;
            EXPECT_LE(*n, chunk);
            out.append(buffer.data(), *n);
        }
    }
    std::string read_range(const std::string& key, std::uint64_t first, std::uint64_t length,
                           std::uint64_t* size = nullptr) {
        auto reader = store_->open_range(key, first, length);
        EXPECT_TRUE(reader.ok()) << reader.error().detail;
        if (!reader) return {};
        if (size != nullptr) *size = (*reader)->size();
        return drain(**reader, 4096);
    }

    std::unique_ptr<BlobStore> store_;
    fs::path root_;
};

TEST_P(BlobStoreContract, WhatIsPutReadsBackWholeInAnyChunkSize) {
    // Several of libcurl's 16 KiB pieces and of the download's 64 KiB chunks.
    const auto bytes = bytes_of(200 * 1024 + 7, 1);
    const auto key = key_of(bytes);
    ASSERT_TRUE(store_->put(key, bytes).ok());
    for (const std::size_t chunk : {std::size_t{1000}, std::size_t{64 * 1024}}) {
        auto reader = store_->open(key);
        ASSERT_TRUE(reader.ok()) << reader.error().detail;
        EXPECT_EQ((*reader)->size(), bytes.size());
        EXPECT_EQ(drain(**reader, chunk), bytes) << "chunks of " << chunk;
    }
}

TEST_P(BlobStoreContract, RangesAreCutAtTheEndAndEmptyPastIt) {
    const auto bytes = bytes_of(100'000, 2);
    const auto key = key_of(bytes);
    ASSERT_TRUE(store_->put(key, bytes).ok());
    std::uint64_t size = 0;
    EXPECT_EQ(read_range(key, 70'000, 5'000, &size), bytes.substr(70'000, 5'000));
    EXPECT_EQ(size, 5'000u);
    EXPECT_EQ(read_range(key, 0, 1, &size), bytes.substr(0, 1)) << "one byte, the first";
    EXPECT_EQ(size, 1u);
    EXPECT_EQ(read_range(key, 99'999, 1), bytes.substr(99'999)) << "one byte, the last";
    EXPECT_EQ(read_range(key, 95'000, 10'000, &size), bytes.substr(95'000)) << "cut at the end";
    EXPECT_EQ(size, 5'000u);
    EXPECT_EQ(read_range(key, 40'000, BlobStore::kToTheEnd, &size), bytes.substr(40'000));
    EXPECT_EQ(size, 60'000u);
    EXPECT_EQ(read_range(key, 100'000, 10, &size), "") << "past the end: nothing";
    EXPECT_EQ(size, 0u);
}

TEST_P(BlobStoreContract, AKeyThatHoldsNothingIsNotFound) {
    const auto key = key_of("never stored");
    for (const std::uint64_t first : {std::uint64_t{0}, std::uint64_t{10}}) {
        auto reader = store_->open_range(key, first, 10);
        ASSERT_FALSE(reader.ok());
        EXPECT_EQ(reader.error().kind, ErrorKind::not_found);
    }
}

TEST_P(BlobStoreContract, NamesThatAreNotKeysAreRefusedBeforeAnyIo) {
    for (const std::string name : {"../../etc/passwd", "sha256/../../etc/passwd",
                                   "sha256/aa/../../x", "sha256/aa/b/c", "/sha256/aa/b"}) {
        auto reader = store_->open(name);
        ASSERT_FALSE(reader.ok()) << name;
        EXPECT_EQ(reader.error().type, "bad-blob-key") << name;
        EXPECT_EQ(store_->remove(name).error().type, "bad-blob-key") << name;
        EXPECT_FALSE(store_->put(name, "x").ok()) << name;
    }
}

TEST_P(BlobStoreContract, ListNamesEveryBlobWithItsSizeAndWhenItWasWritten) {
    const auto before = std::chrono::system_clock::now();
    std::map<std::string, std::uint64_t> stored;
    for (unsigned i = 0; i < 5; ++i) {
        const auto bytes = bytes_of(100 + i, 10 + i);
        stored[key_of(bytes)] = bytes.size();
        ASSERT_TRUE(store_->put(key_of(bytes), bytes).ok());
    }
    const auto after = std::chrono::system_clock::now();
    auto listed = store_->list();
    ASSERT_TRUE(listed.ok()) << listed.error().detail;
    std::map<std::string, std::uint64_t> seen;
    for (const auto& blob : *listed) {
        seen[blob.key] = blob.size;
        // S3 keeps whole seconds.
        EXPECT_GE(blob.written, std::chrono::floor<std::chrono::seconds>(before)) << blob.key;
        EXPECT_LE(blob.written, after + 1s) << blob.key;
    }
    EXPECT_EQ(seen, stored) << "every blob once, over several pages for S3";
}

TEST_P(BlobStoreContract, PuttingAKeyAgainKeepsOneBlobWrittenNow) {
    const std::string bytes = "the same bytes twice";
    const auto key = key_of(bytes);
    ASSERT_TRUE(store_->put(key, bytes).ok());
    ASSERT_TRUE(store_->put(key, bytes).ok());
    auto listed = store_->list();
    ASSERT_TRUE(listed.ok());
    ASSERT_EQ(listed->size(), 1u);
    EXPECT_EQ(listed->front().key, key);
    EXPECT_EQ(listed->front().size, bytes.size());
}

TEST_P(BlobStoreContract, RemoveDeletesAndRemovingNothingIsNoError) {
    const std::string bytes = "to be removed";
    const auto key = key_of(bytes);
    ASSERT_TRUE(store_->put(key, bytes).ok());
    ASSERT_TRUE(store_->remove(key).ok());
    auto reader = store_->open(key);
    ASSERT_FALSE(reader.ok());
    EXPECT_EQ(reader.error().kind, ErrorKind::not_found);
    auto listed = store_->list();
    ASSERT_TRUE(listed.ok());
    EXPECT_TRUE(listed->empty());
    EXPECT_TRUE(store_->remove(key).ok()) << "gc may race another gc";
}

INSTANTIATE_TEST_SUITE_P(Adapters, BlobStoreContract,
                         ::testing::Values(Adapter::directory, Adapter::s3),
                         [](const auto& adapter) {
                             return adapter.param == Adapter::directory ? "directory" : "s3";
                         });

// Adapter-specific promises.

TEST(S3Store, RefusesBytesThatDoNotHashToTheirKey) {
    S3Store store(s3rver().config());
    const auto refused = store.put(key_of("these bytes"), "other bytes");
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().type, "blob-key-mismatch");
}

TEST(S3Store, AFailureSaysWhatS3AnsweredAndNeverTheSecret) {
    auto config = s3rver().config();
    config.bucket = "no-such-bucket";
    config.secret_access_key = "secret-that-must-not-be-printed";
    S3Store store(config);
    const std::string bytes = "x";
    const auto refused = store.put(key_of(bytes), bytes);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().kind, ErrorKind::unavailable);
    EXPECT_NE(refused.error().detail.find("NoSuchBucket"), std::string::npos)
        << refused.error().detail;
    const auto listed = store.list();
    ASSERT_FALSE(listed.ok());
    for (const auto& detail : {refused.error().detail, listed.error().detail})
        EXPECT_EQ(detail.find(config.secret_access_key), std::string::npos) << detail;
}

TEST(S3Store, AnUnreachableEndpointIsUnavailableNotAHang) {
    auto config = s3rver().config();
    // A port nothing listens on: refused at once.
    config.endpoint = "http://127.0.0.1:1";
    S3Store store(config);
    const auto reader = store.open(key_of("x"));
    ASSERT_FALSE(reader.ok());
    EXPECT_EQ(reader.error().kind, ErrorKind::unavailable) << reader.error().detail;
}

// Only the directory has temporaries: an interrupted write leaves one, which
// list() names (for gc) and remove() takes.
TEST(DirectoryStore, ALeftoverTemporaryIsListedAndRemovable) {
    const auto root = fs::temp_directory_path() / ("cc-blob-tmp-" + std::to_string(::getpid()));
    fs::remove_all(root);
    DirectoryStore store(root);
    const std::string bytes = "kept";
    ASSERT_TRUE(store.put(key_of(bytes), bytes).ok());
    const auto fan = fs::path(key_of(bytes)).parent_path();
    const auto leftover = fan / ".deadbeef.0000.tmp";
    std::ofstream(root / leftover) << "half";
    auto listed = store.list();
    ASSERT_TRUE(listed.ok());
    ASSERT_EQ(listed->size(), 2u);
    EXPECT_TRUE(store.remove(leftover.string()).ok());
    EXPECT_FALSE(fs::exists(root / leftover));
    fs::remove_all(root);
}

}  // namespace
}  // namespace cc::blob
