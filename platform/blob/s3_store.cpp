#include "platform/blob/s3_store.hpp"

#include <curl/curl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <vector>

#include "platform/config/env.hpp"
#include "platform/core/hash.hpp"
#include "platform/core/time.hpp"

namespace cc::blob {
namespace {

// The hash of no bytes: what a GET, a DELETE and a listing sign as their payload.
constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
// An error answer's body is kept this far, for its Code and Message.
constexpr std::size_t kErrorBodyLimit = 8 * 1024;
// A listing page of 1,000 keys is some 300 KB of XML.
constexpr std::size_t kListBodyLimit = 4 * 1024 * 1024;

Error unavailable(std::string detail) {
    return Error::make(ErrorKind::unavailable, "blob-store-unavailable", std::move(detail));
}

Error bad_key(std::string_view key) {
    return Error::make(ErrorKind::malformed, "bad-blob-key", "not a blob key: " + std::string(key));
}

void initialise_libraries() {
    static std::once_flag once;
    std::call_once(once, [] {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        xmlInitParser();
    });
}

// RFC 3986 unreserved characters stay, everything else is %XX: the form a
// SigV4 canonical query string needs, so the request is signed as sent.
std::string uri_encode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 0xF];
        }
    }
    return out;
}

// The text of the first element named `name` anywhere under `node`.
std::string element_text(xmlNode* node, std::string_view name) {
    for (xmlNode* child = node ? node->children : nullptr; child; child = child->next) {
        if (child->type != XML_ELEMENT_NODE) continue;
        if (name == reinterpret_cast<const char*>(child->name)) {
            xmlChar* content = xmlNodeGetContent(child);
            std::string out = content ? reinterpret_cast<const char*>(content) : "";
            xmlFree(content);
            return out;
        }
        if (auto inner = element_text(child, name); !inner.empty()) return inner;
    }
    return {};
}

struct XmlDoc {
    explicit XmlDoc(std::string_view text)
        : doc(xmlReadMemory(text.data(), static_cast<int>(text.size()), "s3.xml", nullptr,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)) {}
    ~XmlDoc() {
        if (doc) xmlFreeDoc(doc);
    }
    XmlDoc(const XmlDoc&) = delete;
    XmlDoc& operator=(const XmlDoc&) = delete;
    xmlNode* root() const { return doc ? xmlDocGetRootElement(doc) : nullptr; }
    xmlDoc* doc;
};

// "S3 answered 403 AccessDenied: Access Denied", from an error answer's XML.
std::string describe_answer(long status, std::string_view body) {
    std::string out = "S3 answered " + std::to_string(status);
    const XmlDoc xml(body);
    if (const auto code = element_text(xml.root(), "Code"); !code.empty()) {
        out += " " + code;
        if (const auto message = element_text(xml.root(), "Message"); !message.empty())
            out += ": " + message;
    }
    return out;
}

// A multi handle and the easy handle it drives: kept between requests, so
// the connection (and its TLS session) is reused.
struct Handles {
    CURLM* multi = curl_multi_init();
    CURL* easy = curl_easy_init();
    ~Handles() {
        curl_easy_cleanup(easy);
        curl_multi_cleanup(multi);
    }
};

class HandlePool {
  public:
    std::unique_ptr<Handles> take() {
        {
            std::lock_guard lock(mutex_);
            if (!idle_.empty()) {
                auto out = std::move(idle_.back());
                idle_.pop_back();
                return out;
            }
        }
        auto made = std::make_unique<Handles>();
        if (!made->multi || !made->easy) throw std::bad_alloc();
        return made;
    }
    void give(std::unique_ptr<Handles> handles) {
        std::lock_guard lock(mutex_);
        idle_.push_back(std::move(handles));
    }

  private:
    std::mutex mutex_;
    std::vector<std::unique_ptr<Handles>> idle_;
};

struct Request {
    const char* method = "GET";
    std::string target;  // after the bucket: "/<key>" or "?<query>"
    std::string payload_sha256 = std::string(kEmptySha256);
    std::string_view upload = {};           // PUT's body
    std::optional<std::string> range = {};  // "bytes=a-b"
};

