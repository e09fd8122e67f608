// Documents over HTTP: uploads (raw and multipart) into the blob store,
// reads by patient, category and tag, downloads with ranges and a check of
// every byte, the size limit's edges and the type allow-list (nothing stored
// or appended when refused), a blob corrupted on disk, and a command service
// killed between writing a blob and appending its event, after which
// `complexcare blobs gc` removes the orphan.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>
#include <tuple>

#include "platform/blob/blob_store.hpp"
#include "platform/core/hash.hpp"
#include "tests/support/backend_test.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/openapi.hpp"
#include "tests/support/postgres_server.hpp"

namespace cc::e2e {
namespace {

namespace fs = std::filesystem;
using testing::HttpResponse;

const std::string kPdf = "%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n";
const std::string kPng = std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);

std::string blob_key_of(const std::string& bytes) {
    return blob::key_for_digest(sha256_hex(bytes));
}

class DocumentsEndToEnd : public testing::BackendTest {
  protected:
    void SetUp() override {
        suffix = unique_suffix();
        tenant = new_tenant("Docs", "docs-" + suffix);
        patient =
            id_of(command("POST", tenant + "/patients", R"({"first_name":"A","last_name":"B"})"));
    }
    HttpResponse raw_upload(const std::string& bytes, const std::string& type,
                            const std::string& query) {
        std::map<std::string, std::string> headers{{"Content-Type", type}};
        return command("POST", tenant + "/documents?" + query, bytes, headers);
    }
    HttpResponse form_upload(const std::string& bytes, const std::string& type,
                             const std::vector<std::pair<std::string, std::string>>& fields) {
        const std::string boundary = "cc-boundary-" + suffix;
        std::string body;
        for (const auto& [name, value] : fields) {
            body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name +
                    "\"\r\n\r\n" + value + "\r\n";
        }
        body += "--" + boundary +
                "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"upload.bin\"\r\n";
        if (!type.empty()) body += "Content-Type: " + type + "\r\n";
        body += "\r\n" + bytes + "\r\n--" + boundary + "--\r\n";
        return command("POST", tenant + "/documents", body,
                       {{"Content-Type", "multipart/form-data; boundary=" + boundary}});
    }
    // The item once the projector has it.
    boost::json::object read(const std::string& id, const std::string& position) {
        const auto r = query(tenant + "/documents/" + id + "?min_position=" + position);
        EXPECT_EQ(r.status, 200) << r.body;
        return r.status == 200 ? r.json().as_object() : boost::json::object{};
    }
    std::vector<std::string> names(const std::string& list_target) {
        const auto r = query(list_target);
        EXPECT_EQ(r.status, 200) << r.body;
        std::vector<std::string> out;
        if (r.status != 200) return out;
        const auto json = r.json();
        for (const auto& item : json.at("items").as_array())
            out.emplace_back(item.at("name").as_string());
        std::sort(out.begin(), out.end());
        return out;
    }
    std::string gc(const std::string& flags, int* exit_code) {
        std::string command;
        for (const auto& name :
             {"CC_LOG_BACKEND", "CC_LOG_PARTITIONS", "CC_KAFKA_BOOTSTRAP", "CC_BLOB_DIR",
              "CC_BLOB_BACKEND", "CC_S3_ENDPOINT", "CC_S3_BUCKET", "CC_S3_REGION",
              "CC_S3_ACCESS_KEY_ID", "CC_S3_SECRET_ACCESS_KEY"}) {
            const auto it = stack().env.find(name);
            if (it != stack().env.end()) command += std::string(name) + "='" + it->second + "' ";
        }
        command += "CC_DATABASE_URL='" + stack().database_url + "' " +
                   testing::binary("cli/complexcare") + " blobs gc " + flags + " 2>&1";
        std::string output;
        std::FILE* pipe = ::popen(command.c_str(), "r");
        if (pipe == nullptr) return output;
        char buffer[4096];
        for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;)
            output.append(buffer, n);
        const int status = ::pclose(pipe);
        *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        return output;
    }
    std::string suffix, tenant, patient;
};

