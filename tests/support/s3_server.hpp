#pragma once
// s3rver (npm, installed into tools/contracts by scripts/install-deps): a
// real S3-protocol server, as a child process in a temporary directory of
// its own, on a loopback port the kernel picks. It answers once it has
// said where it listens: the constructor waits for that line, not a time.
#include <filesystem>
#include <map>
#include <string>

#include "platform/blob/s3_store.hpp"

namespace cc::testing {

class S3Server {
  public:
    // Starts it with `bucket` made.
    explicit S3Server(std::string bucket = "complexcare-test");
    ~S3Server();
    S3Server(const S3Server&) = delete;
    S3Server& operator=(const S3Server&) = delete;

    std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
    // Where an adapter reaches it (s3rver knows one account: S3RVER/S3RVER).
    blob::S3Config config() const;
    // The same for a service: CC_BLOB_BACKEND=s3 and CC_S3_*.
    std::map<std::string, std::string> env() const;
    // The file that holds an object's bytes: a test damages or removes it there.
    std::filesystem::path object_file(const std::string& key) const;
    // Objects stored under "sha256/", counted from s3rver's directory.
    std::size_t objects() const;
    // Empties the bucket (s3rver reads its directory afresh on every request).
    void clear() const;

  private:
    void stop();

    std::string bucket_;
    std::filesystem::path dir_;
    int pid_ = -1;
    int output_ = -1;  // its stdout, kept open so that it may write
    int port_ = 0;
};

}  // namespace cc::testing
