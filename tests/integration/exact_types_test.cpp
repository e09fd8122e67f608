// Exact types through the real database: a decimal and a text array written
// by the projection SQL and read by the query SQL keep their exact text. No
// described aggregate has such a column yet (invoices and documents will), so
// the documented tables are driven through the same builders directly.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <pqxx/pqxx>
#include <random>

#include "model/validate.hpp"
#include "projector/projection/batch.hpp"
#include "query-service/resource.hpp"
#include "tests/support/postgres_server.hpp"

namespace cc {
namespace {

using namespace std::string_literals;

void run(pqxx::work& tx, const projection::Statement& row) {
    const projection::Statement* rows[] = {&row};
    const auto s = projection::merge(rows);
    tx.exec_params(s.sql, pqxx::prepare::make_dynamic_params(s.params));
}

events::Envelope created(const std::string& type, const TenantId& tenant) {
    events::Envelope e;
    e.event_id = EventId::generate();
    e.event_type = type;
    e.tenant_id = tenant;
    e.aggregate_id = Uuid::random_v4();
    e.aggregate_version = 1;
    e.occurred_at = Timestamp::now();
    return e;
}

class ExactTypesTest : public ::testing::Test {
  protected:
    void SetUp() override {
        url_ = testing::postgres().create_database("exact_types");
        pqxx::connection c(url_);
        pqxx::work tx(c);
        tx.exec_params("INSERT INTO tenants (id, name, slug) VALUES ($1::uuid, 'T', $2)",
                       tenant_.to_string(), "exact-" + tenant_.to_string());
        tx.commit();
    }
    std::string url_;
    TenantId tenant_ = TenantId::generate();
};

constexpr std::string_view kInvoiceColumns[] = {"tenant_id", "invoice_number", "amount",
                                                "status",    "issue_date",     "due_date"};
constexpr query::Column kInvoiceRead[] = {{"id"}, {"amount", query::Render::decimal}};
constexpr query::Resource kInvoices{.entity_type = "invoice",
                                    .table = "invoices",
                                    .columns = kInvoiceRead,
                                    .tenant_column = "tenant_id"};
constexpr model::Field kAmount{.name = "amount",
                               .type = model::FieldType::decimal,
                               .precision = 10,
                               .scale = 2,
                               .non_negative = true};

TEST_F(ExactTypesTest, ThousandRandomAmountsKeepTheirDecimalTextFromRequestToRowToAnswer) {
    std::mt19937_64 random(7);
    pqxx::connection c(url_);
    pqxx::work tx(c);
    const projection::TableSpec spec{"invoices", kInvoiceColumns};
    std::vector<std::pair<Uuid, std::string>> written;
    for (int i = 0; i < 1000; ++i) {
        // Any amount DECIMAL(10,2) holds, sent as a JSON number the way a client would.
        const auto pence = random() % 10'000'000'000ULL;
        const auto sent = std::to_string(pence / 100) + "." + (pence % 100 < 10 ? "0" : "") +
                          std::to_string(pence % 100);
        auto body = json::parse_body(R"({"amount": )" + sent + "}");
        ASSERT_TRUE(body.ok());
        std::vector<FieldError> errors;
        const auto value = model::check_value(kAmount, body->fields.at("amount"),
                                              body->numbers.contains("amount"), errors);
        ASSERT_TRUE(value.has_value()) << sent;
        ASSERT_EQ(value->as_string(), sent) << "the event holds what was sent";
        auto e = created("InvoiceCreated", tenant_);
        auto insert = projection::insert_row(spec, e,
                                             {{"tenant_id", tenant_.to_string()},
                                              {"invoice_number", "INV-" + std::to_string(i)},
                                              {"amount", *value},
                                              {"status", "draft"},
                                              {"issue_date", "2026-01-01"},
                                              {"due_date", "2026-01-31"}});
        ASSERT_TRUE(insert.ok());
        run(tx, *insert);
        written.emplace_back(e.aggregate_id, sent);
    }
    for (const auto& [id, sent] : written) {
        const auto row = tx.exec_params1("SELECT amount::text FROM invoices WHERE id = $1::uuid",
                                         id.to_string());
        EXPECT_EQ(row[0].as<std::string>(), sent) << "the row holds it";
        const auto s = query::item_statement(kInvoices, tenant_.to_string(), id.to_string());
        const auto answer = tx.exec_params1(s.sql, pqxx::prepare::make_dynamic_params(s.params));
        EXPECT_EQ(boost::json::parse(answer[0].as<std::string>()).at("amount").as_string(), sent)
            << "the answer holds it, as text";
    }
}

constexpr std::string_view kDocumentColumns[] = {"tenant_id", "name",      "file_path",
                                                 "file_type", "file_size", "tags"};
constexpr query::Column kDocumentRead[] = {{"id"}, {"tags"}};
constexpr query::Filter kTagFilter[] = {
    {.parameter = "tag", .column = "tags", .cast = "text", .op = "@>"}};
constexpr query::Resource kDocuments{.entity_type = "document",
                                     .table = "documents",
                                     .columns = kDocumentRead,
                                     .tenant_column = "tenant_id",
                                     .filters = kTagFilter};

TEST_F(ExactTypesTest, TextArraysRoundTripAndFilterByContainment) {
    pqxx::connection c(url_);
    pqxx::work tx(c);
    const projection::TableSpec spec{"documents", kDocumentColumns};
    const boost::json::array tags{"care plan", "signed, dated", "ünïcode \"quoted\""};
    auto e = created("DocumentUploaded", tenant_);
    auto insert = projection::insert_row(spec, e,
                                         {{"tenant_id", tenant_.to_string()},
                                          {"name", "plan.pdf"},
                                          {"file_path", "blob:abc"},
                                          {"file_type", "pdf"},
                                          {"file_size", 10},
                                          {"tags", tags}});
    ASSERT_TRUE(insert.ok());
    run(tx, *insert);
    const auto item =
        query::item_statement(kDocuments, tenant_.to_string(), e.aggregate_id.to_string());
    const auto answer = tx.exec_params1(item.sql, pqxx::prepare::make_dynamic_params(item.params));
    EXPECT_EQ(boost::json::parse(answer[0].as<std::string>()).at("tags"), tags);

    query::ListRequest request;
    request.tenant_id = tenant_.to_string();
    request.filters = {{"tag", "signed, dated"}};
    const auto hit = query::list_statement(kDocuments, request);
    EXPECT_EQ(tx.exec_params(hit.sql, pqxx::prepare::make_dynamic_params(hit.params)).size(), 1u);
    request.filters = {{"tag", "signed"}};
    const auto miss = query::list_statement(kDocuments, request);
    EXPECT_EQ(tx.exec_params(miss.sql, pqxx::prepare::make_dynamic_params(miss.params)).size(), 0u)
        << "a tag matches whole, not as a substring";
}

}  // namespace
}  // namespace cc