TEST_P(DocumentsEndToEnd, UploadFilterDownloadRangesAndSoftDelete) {
    const std::string letter = kPdf + "% letter " + suffix + "\n";
    const auto uploaded = form_upload(letter, "application/pdf",
                                      {{"name", "GP letter"},
                                       {"patient_id", patient},
                                       {"category", "correspondence"},
                                       {"tags[]", "gp"},
                                       {"tags[]", "2026"}});
    ASSERT_EQ(uploaded.status, 201) << uploaded.body;
    testing::expect_matches_openapi("command-service", "POST", "/v1/tenants/{tenant_id}/documents",
                                    201, uploaded.json());
    const std::string id(uploaded.json().at("id").as_string());
    const auto photo =
        raw_upload(kPng + suffix, "image/png",
                   "name=Wound%20photo&patient_id=" + patient + "&category=clinical&tags=wound");
    ASSERT_EQ(photo.status, 201) << photo.body;
    const auto note = raw_upload("Call the GP back " + suffix, "text/plain",
                                 "name=Phone%20note&tags=gp&tags=phone");
    ASSERT_EQ(note.status, 201) << note.body;
    const std::string last(note.json().at("position").as_string());

    const auto item = read(id, std::string(uploaded.json().at("position").as_string()));
    EXPECT_EQ(item.at("file_type"), "pdf");
    EXPECT_EQ(item.at("file_size").as_int64(), static_cast<std::int64_t>(letter.size()));
    const std::string key(item.at("file_path").as_string());
    EXPECT_EQ(key.substr(0, 7), "sha256/") << "a key the server derived, never a client's path";
    EXPECT_EQ(std::string(item.at("uploaded_by").as_string()),
              stack().tenant_admin(tenant.substr(std::string("/v1/tenants/").size()))->to_string())
        << "the caller, a member: platform administrators do not touch records";
    EXPECT_EQ(std::string(item.at("patient_id").as_string()), patient);
    EXPECT_TRUE(fs::exists(stack().blob_file(key))) << "the bytes are in the store";
    testing::expect_matches_openapi("query-service", "GET",
                                    "/v1/tenants/{tenant_id}/documents/{document_id}", 200, item);

    // Filters: by tag (tags @> ARRAY[...]), category and patient, and the patient's list.
    const auto at = "&min_position=" + last;
    EXPECT_EQ(names(tenant + "/documents?tag=gp" + at),
              (std::vector<std::string>{"GP letter", "Phone note"}));
    EXPECT_EQ(names(tenant + "/documents?tag=wound" + at),
              (std::vector<std::string>{"Wound photo"}));
    EXPECT_EQ(names(tenant + "/documents?category=correspondence" + at),
              (std::vector<std::string>{"GP letter"}));
    EXPECT_EQ(names(tenant + "/documents?patient_id=" + patient + at),
              (std::vector<std::string>{"GP letter", "Wound photo"}));
    EXPECT_EQ(names(tenant + "/patients/" + patient + "/documents?tag=2026" + at),
              (std::vector<std::string>{"GP letter"}));

    // The whole file, then ranges of it.
    const auto content = tenant + "/documents/" + id + "/content";
    const auto whole = query(content);
    ASSERT_EQ(whole.status, 200) << whole.body;
    EXPECT_EQ(whole.body, letter);
    EXPECT_EQ(whole.header("content-type"), "application/pdf");
    EXPECT_EQ(whole.header("etag"), "\"" + key.substr(10) + "\"") << "the SHA-256";
    EXPECT_EQ(whole.header("content-disposition"), "attachment; filename=\"GP letter.pdf\"");
    EXPECT_EQ(whole.header("accept-ranges"), "bytes");
    const auto head = query(content, {{"Range", "bytes=0-4"}});
    EXPECT_EQ(head.status, 206);
    EXPECT_EQ(head.body, "%PDF-");
    EXPECT_EQ(head.header("content-range"), "bytes 0-4/" + std::to_string(letter.size()));
    const auto tail = query(content, {{"Range", "bytes=-6"}});
    EXPECT_EQ(tail.status, 206);
    EXPECT_EQ(tail.body, letter.substr(letter.size() - 6));
    const auto beyond = query(content, {{"Range", "bytes=" + std::to_string(letter.size()) + "-"}});
    EXPECT_EQ(beyond.status, 416) << beyond.body;
    EXPECT_EQ(beyond.header("content-range"), "bytes */" + std::to_string(letter.size()));
    EXPECT_EQ(query(content, {{"Range", "bytes=0-1"}, {"If-Range", "\"stale\""}}).status, 200)
        << "a range against another version gets the whole file";
    EXPECT_EQ(query(content, {{"If-None-Match", whole.header("etag")}}).status, 304);

    // Metadata changes; the file does not.
    EXPECT_EQ(command("PATCH", tenant + "/documents/" + id, R"({"name":"GP letter, signed"})",
                      {{"If-Match", "\"1\""}})
                  .status,
              200);
    const auto fixed = command("PATCH", tenant + "/documents/" + id,
                               R"({"file_path":"/etc/passwd"})", {{"If-Match", "\"2\""}});
    EXPECT_EQ(fixed.status, 422) << fixed.body;

    // A soft delete hides the row and its content, and keeps the blob.
    const auto deleted = command("DELETE", tenant + "/documents/" + id);
    ASSERT_EQ(deleted.status, 200) << deleted.body;
    const std::string gone_at(deleted.json().at("position").as_string());
    EXPECT_EQ(query(tenant + "/documents/" + id + "?min_position=" + gone_at).status, 404);
    EXPECT_EQ(query(content).status, 404);
    EXPECT_TRUE(fs::exists(stack().blob_file(key)));
}

