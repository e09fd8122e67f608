// Invoices over HTTP: exact amounts from request to event to row to answer,
// the tenant's gapless numbering under concurrency, the lifecycle with its
// draft-only edits, overdue by time alone (also after downtime), and exact
// totals per status.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <random>
#include <thread>

#include "events/envelope.hpp"
#include "tests/support/backend_test.hpp"
#include "tests/support/eventually.hpp"
#include "tests/support/openapi.hpp"

namespace cc::e2e {
namespace {

using testing::HttpResponse;
using testing::OpenApiCheck;

constexpr std::string_view kCollection = "/v1/tenants/{tenant_id}/invoices";

// "123.45" -> 12345: sums checked in integer pence, not in decimal text.
std::int64_t pence(std::string_view text) {
    const auto dot = text.find('.');
    return std::stoll(std::string(text.substr(0, dot))) * 100 +
           std::stoll(std::string(text.substr(dot + 1)));
}

std::string pounds(std::int64_t p) {
    const auto rest = p % 100;
    return std::to_string(p / 100) + "." + (rest < 10 ? "0" : "") + std::to_string(rest);
}

// The later of two positions of one partition ("<partition>:<offset>").
std::string later(const std::string& a, const std::string& b) {
    if (a.empty()) return b;
    const auto offset = [](const std::string& p) { return std::stoll(p.substr(p.find(':') + 1)); };
    return offset(b) > offset(a) ? b : a;
}

class InvoicesEndToEnd : public testing::BackendTest {
  protected:
    void SetUp() override {
        static std::atomic<int> n{0};
        const auto slug = "bills-" + std::to_string(::getpid()) + "-" + std::to_string(++n) + "-" +
                          testing::backend_name(GetParam());
        tenant_id = created_id(
            command("POST", "/v1/tenants", R"({"name":"Bills","slug":")" + slug + "\"}"));
        tenant = "/v1/tenants/" + tenant_id;
        patient = created_id(
            command("POST", tenant + "/patients", R"({"first_name":"Pat","last_name":"One"})"));
        other_patient = created_id(
            command("POST", tenant + "/patients", R"({"first_name":"Sam","last_name":"Two"})"));
    }
    std::string created_id(const HttpResponse& r) {
        EXPECT_EQ(r.status, 201) << r.body;
        return r.status == 201 ? std::string(r.json().at("id").as_string()) : "";
    }
    static std::string body(const std::string& amount, const std::string& issue = "2026-01-10",
                            const std::string& due = "2036-02-10", const std::string& extra = "") {
        return R"({"amount":)" + amount + R"(,"issue_date":")" + issue + R"(","due_date":")" + due +
               "\"" + extra + "}";
    }
    HttpResponse raise(const std::string& text) {
        return command("POST", tenant + "/invoices", text);
    }
    HttpResponse act(const std::string& id, const std::string& step, const std::string& text = "",
                     std::map<std::string, std::string> headers = {}) {
        return command("POST", tenant + "/invoices/" + id + "/" + step, text, std::move(headers));
    }
    HttpResponse read(const std::string& path, const std::string& position) {
        return query(tenant + path + (path.find('?') == std::string::npos ? "?" : "&") +
                     "min_position=" + position);
    }
    // Every page of a list.
    std::vector<boost::json::value> all(const std::string& path, const std::string& position) {
        std::vector<boost::json::value> out;
        std::string cursor;
        for (;;) {
            const auto r = read(path + (path.find('?') == std::string::npos ? "?" : "&") +
                                    "limit=200" + (cursor.empty() ? "" : "&cursor=" + cursor),
                                position);
            EXPECT_EQ(r.status, 200) << r.body;
            if (r.status != 200) return out;
            const auto json = r.json();
            for (const auto& item : json.at("items").as_array()) out.push_back(item);
            if (json.at("next_cursor").is_null()) return out;
            cursor = std::string(json.at("next_cursor").as_string());
        }
    }
    std::string status_of(const std::string& id) {
        const auto r = query(tenant + "/invoices/" + id);
        return r.status == 200 ? std::string(r.json().at("status").as_string()) : "";
    }
    std::string tenant_id, tenant, patient, other_patient;
};