// One request to the bucket, driven from the calling thread through
// libcurl's multi interface: the body is handed over as the caller reads
// it, and the transfer pauses while the caller has no room.
class Exchange {
  public:
    Exchange(HandlePool& pool, const S3Config& config, const Request& request)
        : pool_(pool), handles_(pool.take()) {
        CURL* easy = handles_->easy;
        curl_easy_reset(easy);
        url_ = config.endpoint + "/" + config.bucket + request.target;
        sigv4_ = "aws:amz:" + config.region + ":s3";
        curl_easy_setopt(easy, CURLOPT_URL, url_.c_str());
        curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(easy, CURLOPT_AWS_SIGV4, sigv4_.c_str());
        curl_easy_setopt(easy, CURLOPT_USERNAME, config.access_key_id.c_str());
        curl_easy_setopt(easy, CURLOPT_PASSWORD, config.secret_access_key.c_str());
        curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, 10'000L);
        // A stalled peer, not a slow one: under a byte a second for 30 s.
        // Paused time does not count.
        curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, 30L);
        curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_text_);
        curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Exchange::on_header);
        curl_easy_setopt(easy, CURLOPT_HEADERDATA, this);
        curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Exchange::on_body);
        curl_easy_setopt(easy, CURLOPT_WRITEDATA, this);
        // Signed with the request (libcurl signs the headers it is given).
        headers_ = curl_slist_append(headers_,
                                     ("x-amz-content-sha256: " + request.payload_sha256).c_str());
        if (request.range)
            headers_ = curl_slist_append(headers_, ("Range: " + *request.range).c_str());
        if (std::string_view(request.method) == "PUT") {
            upload_ = request.upload;
            headers_ = curl_slist_append(headers_, "Content-Type: application/octet-stream");
            curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
            curl_easy_setopt(easy, CURLOPT_READFUNCTION, &Exchange::on_upload);
            curl_easy_setopt(easy, CURLOPT_READDATA, this);
            curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE,
                             static_cast<curl_off_t>(request.upload.size()));
        } else if (std::string_view(request.method) != "GET") {
            curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method);
        }
        curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers_);
        curl_multi_add_handle(handles_->multi, easy);
    }

    ~Exchange() {
        // An unfinished transfer's connection is closed, not reused.
        curl_multi_remove_handle(handles_->multi, handles_->easy);
        curl_slist_free_all(headers_);
        pool_.give(std::move(handles_));
    }
    Exchange(const Exchange&) = delete;
    Exchange& operator=(const Exchange&) = delete;

    // Until the final status and headers are in (or the transfer failed).
    Status await_headers() {
        drive([this] { return headers_done_; });
        if (!headers_done_) return failure();
        if (!succeeded()) {
            // The body of an error answer says why; it is small.
            drive([] { return false; });
            return unavailable(describe_answer(status_, error_body_));
        }
        return {};
    }

    // The whole body of a successful answer, for a small one.
    Result<std::string> body(std::size_t limit) {
        if (auto ready = await_headers(); !ready) return std::move(ready).error();
        std::string out;
        std::vector<char> chunk(16 * 1024);
        for (;;) {
            auto n = read(chunk);
            if (!n) return std::move(n).error();
            if (*n == 0) return out;
            if (out.size() + *n > limit) return unavailable("S3's answer is too large");
            out.append(chunk.data(), *n);
        }
    }

    // Up to out.size() bytes of the body; 0 at its end.
    Result<std::size_t> read(std::span<char> out) {
        if (spilled_ < spill_.size()) {
            const auto n = std::min(out.size(), spill_.size() - spilled_);
            std::memcpy(out.data(), spill_.data() + spilled_, n);
            spilled_ += n;
            return n;
        }
        out_ = out;
        filled_ = 0;
        if (paused_) {
            paused_ = false;
            // May deliver what libcurl kept while paused, into out_, before it returns.
            curl_easy_pause(handles_->easy, CURLPAUSE_CONT);
        }
        drive([this] { return filled_ > 0; });
        out_ = {};
        if (filled_ > 0) return filled_;
        if (result_ != CURLE_OK) return failure();
        return std::size_t{0};
    }

    long status() const { return status_; }
    std::optional<std::string> header(std::string_view lower_case_name) const {
        for (const auto& [name, value] : response_headers_)
            if (name == lower_case_name) return value;
        return std::nullopt;
    }
    // Leading body bytes to drop (a server that ignored a Range), and the
    // most to keep after them (one that sent more than the range).
    void keep(std::uint64_t skip, std::uint64_t most) {
        skip_ = skip;
        left_ = most;
    }

  private:
    bool succeeded() const { return status_ >= 200 && status_ < 300; }

    Error failure() const {
        if (result_ == CURLE_OK && !done_) return unavailable("the S3 transfer stopped");
        const char* why = error_text_[0] != '\0' ? error_text_ : curl_easy_strerror(result_);
        return unavailable(std::string("S3 request failed: ") + why);
    }

    template <class Predicate>
    void drive(Predicate&& satisfied) {
        while (!satisfied() && !done_) {
            int running = 0;
            if (const auto code = curl_multi_perform(handles_->multi, &running); code != CURLM_OK) {
                std::snprintf(error_text_, sizeof error_text_, "%s", curl_multi_strerror(code));
                result_ = CURLE_RECV_ERROR;
                done_ = true;
                return;
            }
            int queued = 0;
            while (CURLMsg* message = curl_multi_info_read(handles_->multi, &queued)) {
                if (message->msg == CURLMSG_DONE) {
                    result_ = message->data.result;
                    done_ = true;
                }
            }
            if (satisfied() || done_) return;
            curl_multi_poll(handles_->multi, nullptr, 0, 1000, nullptr);
        }
    }

    static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* self) {
        auto& x = *static_cast<Exchange*>(self);
        const std::string_view line(data, size * count);
        if (line.starts_with("HTTP/")) {
            // A new response (after a 100 Continue): its headers start afresh.
            x.response_headers_.clear();
            const auto space = line.find(' ');
            long status = 0;
            if (space != std::string_view::npos) {
                std::from_chars(line.data() + space + 1, line.data() + line.size(), status);
            }
            x.status_ = status;
        } else if (line == "\r\n" || line == "\n") {
            if (x.status_ >= 200) x.headers_done_ = true;
        } else if (const auto colon = line.find(':'); colon != std::string_view::npos) {
            std::string name(line.substr(0, colon));
            std::transform(name.begin(), name.end(), name.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            auto value = line.substr(colon + 1);
            while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
                value.remove_prefix(1);
            while (!value.empty() && (value.back() == '\r' || value.back() == '\n'))
                value.remove_suffix(1);
            x.response_headers_.emplace_back(std::move(name), std::string(value));
        }
        return size * count;
    }

    static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* self) {
        auto& x = *static_cast<Exchange*>(self);
        const std::size_t total = size * count;
        if (!x.succeeded()) {
            const auto room = kErrorBodyLimit - std::min(kErrorBodyLimit, x.error_body_.size());
            x.error_body_.append(data, std::min(room, total));
            return total;
        }
        // No room: libcurl keeps this piece and offers it again once resumed.
        if (x.filled_ == x.out_.size()) {
            x.paused_ = true;
            return CURL_WRITEFUNC_PAUSE;
        }
        std::string_view piece(data, total);
        const auto skipped =
            static_cast<std::size_t>(std::min<std::uint64_t>(x.skip_, piece.size()));
        x.skip_ -= skipped;
        piece.remove_prefix(skipped);
        piece = piece.substr(
            0, static_cast<std::size_t>(std::min<std::uint64_t>(x.left_, piece.size())));
        x.left_ -= piece.size();
        const auto copied = std::min(piece.size(), x.out_.size() - x.filled_);
        std::memcpy(x.out_.data() + x.filled_, piece.data(), copied);
        x.filled_ += copied;
        // The rest of one piece (16 KiB at most) waits for the next read.
        x.spill_.assign(piece.substr(copied));
        x.spilled_ = 0;
        return total;
    }

    static std::size_t on_upload(char* buffer, std::size_t size, std::size_t count, void* self) {
        auto& x = *static_cast<Exchange*>(self);
        const auto n = std::min(size * count, x.upload_.size());
        std::memcpy(buffer, x.upload_.data(), n);
        x.upload_.remove_prefix(n);
        return n;
    }

    HandlePool& pool_;
    std::unique_ptr<Handles> handles_;
    std::string url_;
    std::string sigv4_;
    curl_slist* headers_ = nullptr;
    char error_text_[CURL_ERROR_SIZE] = {};
    std::string_view upload_;

    long status_ = 0;
    bool headers_done_ = false;
    std::vector<std::pair<std::string, std::string>> response_headers_;
    std::string error_body_;
    bool done_ = false;
    CURLcode result_ = CURLE_OK;

    std::span<char> out_;
    std::size_t filled_ = 0;
    bool paused_ = false;
    std::string spill_;
    std::size_t spilled_ = 0;
    std::uint64_t skip_ = 0;
    std::uint64_t left_ = UINT64_MAX;
};