TEST_P(DocumentsEndToEnd, SizeLimitAndTypesRefuseBeforeAnythingIsStoredOrAppended) {
    const auto limit = testing::Stack::document_max_bytes;
    const auto log_before = stack().log_size();
    const auto blobs_before = stack().stored_blobs();
    const auto refused = [&](const HttpResponse& r, int status, const std::string& type) {
        EXPECT_EQ(r.status, status) << r.body;
        EXPECT_EQ(r.header("content-type"), "application/problem+json");
        if (r.status >= 400) {
            EXPECT_EQ(std::string(r.json().at("type").as_string()),
                      "urn:complexcare:problem:" + type);
            EXPECT_EQ(r.json().at("errors").at(0).at("field"), "file");
        }
        EXPECT_EQ(stack().log_size(), log_before) << "nothing appended";
        EXPECT_EQ(stack().stored_blobs(), blobs_before) << "nothing stored";
    };
    refused(raw_upload("", "text/plain", "name=empty"), 422, "validation-failed");
    refused(raw_upload(std::string(limit + 1, 'x'), "text/plain", "name=over"), 413,
            "document-too-large");
    refused(form_upload(std::string(limit + 1, 'y'), "text/plain", {{"name", "over"}}), 413,
            "document-too-large");
    refused(raw_upload(kPng + suffix, "application/pdf", "name=liar"), 422, "file-type-mismatch");
    refused(form_upload(kPdf + suffix, "image/png", {{"name", "liar"}}), 422, "file-type-mismatch");
    refused(raw_upload(std::string("MZ\x90\0\x03", 5) + suffix, "application/octet-stream",
                       "name=program"),
            415, "file-type-not-allowed");
    const auto unknown = raw_upload("plain", "text/plain", "name=x&colour=red");
    EXPECT_EQ(unknown.status, 422) << unknown.body;

    // Exactly the limit is accepted.
    std::string full(limit, 'z');
    full.replace(0, suffix.size(), suffix);
    const auto at_limit = raw_upload(full, "text/plain", "name=full");
    ASSERT_EQ(at_limit.status, 201) << at_limit.body;
    const auto item = read(std::string(at_limit.json().at("id").as_string()),
                           std::string(at_limit.json().at("position").as_string()));
    EXPECT_EQ(item.at("file_size").as_int64(), static_cast<std::int64_t>(limit));
    EXPECT_EQ(item.at("file_type"), "txt");
}