TEST_P(InvoicesEndToEnd, AmountsAreExactAndBadOnesGetClearAnswers) {
    const auto before = stack().log_size();
    for (const auto& [sent, why] :
         std::vector<std::pair<std::string, std::string>>{{"1e2", "exponent"},
                                                          {"-0", "negative"},
                                                          {R"("12.345")", "decimal places"},
                                                          {R"("NaN")", "decimal number"},
                                                          {"100000000", "less than"},
                                                          {"-1.00", "negative"}}) {
        const auto r = raise(body(sent));
        EXPECT_EQ(r.status, 422) << sent << ": " << r.body;
        EXPECT_EQ(r.header("content-type"), "application/problem+json");
        const auto json = r.json();
        EXPECT_EQ(json.at("type"), "urn:complexcare:problem:validation-failed") << sent;
        const auto& error = json.at("errors").as_array().at(0);
        EXPECT_EQ(error.at("field"), "amount") << sent;
        EXPECT_EQ(error.at("code"), "decimal") << sent;
        EXPECT_NE(std::string(error.at("message").as_string()).find(why), std::string::npos)
            << sent << ": " << error.at("message");
    }
    EXPECT_EQ(stack().log_size(), before) << "a rejected command appends nothing";

    const auto created = raise(
        body("99999999.99", "2026-01-10", "2036-02-10", R"(,"patient_id":")" + patient + "\""));
    const auto id = created_id(created);
    const auto item = read("/invoices/" + id, position_of(created));
    ASSERT_EQ(item.status, 200) << item.body;
    EXPECT_EQ(testing::expect_matches_openapi("query-service", "GET",
                                              std::string(kCollection) + "/{invoice_id}",
                                              item.status, item.json()),
              OpenApiCheck::checked);
    EXPECT_EQ(item.json().at("amount"), "99999999.99");
    EXPECT_EQ(item.json().at("invoice_number"), "INV-000001");
    EXPECT_EQ(item.json().at("status"), "draft");
    EXPECT_TRUE(item.json().at("paid_date").is_null());
}

TEST_P(InvoicesEndToEnd, NumbersAreUniqueAndOnlyDraftsChange) {
    const auto mine = raise(body("10", "2026-01-10", "2036-02-10", R"(,"invoice_number":"A/1")"));
    ASSERT_EQ(mine.status, 201) << mine.body;
    const auto taken = raise(body("10", "2026-01-10", "2036-02-10", R"(,"invoice_number":"A/1")"));
    EXPECT_EQ(taken.status, 409) << taken.body;
    EXPECT_EQ(taken.json().at("type"), "urn:complexcare:problem:invoice-number-taken");
    const auto reserved =
        raise(body("10", "2026-01-10", "2036-02-10", R"(,"invoice_number":"INV-000002")"));
    EXPECT_EQ(reserved.status, 422) << reserved.body;
    EXPECT_EQ(reserved.json().at("errors").at(0).at("code"), "reserved");
    const auto backwards = raise(body("10", "2036-02-10", "2026-01-10"));
    EXPECT_EQ(backwards.status, 422);
    EXPECT_EQ(backwards.json().at("errors").at(0).at("field"), "due_date");

    const auto id = created_id(raise(body(R"("250.5")", "2026-01-10", "2036-02-10")));
    const auto item = tenant + "/invoices/" + id;
    EXPECT_EQ(command("PATCH", item, R"({"notes":"two visits"})", {{"If-Match", "\"1\""}}).status,
              200);
    EXPECT_EQ(act(id, "issue").status, 200);
    const auto before = stack().log_size();
    const auto edit = command("PATCH", item, R"({"notes":"late"})", {{"If-Match", "\"3\""}});
    EXPECT_EQ(edit.status, 409) << edit.body;
    EXPECT_EQ(edit.json().at("type"), "urn:complexcare:problem:invalid-transition");
    EXPECT_NE(std::string(edit.json().at("detail").as_string()).find("allowed now: pay, void"),
              std::string::npos);
    EXPECT_EQ(command("DELETE", item).status, 409);
    EXPECT_EQ(act(id, "issue").status, 409);
    EXPECT_EQ(act(id, "pay", R"({"paid_date":"2026-01-09"})").status, 422) << "before issue";
    EXPECT_EQ(act(id, "pay", R"({"paid_date":"2999-01-01"})").status, 422) << "in the future";
    EXPECT_EQ(act(id, "mark-overdue").status, 404) << "no client takes the scheduler's step";
    EXPECT_EQ(stack().log_size(), before);
    const auto paid = act(id, "pay", R"({"paid_date":"2026-01-20"})");
    ASSERT_EQ(paid.status, 200) << paid.body;
    const auto row = read("/invoices/" + id, position_of(paid));
    EXPECT_EQ(row.json().at("status"), "paid");
    EXPECT_EQ(row.json().at("paid_date"), "2026-01-20");
    EXPECT_EQ(row.json().at("amount"), "250.50");
    EXPECT_EQ(row.json().at("notes"), "two visits");

    const auto draft = created_id(raise(body("1")));
    EXPECT_EQ(act(draft, "void", "{}").status, 422) << "a reason is required";
    EXPECT_EQ(act(draft, "void", R"({"reason":"raised twice"})").status, 200);
    EXPECT_EQ(act(draft, "pay", R"({"paid_date":"2026-01-20"})").status, 409);
}