class ObjectReader final : public BlobReader {
  public:
    ObjectReader(std::unique_ptr<Exchange> exchange, std::uint64_t size)
        : exchange_(std::move(exchange)), size_(size) {}
    std::uint64_t size() const override { return size_; }
    Result<std::size_t> read(std::span<char> out) override {
        if (!exchange_) return std::size_t{0};
        return exchange_->read(out);
    }

  private:
    std::unique_ptr<Exchange> exchange_;  // none for an empty range
    std::uint64_t size_;
};

std::optional<std::uint64_t> number(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || text.empty())
        return std::nullopt;
    return value;
}

std::string required(const char* name) {
    auto value = config::env_or(name, "");
    if (value.empty()) {
        throw std::invalid_argument(std::string(name) + " must be set when CC_BLOB_BACKEND=s3");
    }
    return value;
}

}  // namespace

S3Config S3Config::from_env() {
    S3Config config;
    config.endpoint = required("CC_S3_ENDPOINT");
    while (config.endpoint.ends_with('/')) config.endpoint.pop_back();
    config.bucket = required("CC_S3_BUCKET");
    config.region = config::env_or("CC_S3_REGION", config.region);
    config.access_key_id = required("CC_S3_ACCESS_KEY_ID");
    config.secret_access_key = required("CC_S3_SECRET_ACCESS_KEY");
    return config;
}

