// Documents without I/O: file types from magic bytes, upload requests
// (raw and multipart), byte ranges, blob keys, what gc removes, download
// names, and the upload's create decision.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "command-service/aggregate/commands.hpp"
#include "command-service/documents/upload.hpp"
#include "model/aggregates/documents.hpp"
#include "model/file_types.hpp"
#include "platform/blob/blob_store.hpp"
#include "platform/blob/gc.hpp"
#include "platform/core/hash.hpp"
#include "platform/http/range.hpp"
#include "tests/support/decider_test.hpp"

namespace cc {
namespace {

using model::TypeVerdict;

const std::string kPdf = "%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n";
const std::string kPng = std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
const std::string kJpeg = std::string("\xFF\xD8\xFF\xE0\0\x10JFIF\0", 11);
// The parts an Office Open XML archive names, as its local headers do.
std::string office(std::string_view part) {
    return std::string("PK\x03\x04", 4) + std::string(26, '\0') + "[Content_Types].xml" +
           std::string("PK\x03\x04", 4) + std::string(26, '\0') + std::string(part);
}

TEST(FileTypes, MagicBytesDecideTheType) {
    EXPECT_EQ(model::check_file_type(kPdf, "").type->name, "pdf");
    EXPECT_EQ(model::check_file_type(kPng, "").type->name, "png");
    EXPECT_EQ(model::check_file_type(kJpeg, "").type->name, "jpeg");
    EXPECT_EQ(model::check_file_type("GIF89a....", "").type->name, "gif");
    EXPECT_EQ(model::check_file_type(office("word/document.xml"), "").type->name, "docx");
    EXPECT_EQ(model::check_file_type(office("xl/workbook.xml"), "").type->name, "xlsx");
    EXPECT_EQ(model::check_file_type("Visit notes\r\n\tBP 120/80 — fine ✓\n", "").type->name,
              "txt");
    EXPECT_EQ(model::check_file_type("a,b\n1,2\n", "text/csv; charset=utf-8").type->name, "csv")
        << "CSV is text that says so";
    EXPECT_EQ(model::check_file_type(kPdf, "application/octet-stream").verdict, TypeVerdict::ok)
        << "octet-stream declares nothing";
    EXPECT_EQ(model::check_file_type(kJpeg, "image/jpg").verdict, TypeVerdict::ok);
}

TEST(FileTypes, WhatIsNotOnTheListIsRefused) {
    EXPECT_EQ(model::check_file_type("", "").verdict, TypeVerdict::empty);
    EXPECT_EQ(model::check_file_type(std::string("MZ\x90\0\x03", 5), "").verdict,
              TypeVerdict::not_allowed)
        << "an executable";
    EXPECT_EQ(model::check_file_type(std::string("PK\x03\x04zip", 7), "").verdict,
              TypeVerdict::not_allowed)
        << "an archive that is no office document";
    EXPECT_EQ(model::check_file_type(std::string("text\0with nul", 13), "").verdict,
              TypeVerdict::not_allowed);
    EXPECT_EQ(model::check_file_type("\xC0\xAF overlong", "").verdict, TypeVerdict::not_allowed);
    EXPECT_EQ(model::check_file_type(kPdf, "video/mp4").verdict, TypeVerdict::not_allowed)
        << "a declared type off the list";
}

TEST(FileTypes, ADeclaredTypeThatContradictsTheBytesIsAMismatch) {
    const auto check = model::check_file_type(kPng, "application/pdf");
    EXPECT_EQ(check.verdict, TypeVerdict::mismatch);
    EXPECT_EQ(check.type->name, "png") << "names what the bytes are";
    EXPECT_EQ(model::check_file_type(kPdf, "text/plain").verdict, TypeVerdict::mismatch);
    EXPECT_EQ(model::check_file_type("plain words", "application/pdf").verdict,
              TypeVerdict::mismatch);
}

TEST(FileTypes, DownloadNamesAreSafeAndCarryTheExtension) {
    const auto& pdf = *model::file_type_named("pdf");
    EXPECT_EQ(model::safe_filename("GP letter.pdf", pdf), "GP letter.pdf");
    EXPECT_EQ(model::safe_filename("GP letter", pdf), "GP letter.pdf");
    EXPECT_EQ(model::safe_filename("../../etc/passwd", pdf), "_.._etc_passwd.pdf");
    EXPECT_EQ(model::safe_filename("a\"b\r\nContent-Type: x", pdf), "a_b__Content-Type_ x.pdf");
    EXPECT_EQ(model::safe_filename("...", pdf), "document.pdf");
    EXPECT_EQ(model::safe_filename("Scan.PDF", pdf), "Scan.PDF");
    EXPECT_LE(model::safe_filename(std::string(300, 'x'), pdf).size(), 104u);
}

TEST(BlobKeys, KeysAreDerivedFromTheDigestAndNothingElseParses) {
    const auto digest = sha256_hex("hello");
    const auto key = blob::key_for_digest(digest);
    EXPECT_EQ(key, "sha256/2c/" + digest);
    EXPECT_EQ(blob::digest_of(key), digest);
    EXPECT_FALSE(blob::digest_of("sha256/ab/" + digest)) << "the fan-out must match the digest";
    EXPECT_FALSE(blob::digest_of("sha256/2c/../../" + digest.substr(6)));
    EXPECT_FALSE(blob::digest_of("/etc/passwd"));
    EXPECT_FALSE(blob::digest_of("sha256/2C/" + digest)) << "lower-case hex only";
}

TEST(Ranges, SingleRangesAreServedAndOthersIgnoredOrRefused) {
    using http::RangeKind;
    auto r = http::parse_range("bytes=0-99", 1000);
    EXPECT_EQ(r.kind, RangeKind::satisfiable);
    EXPECT_EQ(r.range.first, 0u);
    EXPECT_EQ(r.range.last, 99u);
    EXPECT_EQ(http::content_range(r.range, 1000), "bytes 0-99/1000");
    r = http::parse_range("bytes=990-", 1000);
    EXPECT_EQ(r.range.first, 990u);
    EXPECT_EQ(r.range.last, 999u);
    r = http::parse_range("bytes=-10", 1000);
    EXPECT_EQ(r.range.first, 990u);
    EXPECT_EQ(r.range.length(), 10u);
    r = http::parse_range("bytes=-5000", 1000);
    EXPECT_EQ(r.range.first, 0u) << "a suffix longer than the file is the whole file";
    r = http::parse_range("bytes=500-5000", 1000);
    EXPECT_EQ(r.range.last, 999u) << "the end is clipped";
    EXPECT_EQ(http::parse_range("bytes=1000-", 1000).kind, RangeKind::unsatisfiable);
    EXPECT_EQ(http::parse_range("bytes=-0", 1000).kind, RangeKind::unsatisfiable);
    EXPECT_EQ(http::parse_range("bytes=0-1,5-6", 1000).kind, RangeKind::none);
    EXPECT_EQ(http::parse_range("items=0-1", 1000).kind, RangeKind::none);
    EXPECT_EQ(http::parse_range("bytes=5-1", 1000).kind, RangeKind::none);
    EXPECT_EQ(http::parse_range("bytes=x-1", 1000).kind, RangeKind::none);
}

TEST(BlobGc, OnlyOldUnreferencedBlobsAreGarbage) {
    const auto now = std::chrono::system_clock::now();
    const auto old = now - std::chrono::hours(2);
    const std::vector<blob::BlobInfo> stored{
        {"sha256/aa/kept", 1, old}, {"sha256/bb/orphan", 2, old}, {"sha256/cc/young", 3, now}};
    const auto doomed = blob::garbage(stored, {"sha256/aa/kept"}, now, std::chrono::seconds(3600));
    ASSERT_EQ(doomed.size(), 1u);
    EXPECT_EQ(doomed.front().key, "sha256/bb/orphan");
    EXPECT_EQ(blob::garbage(stored, {}, now, std::chrono::seconds(0)).size(), 3u);
}

TEST(UploadRequests, ARawBodyTakesItsFieldsFromTheQuery) {
    const std::multimap<std::string, std::string> query{
        {"name", "Letter"}, {"tags", "gp"}, {"tags[]", "2026"}, {"category", "letters"}};
    auto upload = documents::read_upload("application/pdf", kPdf, query);
    ASSERT_TRUE(upload.ok()) << upload.error().detail;
    EXPECT_EQ(upload->bytes, kPdf);
    EXPECT_EQ(upload->declared_type, "application/pdf");
    EXPECT_EQ(boost::json::serialize(upload->metadata.fields),
              R"({"category":"letters","name":"Letter","tags":["gp","2026"]})");
    const std::multimap<std::string, std::string> twice{{"name", "a"}, {"name", "b"}};
    EXPECT_EQ(documents::read_upload("", kPdf, twice).error().fields.at(0).code, "duplicate");
}

TEST(UploadRequests, AMultipartFormCarriesTheFileAndTheFields) {
    const std::string body =
        "preamble\r\n--XyZ\r\n"
        "Content-Disposition: form-data; name=\"file\"; filename=\"scan \\\"1\\\".png\"\r\n"
        "Content-Type: image/png\r\n\r\n" +
        kPng +
        "\r\n--XyZ\r\n"
        "Content-Disposition: form-data; name=\"tags[]\"\r\n\r\nwound\r\n--XyZ\r\n"
        "Content-Disposition: form-data; name=\"tags[]\"\r\n\r\nleg\r\n--XyZ--\r\n";
    auto upload = documents::read_upload("multipart/form-data; boundary=\"XyZ\"", body, {});
    ASSERT_TRUE(upload.ok()) << upload.error().detail;
    EXPECT_EQ(upload->bytes, kPng) << "bytes exactly, CR LF and NUL included";
    EXPECT_EQ(upload->declared_type, "image/png");
    EXPECT_EQ(boost::json::serialize(upload->metadata.fields),
              R"({"name":"scan \"1\".png","tags":["wound","leg"]})")
        << "the file's name when no field names it";