TEST_P(InvoicesEndToEnd, FiftyConcurrentCreatesGetTheNextFiftyNumbers) {
    constexpr int kCreates = 50;
    std::vector<std::string> positions(kCreates);
    std::vector<std::thread> threads;
    for (int i = 0; i < kCreates; ++i) {
        threads.emplace_back([&, i] {
            const auto r = raise(body(std::to_string(i + 1)));
            EXPECT_EQ(r.status, 201) << r.body;
            if (r.status == 201) positions[static_cast<std::size_t>(i)] = position_of(r);
        });
    }
    for (auto& t : threads) t.join();
    std::string last;
    for (const auto& p : positions) last = later(last, p);
    std::vector<std::string> numbers;
    for (const auto& item : all("/invoices", last)) {
        numbers.emplace_back(item.at("invoice_number").as_string());
    }
    std::sort(numbers.begin(), numbers.end());
    std::vector<std::string> expected;
    for (int n = 1; n <= kCreates; ++n) {
        const auto digits = std::to_string(n);
        expected.push_back("INV-" + std::string(6 - digits.size(), '0') + digits);
    }
    EXPECT_EQ(numbers, expected) << "gapless, no number twice";
}

TEST_P(InvoicesEndToEnd, FiltersAndExactTotalsPerStatus) {
    std::mt19937_64 random(42);
    // Expected totals in integer pence per (patient or all, status).
    std::map<std::string, std::map<std::string, std::pair<int, std::int64_t>>> expected;
    std::string last;
    // Due dates far ahead: no invoice here becomes overdue while the test runs.
    int issued_in_march = 0, due_in_april = 0;
    for (int i = 0; i < 24; ++i) {
        const auto amount = static_cast<std::int64_t>(random() % 100'000'000);
        const auto who = i % 3 == 0 ? other_patient : patient;
        const std::string month = i % 2 == 0 ? "03" : "05";
        const std::string due_month = i % 4 == 0 ? "04" : "06";
        issued_in_march += month == "03";
        due_in_april += due_month == "04";
        const auto created =
            raise(body("\"" + pounds(amount) + "\"", "2026-" + month + "-01",
                       "2036-" + due_month + "-15", R"(,"patient_id":")" + who + "\""));
        const auto id = created_id(created);
        last = later(last, position_of(created));
        std::string state = "draft";
        if (i % 4 == 1) {
            last = later(last, position_of(act(id, "issue")));
            state = "issued";
        } else if (i % 4 == 2) {
            last = later(last, position_of(act(id, "void", R"({"reason":"x"})")));
            state = "void";
        } else if (i % 4 == 3) {
            act(id, "issue");
            last = later(last, position_of(act(id, "pay", R"({"paid_date":"2026-06-01"})")));
            state = "paid";
        }
        for (const auto& key : {std::string(), who}) {
            auto& [count, total] = expected[key][state];
            ++count;
            total += amount;
        }
    }
    EXPECT_EQ(all("/invoices?status=void", last).size(), 6u);
    EXPECT_EQ(all("/invoices?patient_id=" + other_patient, last).size(), 8u);
    EXPECT_EQ(all("/invoices?issued_from=2026-03-01&issued_to=2026-04-01", last).size(),
              static_cast<std::size_t>(issued_in_march));
    EXPECT_EQ(all("/invoices?due_from=2036-04-01&due_to=2036-05-01", last).size(),
              static_cast<std::size_t>(due_in_april));
    EXPECT_EQ(all("/patients/" + patient + "/invoices", last).size(), 16u);
    EXPECT_EQ(read("/invoices?issued_from=2026-13-01", last).status, 400);

    for (const auto& key : {std::string(), patient, other_patient}) {
        const auto r = read("/invoices/summary" + (key.empty() ? "" : "?patient_id=" + key), last);
        ASSERT_EQ(r.status, 200) << r.body;
        EXPECT_EQ(
            testing::expect_matches_openapi(
                "query-service", "GET", std::string(kCollection) + "/summary", r.status, r.json()),
            OpenApiCheck::checked);
        const auto json = r.json();
        const auto& by_status = json.at("by_status").as_object();
        for (const auto* state : {"draft", "issued", "paid", "void", "overdue"}) {
            const auto [count, total] = expected[key][state];
            const auto& got = by_status.at(state);
            EXPECT_EQ(got.at("count").as_int64(), count) << key << " " << state;
            EXPECT_EQ(pence(got.at("total").as_string()), total) << key << " " << state;
            EXPECT_EQ(got.at("total").as_string(), pounds(total)) << "decimal text, 2 places";
        }
    }
}

