#include "query-service/audit_routes.hpp"

#include <atomic>
#include <cstring>
#include <pqxx/pqxx>
#include <utility>

#include "platform/config/env.hpp"
#include "platform/observability/logger.hpp"
#include "query-service/audit_trail.hpp"

namespace cc::query {
namespace {

using http::Request;
using http::Response;

Result<AuditFilter> filter_of(const Request& request) {
    return audit_filter([&request](std::string_view name) { return request.query_param(name); });
}

Response audit_page(ReadApi& api, const Request& request, const std::string& tenant_id) {
    auto limit = page_limit(request);
    if (!limit) return Response::problem(limit.error(), request);
    auto filter = filter_of(request);
    if (!filter) return Response::problem(filter.error(), request);
    std::optional<AuditCursor> after;
    if (auto cursor_text = request.query_param("cursor")) {
        after = parse_audit_cursor(*cursor_text);
        if (!after) {
            Error error = Error::make(ErrorKind::malformed, "bad-cursor", "cursor is not valid");
            error.fields.push_back({"cursor", "format", error.detail});
            return Response::problem(error, request);
        }
    }
    return api.page(request, audit_page_statement(tenant_id, *filter, after, *limit), *limit);
}

// The export, read from a cursor a batch at a time as the connection takes
// it: memory holds one batch, whatever the range. The connection stays
// leased (and the snapshot open) until the last row is sent or the client
// goes away.
//
// Each export holds one of the pool's connections for as long as its client
// reads, so exports at once are bounded (CC_MAX_EXPORTS): past it, 429.
class AuditExport final : public http::BodySource {
  public:
    // A place among the exports running now, given back when the export ends.
    class Slot {
      public:
        static std::optional<Slot> take(int most) {
            if (running.fetch_add(1) >= most) {
                --running;
                return std::nullopt;
            }
            return Slot();
        }
        Slot(Slot&& other) noexcept : held_(std::exchange(other.held_, false)) {}
        Slot(const Slot&) = delete;
        Slot& operator=(const Slot&) = delete;
        Slot& operator=(Slot&&) = delete;
        ~Slot() {
            if (held_) --running;
        }

      private:
        Slot() = default;
        static inline std::atomic<int> running{0};
        bool held_ = true;
    };

    AuditExport(Slot slot, pg::ConnectionPool& pool, const pg::Statement& statement,
                ExportFormat format)
        : slot_(std::move(slot)), lease_(pool.acquire()), format_(format) {
        tx_.emplace(**lease_);
        tx_->exec_params("DECLARE audit_export NO SCROLL CURSOR FOR " + statement.sql,
                         pqxx::prepare::make_dynamic_params(statement.params));
        if (format_ == ExportFormat::csv) buffer_ = csv_header();
        fetch();  // a failure before the answer starts is an ordinary problem answer
    }

    std::uint64_t size() const override { return kUnknownSize; }

    Result<std::size_t> read(std::span<char> out) override {
        try {
            while (sent_ == buffer_.size() && tx_) {
                buffer_.clear();
                sent_ = 0;
                fetch();
            }
        } catch (const std::exception& e) {
            // The client's answer is cut short (the server aborts it); the
            // driver's message stays in the log, not the body.
            obs::error("audit export failed", {{"error", e.what()}});
            return Error::make(ErrorKind::unavailable, "database-unavailable",
                               "the read store failed during the export");
        }
        const auto n = std::min(out.size(), buffer_.size() - sent_);
        std::memcpy(out.data(), buffer_.data() + sent_, n);
        sent_ += n;
        return n;
    }

  private:
    static constexpr int kBatch = 500;