    const auto no_file = documents::read_upload(
        "multipart/form-data; boundary=b",
        "--b\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nx\r\n--b--\r\n", {});
    ASSERT_FALSE(no_file.ok());
    EXPECT_EQ(no_file.error().fields.at(0).field, "file");
    EXPECT_EQ(
        documents::read_upload("multipart/form-data; boundary=b", "--b\r\nbroken", {}).error().type,
        "malformed-multipart");
    EXPECT_EQ(documents::read_upload("multipart/form-data", body, {}).error().type,
              "malformed-multipart")
        << "no boundary";
}

TEST(UploadRequests, ExaminingChecksTheLimitTheTypeAndHashes) {
    documents::UploadRequest upload{kPdf, "application/pdf", {}};
    auto file = documents::examine(upload, kPdf.size());
    ASSERT_TRUE(file.ok()) << "exactly the limit is allowed";
    EXPECT_EQ(file->sha256, sha256_hex(kPdf));
    EXPECT_EQ(file->key, blob::key_for_digest(file->sha256));
    EXPECT_EQ(file->size, kPdf.size());
    const auto over = documents::examine(upload, kPdf.size() - 1);
    ASSERT_FALSE(over.ok());
    EXPECT_EQ(over.error().kind, ErrorKind::too_large);
    EXPECT_EQ(over.error().fields.at(0).field, "file");
    upload.declared_type = "image/png";
    EXPECT_EQ(documents::examine(upload, 1000).error().type, "file-type-mismatch");
    upload.bytes = "";
    EXPECT_EQ(documents::examine(upload, 1000).error().fields.at(0).code, "empty");
    upload.bytes = "MZ\x90";
    upload.declared_type = "";
    EXPECT_EQ(documents::examine(upload, 1000).error().kind, ErrorKind::unsupported_media_type);
}

class DocumentDecider : public testing::DeciderTest {};

TEST_F(DocumentDecider, AnUploadRecordsWhatTheServerFoundAndWhoUploaded) {
    const auto t = tenant();
    const auto uploader = UserId::generate();
    const documents::UploadRequest upload{kPdf, "", {}};
    const auto file = *documents::examine(upload, 1 << 20);
    aggregate::Create create{{&model::kDocument, t, Uuid::random_v4(), uploader, Timestamp::now()},
                             body(R"({"name":"Consent form","tags":["consent"]})"),
                             documents::computed_fields(*model::kDocument.upload, file)};
    const auto decided = testing::checked(aggregate::decide(model, create));
    ASSERT_TRUE(decided.ok()) << decided.error().detail;
    const auto& payload = decided->events.at(0).payload;
    EXPECT_EQ(decided->events.at(0).event_type, "DocumentUploaded");
    EXPECT_EQ(payload.at("file_path").as_string(), file.key);
    EXPECT_EQ(payload.at("file_type").as_string(), "pdf");
    EXPECT_EQ(payload.at("file_size").as_int64(), static_cast<std::int64_t>(kPdf.size()));
    EXPECT_EQ(payload.at("uploaded_by").as_string(), uploader.to_string());

    // A client cannot name the stored file, and no create goes without one.
    create.body = body(R"({"name":"x","file_path":"/etc/passwd"})");
    const auto chosen = aggregate::decide(model, create);
    ASSERT_FALSE(chosen.ok());
    EXPECT_EQ(chosen.error().fields.at(0).code, "read_only");
    create.body = body(R"({"name":"x"})");
    create.computed = {};
    EXPECT_EQ(aggregate::decide(model, create).error().kind, ErrorKind::internal);
}

}  // namespace
}  // namespace cc
