#pragma once
// Blobs in an S3-compatible bucket (AWS S3, MinIO, Ceph; s3rver in tests),
// over libcurl with AWS Signature Version 4. Each blob is the object named by
// its key, addressed path-style: <endpoint>/<bucket>/<key>. A PUT answered
// 200 is durable, so there is no temporary and no rename: a bucket never
// holds half a blob.
#include <memory>
#include <string>

#include "platform/blob/blob_store.hpp"

namespace cc::blob {

struct S3Config {
    std::string endpoint;  // scheme, host and port: https://s3.eu-west-2.amazonaws.com
    std::string bucket;
    std::string region = "us-east-1";
    std::string access_key_id;
    std::string secret_access_key;  // never logged, never in an error
    // Keys per ListObjectsV2 page (S3 answers at most 1,000); tests make it
    // small to walk the continuation tokens.
    int list_page_size = 1000;

    // CC_S3_ENDPOINT, CC_S3_BUCKET, CC_S3_REGION (default us-east-1),
    // CC_S3_ACCESS_KEY_ID and CC_S3_SECRET_ACCESS_KEY; throws
    // std::invalid_argument naming the first one missing.
    static S3Config from_env();
};

class S3Store final : public BlobStore {
  public:
    explicit S3Store(S3Config config);
    ~S3Store() override;
    S3Store(const S3Store&) = delete;
    S3Store& operator=(const S3Store&) = delete;

    // PUT with the bytes' SHA-256 as x-amz-content-sha256: S3 checks the
    // bytes it received against the signed hash before it stores them.
    Status put(std::string_view key, std::string_view bytes) override;
    // GET, with a Range for part of the blob, read as the caller asks for
    // it: the transfer pauses between reads, holding at most one of
    // libcurl's receive buffers (16 KiB) besides the caller's.
    Result<std::unique_ptr<BlobReader>> open_range(std::string_view key, std::uint64_t first,
                                                   std::uint64_t length) override;
    // ListObjectsV2 under "sha256/", a page at a time; LastModified is the
    // written time.
    Result<std::vector<BlobInfo>> list() override;
    Status remove(std::string_view key) override;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace cc::blob