TEST_P(DocumentsEndToEnd, ACorruptedBlobIsDetectedOnDownload) {
    const std::string text = "Care instructions for " + suffix + "\n";
    const auto uploaded = raw_upload(text, "text/plain", "name=Instructions");
    ASSERT_EQ(uploaded.status, 201) << uploaded.body;
    const std::string id(uploaded.json().at("id").as_string());
    const auto item = read(id, std::string(uploaded.json().at("position").as_string()));
    const auto path = stack().blob_file(std::string(item.at("file_path").as_string()));
    const auto content = tenant + "/documents/" + id + "/content";
    ASSERT_EQ(query(content).status, 200);
    {
        // One byte flipped in place, the size unchanged: only the hash can tell.
        std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
        file.seekp(0);
        file.put('c');
    }
    const auto damaged = query(content);
    EXPECT_EQ(damaged.status, 500) << damaged.body;
    EXPECT_EQ(damaged.header("content-type"), "application/problem+json");
    EXPECT_NE(damaged.body.find("blob-corrupt"), std::string::npos) << damaged.body;
    EXPECT_EQ(damaged.body.find("instructions"), std::string::npos) << "no byte of it is sent";
    EXPECT_EQ(query(content, {{"Range", "bytes=0-3"}}).status, 500)
        << "a range is cut from checked bytes only";
    fs::remove(path);
    EXPECT_EQ(query(content).status, 500) << "a missing blob is an error too, not a 404";
    // Restored from a backup, the same bytes answer again (and gc finds nothing missing).
    std::ofstream(path, std::ios::binary) << text;
    const auto healed = query(content);
    EXPECT_EQ(healed.status, 200);
    EXPECT_EQ(healed.body, text);
}

TEST_P(DocumentsEndToEnd, KilledBetweenBlobWriteAndAppendThenGcRemovesTheOrphan) {
    auto& s = stack();
    // A live and a deleted document: gc keeps both blobs.
    const auto live = raw_upload("kept " + suffix, "text/plain", "name=kept");
    ASSERT_EQ(live.status, 201);
    const auto removed = raw_upload("deleted " + suffix, "text/plain", "name=deleted");
    ASSERT_EQ(removed.status, 201);
    ASSERT_EQ(
        command("DELETE", tenant + "/documents/" + std::string(removed.json().at("id").as_string()))
            .status,
        200);

    // A command service that stops after writing a blob and says which.
    const std::string fifo = "/tmp/cc-e2e-blob-written-" + suffix;
    ::unlink(fifo.c_str());
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    s.command->terminate();
    s.command = s.start("command-service/command-service", s.command_port,
                        {{"CC_TEST_BLOB_WRITTEN_FIFO", fifo}});
    const auto log_before = s.log_size();
    std::thread client([&] {
        try {
            raw_upload("orphan " + suffix, "text/plain", "name=orphan");
        } catch (const std::exception&) {
            // The connection dies with the service: no answer is expected.
        }
    });
    std::string key;
    {
        // Blocks until the service has written the blob (a real signal, not a sleep).
        std::ifstream written(fifo);
        std::getline(written, key);
    }
    s.command->kill_hard();
    client.join();
    ::unlink(fifo.c_str());
    ASSERT_EQ(key.substr(0, 7), "sha256/") << key;
    EXPECT_TRUE(fs::exists(s.blob_file(key))) << "the blob was durable before the append";
    EXPECT_EQ(s.log_size(), log_before) << "the event was never appended";
    s.start_command_service();

    int exit_code = -1;
    auto output = gc("", &exit_code);
    EXPECT_EQ(exit_code, 0) << output;
    EXPECT_TRUE(fs::exists(s.blob_file(key)))
        << "a young orphan may still be an upload under way: kept for --min-age\n"
        << output;
    output = gc("--min-age 0s", &exit_code);
    EXPECT_EQ(exit_code, 0) << "no document points to a missing blob\n" << output;
    EXPECT_NE(output.find("removed " + key), std::string::npos) << output;
    EXPECT_FALSE(fs::exists(s.blob_file(key)));
    EXPECT_TRUE(fs::exists(s.blob_file(blob_key_of("kept " + suffix))));
    EXPECT_TRUE(fs::exists(s.blob_file(blob_key_of("deleted " + suffix))))
        << "a deleted document's blob stays";
    // The restarted service takes uploads again.
    EXPECT_EQ(raw_upload("after " + suffix, "text/plain", "name=after").status, 201);
}