struct S3Store::Impl {
    S3Config config;
    HandlePool pool;
};

S3Store::S3Store(S3Config config) : impl_(std::make_unique<Impl>()) {
    initialise_libraries();
    impl_->config = std::move(config);
}

S3Store::~S3Store() = default;

Status S3Store::put(std::string_view key, std::string_view bytes) {
    const auto digest = digest_of(key);
    if (!digest)
        return Error::make(ErrorKind::internal, "bad-blob-key",
                           "not a blob key: " + std::string(key));
    Request request{.method = "PUT", .target = "/" + std::string(key)};
    request.payload_sha256 = sha256_hex(bytes);
    // A content-addressed store never holds bytes under another's key.
    if (request.payload_sha256 != *digest) {
        return Error::make(ErrorKind::internal, "blob-key-mismatch",
                           "the bytes do not hash to their key " + std::string(key));
    }
    request.upload = bytes;
    Exchange exchange(impl_->pool, impl_->config, request);
    auto answer = exchange.body(kErrorBodyLimit);
    if (!answer) return std::move(answer).error();
    return {};
}

Result<std::unique_ptr<BlobReader>> S3Store::open_range(std::string_view key, std::uint64_t first,
                                                        std::uint64_t length) {
    if (!is_store_name(key)) return bad_key(key);
    Request request{.method = "GET", .target = "/" + std::string(key)};
    const bool whole = first == 0 && length == kToTheEnd;
    if (length == 0) {
        return std::unique_ptr<BlobReader>(std::make_unique<ObjectReader>(nullptr, 0));
    }
    if (!whole) {
        const bool to_end = length > kToTheEnd - first;
        request.range = "bytes=" + std::to_string(first) + "-" +
                        (to_end ? std::string() : std::to_string(first + length - 1));
    }
    auto exchange = std::make_unique<Exchange>(impl_->pool, impl_->config, request);
    if (auto ready = exchange->await_headers(); !ready) {
        if (exchange->status() == 404) {
            return Error::make(ErrorKind::not_found, "blob-missing", "no blob " + std::string(key));
        }
        // Past the end: an empty range (the blob exists, or S3 would say 404).
        if (exchange->status() == 416) {
            return std::unique_ptr<BlobReader>(std::make_unique<ObjectReader>(nullptr, 0));
        }
        return std::move(ready).error();
    }
    const auto sent = number(exchange->header("content-length").value_or(""));
    if (!sent) return unavailable("S3 answered a GET without a Content-Length");
    std::uint64_t skip = 0;
    if (exchange->status() == 206) {
        // "bytes <first>-<last>/<size>": it must start where it was asked to.
        const auto range = exchange->header("content-range").value_or("");
        const auto dash = range.find('-');
        if (!range.starts_with("bytes ") || dash == std::string::npos ||
            number(std::string_view(range).substr(6, dash - 6)) != first) {
            return unavailable("S3 answered another range than asked: " + range);
        }
    } else {
        // The whole object for a Range: what comes before the range is dropped.
        skip = whole ? 0 : first;
    }
    const auto available = *sent - std::min(*sent, skip);
    const auto size = std::min(length, available);
    exchange->keep(skip, size);
    return std::unique_ptr<BlobReader>(std::make_unique<ObjectReader>(std::move(exchange), size));
}