TEST_P(InvoicesEndToEnd, BecomesOverdueByTimeAloneAlsoAfterDowntimeAndCanStillBePaid) {
    auto& s = stack();
    // Down time: a command service whose scheduler is off.
    s.command->kill_hard();
    s.command = s.start("command-service/command-service", s.command_port,
                        {{"CC_OVERDUE_INTERVAL_MS", "0"}});
    const auto missed = created_id(raise(body("75.00", "2020-01-01", "2020-01-31")));
    ASSERT_EQ(act(missed, "issue").status, 200);
    // Back up with its scheduler: the start-up sweep catches up.
    s.command->kill_hard();
    s.start_command_service();
    const auto on_time = created_id(raise(body("25.00", "2020-01-01", "2020-01-31")));
    ASSERT_EQ(act(on_time, "issue").status, 200);
    const auto not_yet = created_id(raise(body("5.00", "2020-01-01", "2999-01-31")));
    ASSERT_EQ(act(not_yet, "issue").status, 200);
    for (const auto& id : {missed, on_time}) {
        EXPECT_TRUE(testing::eventually([&] { return status_of(id) == "overdue"; }))
            << id << " never became overdue: " << status_of(id);
    }
    // Marked once, by no user: version 3 is the overdue step, so If-Match 3 pays it.
    const auto paid = act(missed, "pay", R"({"paid_date":"2020-02-05"})", {{"If-Match", "\"3\""}});
    ASSERT_EQ(paid.status, 200) << paid.body;
    EXPECT_EQ(paid.json().at("version").as_int64(), 4);
    const auto audit = query(tenant + "/audit-logs?entity_id=" + missed +
                             "&action=InvoiceBecameOverdue&min_position=" + position_of(paid));
    ASSERT_EQ(audit.status, 200) << audit.body;
    const auto audit_json = audit.json();
    const auto& rows = audit_json.at("items").as_array();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_TRUE(rows[0].at("user_id").is_null()) << "the system, not a user";
    EXPECT_NE(std::string(rows[0].at("user_agent").as_string()).find("overdue scheduler"),
              std::string::npos);
    EXPECT_EQ(read("/invoices/" + missed, position_of(paid)).json().at("status"), "paid");
    EXPECT_EQ(status_of(not_yet), "issued");
    const auto summary = read("/invoices/summary", position_of(paid));
    EXPECT_EQ(summary.json().at("by_status").at("overdue").at("total"), "25.00");
}