// The query service's peak resident memory (VmHWM, KiB) since `reset_peak`.
long peak_kib(int pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);) {
        if (line.starts_with("VmHWM:")) return std::stol(line.substr(6));
    }
    return -1;
}
bool reset_peak(int pid) {
    // "5" resets the peak to the current resident size (proc(5), clear_refs).
    std::ofstream clear("/proc/" + std::to_string(pid) + "/clear_refs");
    clear << "5";
    clear.flush();
    return static_cast<bool>(clear);
}

// Printable text with line breaks, a txt by its magic (none) and content.
std::string text_of(std::size_t size, unsigned seed) {
    std::mt19937 random(seed);
    std::string out(size, '\n');
    for (std::size_t i = 0; i < size; ++i) {
        if (i % 80 != 79) out[i] = static_cast<char>('a' + random() % 26);
    }
    return out;
}

// A service of the stack restarted with other settings for one test, and
// put back as the stack starts it however the test ends.
class Restarted {
  public:
    Restarted(testing::Stack& s, std::unique_ptr<testing::Process> testing::Stack::*service,
              std::string binary, int port, std::map<std::string, std::string> overrides)
        : s_(s), service_(service), binary_(std::move(binary)), port_(port) {
        (s_.*service_)->terminate();
        s_.*service_ = s_.start(binary_, port_, overrides);
    }
    ~Restarted() {
        (s_.*service_)->terminate();
        s_.*service_ = s_.start(binary_, port_);
    }
    Restarted(const Restarted&) = delete;
    Restarted& operator=(const Restarted&) = delete;

  private:
    testing::Stack& s_;
    std::unique_ptr<testing::Process> testing::Stack::*service_;
    std::string binary_;
    int port_;
};

