#include "query-service/generations.hpp"

#include <pqxx/pqxx>

#include "platform/core/uuid.hpp"
#include "platform/observability/logger.hpp"
#include "query-service/as_of.hpp"

namespace cc::query {
namespace {

using namespace std::chrono_literals;

const std::string kNoPath;
thread_local const std::string* present_path = &kNoPath;

class PresentScope {
  public:
    explicit PresentScope(const std::string& path) : previous_(present_path) {
        present_path = &path;
    }
    ~PresentScope() { present_path = previous_; }
    PresentScope(const PresentScope&) = delete;
    PresentScope& operator=(const PresentScope&) = delete;

  private:
    const std::string* previous_;
};

// A database not migrated to generations yet has one: public.
std::string read_current(pqxx::connection& connection) {
    pqxx::read_transaction tx(connection);
    if (tx.exec("SELECT to_regclass('public.projection_generations')")[0][0].is_null()) {
        return "public";
    }
    const auto rows =
        tx.exec("SELECT schema_name FROM projection_generations WHERE state = 'current'");
    return rows.empty() ? std::string("public") : rows[0][0].as<std::string>();
}

struct AsOfTarget {
    std::optional<Error> refused;
    std::string schema;
};

AsOfTarget find_as_of(pg::ConnectionPool& pool, const http::Request& request,
                      const std::string& name) {
    const auto tenant = tenant_in_path(request.path);
    auto lease = pool.acquire();
    pqxx::read_transaction tx(*lease);
    std::optional<std::string> role;
    if (tenant && Uuid::parse(*tenant)) {
        const auto rows = tx.exec_params(
            "SELECT m.role FROM user_tenants m JOIN tenants t ON t.id = m.tenant_id "
            "JOIN users u ON u.id = m.user_id WHERE m.tenant_id = $1::uuid AND m.user_id = "
            "$2::uuid AND m.deleted_at IS NULL AND t.deleted_at IS NULL AND u.deleted_at IS NULL",
            *tenant, request.caller.user.to_string());
        if (!rows.empty()) role = rows[0][0].as<std::string>();
    }
    if (auto allowed = may_read_as_of(request.caller, tenant.has_value(), role); !allowed) {
        return {allowed.error(), {}};
    }
    const auto rows = tx.exec_params(
        "SELECT schema_name FROM projection_generations "
        "WHERE name = $1 AND kind = 'as_of' AND state = 'ready'",
        name);
    if (rows.empty()) return {unknown_as_of(name), {}};
    return {std::nullopt, rows[0][0].as<std::string>()};
}

}  // namespace

std::string generation_search_path(const std::string& schema) {
    if (schema == "public") return "public";
    return "\"" + schema + "\", public";
}

const std::string& present_search_path() {
    return *present_path;
}

GenerationWatch::GenerationWatch(std::string conninfo) : conninfo_(std::move(conninfo)) {
    pqxx::connection connection(conninfo_);
    current_schema_ = read_current(connection);
    follower_ = std::thread([this] { follow(); });
}

GenerationWatch::~GenerationWatch() {
    stop();
}

void GenerationWatch::stop() {
    stopping_ = true;
    if (follower_.joinable()) follower_.join();
}

std::string GenerationWatch::current_schema() const {
    std::lock_guard lock(mutex_);
    return current_schema_;
}

void GenerationWatch::refresh(pqxx::connection& connection) {
    auto schema = read_current(connection);
    std::lock_guard lock(mutex_);
    if (schema != current_schema_) {
        obs::info("reads switch to another projection generation",
                  {{"from", current_schema_}, {"to", schema}});
        current_schema_ = std::move(schema);
    }
}

// Woken by the switch's NOTIFY; a look every second besides, for a
// notification missed while the connection was down.
void GenerationWatch::follow() {
    while (!stopping_.load()) {
        try {
            pqxx::connection connection(conninfo_);
            {
                pqxx::nontransaction tx(connection);
                tx.exec("LISTEN projection_generations");
            }
            refresh(connection);
            while (!stopping_.load()) {
                connection.await_notification(1, 0);
                refresh(connection);
            }
        } catch (const std::exception& e) {
            obs::warn("cannot follow the current projection generation; retrying",
                      {{"error", e.what()}});
            for (int i = 0; i < 10 && !stopping_.load(); ++i) std::this_thread::sleep_for(100ms);
        }
    }
}

http::Handler pin_generation(http::Handler inner, GenerationWatch& watch,
                             pg::ConnectionPool& pool) {
    return [inner = std::move(inner), &watch, &pool](http::Request& request) -> http::Response {
        const auto present = generation_search_path(watch.current_schema());
        const PresentScope present_scope(present);
        auto requested = requested_as_of(request.query_param("as_of"), request.header("cc-as-of"),
                                         request.query_param("min_position").has_value() ||
                                             request.header("x-min-position").has_value());
        if (!requested) return http::Response::problem(requested.error(), request);
        if (!*requested) {
            const pg::SearchPathScope scope(present);
            return inner(request);
        }
        const auto& name = **requested;
        AsOfTarget target;
        try {
            const pg::SearchPathScope scope(present);
            target = find_as_of(pool, request, name);
        } catch (const std::exception&) {
            return http::Response::problem(
                Error::make(ErrorKind::unavailable, "database-unavailable",
                            "the read store is unavailable"),
                request);
        }
        if (target.refused) return http::Response::problem(*target.refused, request);
        const pg::SearchPathScope scope(generation_search_path(target.schema));
        auto response = inner(request);
        response.headers.emplace_back("CC-As-Of", name);
        return response;
    };
}

}  // namespace cc::query