Result<std::vector<BlobInfo>> S3Store::list() {
    std::vector<BlobInfo> out;
    std::string token;
    for (;;) {
        // In the canonical order SigV4 signs a query in: by name, encoded.
        std::string query = "?";
        if (!token.empty()) query += "continuation-token=" + uri_encode(token) + "&";
        query += "list-type=2&max-keys=" + std::to_string(impl_->config.list_page_size) +
                 "&prefix=" + uri_encode("sha256/");
        Exchange exchange(impl_->pool, impl_->config, Request{.method = "GET", .target = query});
        auto page = exchange.body(kListBodyLimit);
        if (!page) return std::move(page).error();
        const XmlDoc xml(*page);
        xmlNode* root = xml.root();
        if (root == nullptr ||
            std::string_view("ListBucketResult") != reinterpret_cast<const char*>(root->name)) {
            return unavailable("S3 answered a listing that is not a ListBucketResult");
        }
        for (xmlNode* node = root->children; node; node = node->next) {
            if (node->type != XML_ELEMENT_NODE ||
                std::string_view("Contents") != reinterpret_cast<const char*>(node->name)) {
                continue;
            }
            BlobInfo info;
            info.key = element_text(node, "Key");
            const auto size = number(element_text(node, "Size"));
            const auto written = Timestamp::parse(element_text(node, "LastModified"));
            if (!size || !written) {
                return unavailable("S3 listed " + info.key + " without a size or a time");
            }
            // Objects under the prefix that no store of ours named are not ours to remove.
            if (!is_store_name(info.key)) continue;
            info.size = *size;
            info.written =
                std::chrono::system_clock::time_point(std::chrono::microseconds(written->micros()));
            out.push_back(std::move(info));
        }
        if (element_text(root, "IsTruncated") != "true") return out;
        token = element_text(root, "NextContinuationToken");
        if (token.empty())
            return unavailable("S3 cut a listing short without a continuation token");
    }
}

Status S3Store::remove(std::string_view key) {
    if (!is_store_name(key)) return bad_key(key);
    Exchange exchange(impl_->pool, impl_->config,
                      Request{.method = "DELETE", .target = "/" + std::string(key)});
    if (auto done = exchange.body(kErrorBodyLimit); !done && exchange.status() != 404) {
        return std::move(done).error();
    }
    return {};
}

}  // namespace cc::blob