// 10,000 random amounts through the HTTP API: the row, the event and the
// answer hold the text that was sent. Over several connections at once, to
// stay within CI time.
TEST_P(InvoicesEndToEnd, TenThousandRandomAmountsKeepTheirDecimalText) {
    if (GetParam() == eventlog::Backend::kafka)
        GTEST_SKIP() << "10,000 events outgrow the mock cluster's 5 MB partition; the path from "
                        "request to row does not depend on the log";
    constexpr int kAmounts = 10'000;
    constexpr int kConnections = 8;
    const auto started = std::chrono::steady_clock::now();
    std::vector<std::map<std::string, std::string>> sent(kConnections);  // id -> text
    std::vector<std::string> positions(kConnections);
    std::vector<std::thread> threads;
    for (int c = 0; c < kConnections; ++c) {
        threads.emplace_back([&, c] {
            std::mt19937_64 random(static_cast<std::uint64_t>(c) + 1);
            for (int i = c; i < kAmounts; i += kConnections) {
                const auto p = static_cast<std::int64_t>(random() % 10'000'000'000ULL);
                const auto text = pounds(p);
                // Half as JSON numbers, half as strings: both are exact.
                const auto r = raise(body(i % 2 == 0 ? text : "\"" + text + "\""));
                if (r.status != 201) {
                    ADD_FAILURE() << text << ": " << r.body;
                    return;
                }
                sent[static_cast<std::size_t>(c)][std::string(r.json().at("id").as_string())] =
                    text;
                positions[static_cast<std::size_t>(c)] =
                    later(positions[static_cast<std::size_t>(c)], position_of(r));
            }
        });
    }
    for (auto& t : threads) t.join();
    const auto posted = std::chrono::steady_clock::now();
    std::map<std::string, std::string> expected;
    std::string last;
    for (int c = 0; c < kConnections; ++c) {
        expected.insert(sent[static_cast<std::size_t>(c)].begin(),
                        sent[static_cast<std::size_t>(c)].end());
        last = later(last, positions[static_cast<std::size_t>(c)]);
    }
    ASSERT_EQ(expected.size(), static_cast<std::size_t>(kAmounts));

    // One read waits at most CC_CONSISTENCY_TIMEOUT_MS for its position, less
    // than 10,000 events may take to project on a busy machine: wait for the
    // position first (503 until then), then read.
    ASSERT_TRUE(projected(tenant + "/invoices?limit=1", last))
        << "the projector never reached " << last;
    // The answer: the query service's pages.
    std::size_t answered = 0;
    for (const auto& item : all("/invoices", last)) {
        EXPECT_EQ(item.at("amount").as_string(),
                  expected.at(std::string(item.at("id").as_string())));
        ++answered;
    }
    EXPECT_EQ(answered, expected.size());
    // The row.
    pqxx::connection db(stack().database_url);
    pqxx::read_transaction tx(db);
    std::size_t rows = 0;
    for (const auto& row : tx.exec_params(
             "SELECT id::text, amount::text FROM invoices WHERE tenant_id = $1::uuid", tenant_id)) {
        EXPECT_EQ(row[1].as<std::string>(), expected.at(row[0].as<std::string>()));
        ++rows;
    }
    EXPECT_EQ(rows, expected.size());
    // The event, as the log holds it.
    auto reader = eventlog::open_reader(stack().log, {});
    const auto ends = reader->end_offsets();
    ASSERT_TRUE(ends.ok());
    std::size_t events = 0;
    const auto caught_up = [&] {
        const auto at = reader->positions();
        for (std::size_t p = 0; p < ends->size(); ++p) {
            const auto it = at.find(static_cast<int>(p));
            if ((it == at.end() ? 0 : it->second) < (*ends)[p]) return false;
        }
        return true;
    };
    while (!caught_up()) {
        auto records = reader->poll(5000, std::chrono::milliseconds(200));
        ASSERT_TRUE(records.ok());
        for (const auto& record : *records) {
            const auto e = events::parse_envelope(record.value);
            ASSERT_TRUE(e.ok());
            if (e->event_type != "InvoiceRaised" || e->tenant_id.to_string() != tenant_id) continue;
            EXPECT_EQ(e->payload.at("amount").as_string(),
                      expected.at(e->aggregate_id.to_string()));
            ++events;
        }
    }
    EXPECT_EQ(events, expected.size());
    const auto ms = [](auto d) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
    };
    std::printf(
        "[ figures  ] %d amounts over %d connections: posted in %lld ms, checked in %lld ms\n",
        kAmounts, kConnections, static_cast<long long>(ms(posted - started)),
        static_cast<long long>(ms(std::chrono::steady_clock::now() - posted)));
}

INSTANTIATE_TEST_SUITE_P(Logs, InvoicesEndToEnd,
                         ::testing::Values(eventlog::Backend::postgres, eventlog::Backend::kafka),
                         [](const auto& param_info) {
                             return testing::backend_name(param_info.param);
                         });

}  // namespace
}  // namespace cc::e2e