    void fetch() {
        const auto rows = tx_->exec("FETCH " + std::to_string(kBatch) + " FROM audit_export");
        for (const auto& row : rows) {
            if (format_ == ExportFormat::jsonl) {
                buffer_ += row[0].c_str();
                buffer_ += '\n';
                continue;
            }
            for (pqxx::row::size_type i = 0; i < row.size(); ++i) {
                if (i > 0) buffer_ += ',';
                buffer_ += csv_field(row[i].is_null() ? std::nullopt
                                                      : std::optional<std::string>(row[i].c_str()));
            }
            buffer_ += "\r\n";
        }
        if (rows.size() < static_cast<pqxx::result::size_type>(kBatch)) {
            tx_->commit();
            tx_.reset();
            lease_.reset();
        }
    }

    Slot slot_;
    std::optional<pg::ConnectionPool::Lease> lease_;
    std::optional<pqxx::read_transaction> tx_;
    ExportFormat format_;
    std::string buffer_;
    std::size_t sent_ = 0;
};

Response audit_export(pg::ConnectionPool& pool, const Request& request,
                      const std::string& tenant_id) {
    auto filter = filter_of(request);
    if (!filter) return Response::problem(filter.error(), request);
    // A range, so that an export is a decision about how much to take.
    for (const auto& [name, bound] :
         {std::pair{"from", &filter->from}, std::pair{"to", &filter->to}}) {
        if (*bound) continue;
        Error error = Error::make(ErrorKind::malformed, "bad-filter",
                                  std::string(name) + " is required: the export covers a range");
        error.fields.push_back({name, "required", error.detail});
        return Response::problem(error, request);
    }
    const auto format_text = request.query_param("format").value_or("jsonl");
    if (format_text != "jsonl" && format_text != "csv") {
        Error error =
            Error::make(ErrorKind::malformed, "bad-filter", "format must be jsonl or csv");
        error.fields.push_back({"format", "enum", error.detail});
        return Response::problem(error, request);
    }
    const auto format = format_text == "csv" ? ExportFormat::csv : ExportFormat::jsonl;
    static const int most = config::env_int("CC_MAX_EXPORTS", 2);
    auto slot = AuditExport::Slot::take(most);
    if (!slot) {
        auto busy = Response::problem(
            Error::make(ErrorKind::too_many_requests, "too-many-exports",
                        "as many audit exports as the service runs at once are running"),
            request);
        busy.headers.emplace_back("Retry-After", "5");
        return busy;
    }
    std::shared_ptr<AuditExport> source;
    try {
        source = std::make_shared<AuditExport>(
            std::move(*slot), pool, audit_export_statement(tenant_id, *filter, format), format);
    } catch (const pqxx::broken_connection&) {
        return Response::problem(Error::make(ErrorKind::unavailable, "database-unavailable",
                                             "the read store is unavailable"),
                                 request);
    }
    auto response = Response::stream(200, std::move(source));
    response.headers = {
        {"Content-Type", format == ExportFormat::csv ? "text/csv; charset=utf-8; header=present"
                                                     : "application/x-ndjson"},
        {"Content-Disposition",
         "attachment; filename=\"audit-" + tenant_id + "." + format_text + "\""},
        {"Cache-Control", "no-store"}};
    return response;
}

}  // namespace

void add_audit_routes(http::Router& router, ReadApi& api, Access& access,
                      pg::ConnectionPool& pool) {
    using auth::TenantAction;
    router.add("GET", "/v1/tenants/{tenant_id}/audit-logs", [&api, &access](Request& r) {
        auto tenant = uuid_param(r, "tenant_id");
        if (!tenant) return Response::problem(tenant.error(), r);
        return guarded(r, access.tenant(r.caller, *tenant, TenantAction::read_audit),
                       [&] { return audit_page(api, r, *tenant); });
    });
    router.add("GET", "/v1/tenants/{tenant_id}/audit-logs/export", [&pool, &access](Request& r) {
        auto tenant = uuid_param(r, "tenant_id");
        if (!tenant) return Response::problem(tenant.error(), r);
        return guarded(r, access.tenant(r.caller, *tenant, TenantAction::read_audit),
                       [&] { return audit_export(pool, r, *tenant); });
    });
}

}  // namespace cc::query