// A download streams through one buffer of 64 KiB: a file of many of them
// comes back byte for byte, whole and in ranges across the buffer's edges,
// while the query service's peak memory grows by far less than the file.
TEST_P(DocumentsEndToEnd, LargeFilesStreamInBoundedMemory) {
    auto& s = stack();
    constexpr std::size_t kLarge = 12 * 1024 * 1024 + 4321;
    const Restarted command(s, &testing::Stack::command, "command-service/command-service",
                            s.command_port, {{"CC_DOCUMENT_MAX_BYTES", std::to_string(kLarge)}});
    auto text = text_of(kLarge, 7);
    text.replace(0, suffix.size(), suffix);
    const auto uploaded = raw_upload(text, "text/plain", "name=Large");
    ASSERT_EQ(uploaded.status, 201) << uploaded.body;
    const auto content =
        tenant + "/documents/" + id_of(uploaded) + "/content?min_position=" + position_of(uploaded);

    const int pid = s.query->pid();
    ASSERT_TRUE(reset_peak(pid)) << "cannot reset the peak RSS of " << pid;
    const auto before = peak_kib(pid);
    const auto whole = query(content);
    ASSERT_EQ(whole.status, 200);
    EXPECT_EQ(whole.header("content-length"), std::to_string(kLarge));
    EXPECT_TRUE(whole.body == text)
        << "the bytes differ (" << whole.body.size() << " of " << kLarge << " came)";
    for (const auto& [range, first, length] :
         {std::tuple<std::string, std::size_t, std::size_t>{"bytes=65530-65545", 65530, 16},
          {"bytes=5000000-5300000", 5'000'000, 300'001},
          {"bytes=-70000", kLarge - 70'000, 70'000}}) {
        const auto part = query(content, {{"Range", range}});
        EXPECT_EQ(part.status, 206) << range;
        EXPECT_TRUE(part.body == text.substr(first, length)) << range;
    }
    const auto grown = peak_kib(pid) - before;
    std::cout << "query-service peak RSS grew " << grown << " KiB serving " << kLarge / 1024
              << " KiB four times (" << testing::stack_name(GetParam()) << ")\n";
#if defined(__SANITIZE_ADDRESS__)
    // AddressSanitizer keeps freed memory in quarantine: resident memory
    // then grows with every buffer the transfer used, whatever it holds.
    std::cout << "(not compared: AddressSanitizer build)\n";
#else
    EXPECT_LT(grown, 3 * 1024) << "KiB: a download must not hold the file in memory";
#endif
}

// Bytes that change between the check and the send (a disk going bad, a
// file replaced by hand) cut the answer short of its Content-Length, so
// no client takes a wrong body for a whole one, and the log says which.
TEST_P(DocumentsEndToEnd, BytesThatChangeWhileSentCutTheAnswerShort) {
    auto& s = stack();
    const std::string text = "Handover notes " + suffix + "\n" + text_of(3000, 3);
    const auto uploaded = raw_upload(text, "text/plain", "name=Handover");
    ASSERT_EQ(uploaded.status, 201) << uploaded.body;
    const auto content =
        tenant + "/documents/" + id_of(uploaded) + "/content?min_position=" + position_of(uploaded);
    const std::string fifo = "/tmp/cc-e2e-blob-checked-" + suffix;
    ::unlink(fifo.c_str());
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const Restarted held(s, &testing::Stack::query, "query-service/query-service", s.query_port,
                         {{"CC_TEST_BLOB_CHECKED_FIFO", fifo}});
    const std::string request_id = "changed-" + suffix;
    HttpResponse answer;
    std::thread client([&] { answer = query(content, {{"X-Request-Id", request_id}}); });
    std::string key;
    {
        // The first pass has checked the blob; the service waits here.
        std::ifstream checked(fifo);
        std::getline(checked, key);
    }
    const auto path = s.blob_file(key);
    {
        std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
        file.seekp(0);
        file.put('h');
    }
    std::ofstream(fifo).close();  // lets the service go on
    client.join();
    ::unlink(fifo.c_str());
    EXPECT_EQ(answer.status, 200) << "the header went before the change was seen";
    EXPECT_EQ(answer.header("content-length"), std::to_string(text.size()));
    EXPECT_LT(answer.body.size(), text.size()) << "cut short";
    EXPECT_TRUE(testing::eventually([&] {
        std::ifstream log(s.log_file());
        for (std::string line; std::getline(log, line);) {
            if (line.find(request_id) != std::string::npos &&
                line.find("changed while it was sent") != std::string::npos)
                return true;
        }
        return false;
    })) << "logged as corruption with the request id";
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;  // restored
}

// `Expect: 100-continue`: an upload's header is judged before its body is
// sent. Over the route's limit: 413 at once, and the body is never read;
// within it: 100 Continue, then the body, then the answer.
TEST_P(DocumentsEndToEnd, ExpectContinueJudgesTheHeaderBeforeTheBody) {
    auto& s = stack();
    const auto target = tenant + "/documents?name=Continued";
    const auto header = [&](std::size_t length) {
        return "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
               s.token_for_target(target) +
               "\r\nContent-Type: text/plain\r\nExpect: 100-continue\r\nConnection: "
               "close\r\nContent-Length: " +
               std::to_string(length) + "\r\n\r\n";
    };
    const auto log_before = s.log_size();
    {
        // An upload route reads the file's limit and 64 KiB of multipart
        // framing, and never less than any route (1 MiB).
        const auto limit =
            std::max<std::size_t>(1 << 20, testing::Stack::document_max_bytes + 64 * 1024);
        testing::RawConnection refused(s.command_port);
        refused.send(header(limit + 1));
        const auto answer = refused.read_header();
        EXPECT_TRUE(answer.starts_with("HTTP/1.1 413 ")) << answer;
        EXPECT_NE(answer.find("application/problem+json"), std::string::npos) << answer;
        EXPECT_NE(refused.read_to_end().find("urn:complexcare:problem:payload-too-large"),
                  std::string::npos);
    }
    EXPECT_EQ(s.log_size(), log_before);
    testing::RawConnection accepted(s.command_port);
    const std::string body = "Sent once the server asked for it " + suffix;
    accepted.send(header(body.size()));
    EXPECT_EQ(accepted.read_header(), "HTTP/1.1 100 Continue\r\n\r\n");
    accepted.send(body);
    const auto answer = accepted.read_header();
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 201 ")) << answer << accepted.read_to_end();
}

CC_E2E_ON_EVERY_LOG(DocumentsEndToEnd);
// And once with its blobs in a real S3-protocol server (s3rver).
INSTANTIATE_TEST_SUITE_P(BlobsInS3, DocumentsEndToEnd,
                         ::testing::Values(testing::StackKind(eventlog::Backend::postgres,
                                                              testing::BlobBackend::s3)),
                         [](const auto& kind) { return testing::stack_name(kind.param); });

}  // namespace
}  // namespace cc::e2e
