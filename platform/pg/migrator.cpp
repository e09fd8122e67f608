#include "platform/pg/migrator.hpp"

#include "platform/core/hash.hpp"

#include <algorithm>
#include <fstream>
#include <optional>
#include <pqxx/pqxx>
#include <sstream>

namespace cc::pg {
namespace {

// Arbitrary but fixed: every `complexcare migrate` takes the same lock.
constexpr long long kMigrationLockKey = 7'242'000'001;

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

struct MigrationFile {
    std::filesystem::path path;
    bool log = false;  // applied to public once, not to each generation
    std::string name() const { return path.filename().string(); }
};

Result<std::vector<MigrationFile>> files_of(const std::filesystem::path& directory) {
    std::vector<MigrationFile> files;
    const auto add = [&](const std::filesystem::path& dir, bool log) -> Status {
        std::error_code ec;
        if (log && !std::filesystem::exists(dir)) return {};
        for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
            if (entry.is_regular_file() && entry.path().extension() == ".sql") {
                files.push_back({entry.path(), log});
            }
        }
        if (ec) {
            return Error::make(ErrorKind::invalid, "migrations-not-found",
                               "cannot read " + dir.string() + ": " + ec.message());
        }
        return {};
    };
    if (auto read = add(directory, false); !read) return std::move(read).error();
    if (auto read = add(directory / "log", true); !read) return std::move(read).error();
    std::sort(files.begin(), files.end(),
              [](const auto& a, const auto& b) { return a.name() < b.name(); });
    for (std::size_t i = 1; i < files.size(); ++i) {
        if (files[i].name() == files[i - 1].name()) {
            return Error::make(ErrorKind::invalid, "migration-name-twice",
                               files[i].name() + " is both a log and a projection migration");
        }
    }
    return files;
}

void ensure_ledger(pqxx::transaction_base& tx, const std::string& schema) {
    tx.exec("CREATE TABLE IF NOT EXISTS " + tx.quote_name(schema) +
            ".schema_migrations ("
            " name TEXT PRIMARY KEY,"
            " checksum TEXT NOT NULL,"
            " applied_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW())");
}

// nullopt when not applied to `schema`; an error when applied with other text.
Result<bool> applied_to(pqxx::transaction_base& tx, const std::string& schema,
                        const std::string& name, const std::string& checksum) {
    const auto existing = tx.exec_params(
        "SELECT checksum FROM " + tx.quote_name(schema) + ".schema_migrations WHERE name = $1",
        name);
    if (existing.empty()) return false;
    if (existing[0][0].as<std::string>() != checksum) {
        return Error::make(
            ErrorKind::conflict, "migration-changed",
            "migration " + name + " was changed after it was applied; add a new migration instead");
    }
    return true;
}

// The schema alone in the search path: a projection migration that names a
// log table (which belongs in log/) fails in a generation's schema instead
// of changing the log once per generation. What it needs from public (the
// append-only trigger functions) it names qualified.
void apply(pqxx::transaction_base& tx, const std::string& schema, const std::string& name,
           const std::string& sql, const std::string& checksum) {
    tx.exec("SET LOCAL search_path TO " + tx.quote_name(schema));
    tx.exec(sql);
    tx.exec("SET LOCAL search_path TO public");
    tx.exec_params("INSERT INTO " + tx.quote_name(schema) +
                       ".schema_migrations (name, checksum) VALUES ($1, $2)",
                   name, checksum);
}

// The schemas projection migrations go to: every generation not dropped,
// or public alone before the control table exists.
std::vector<std::string> generation_schemas(pqxx::transaction_base& tx) {
    if (tx.exec("SELECT to_regclass('public.projection_generations')")[0][0].is_null()) {
        return {"public"};
    }
    std::vector<std::string> out;
    for (const auto& row : tx.exec("SELECT schema_name FROM projection_generations "
                                   "WHERE state <> 'dropped' ORDER BY id")) {
        out.push_back(row[0].as<std::string>());
    }
    return out;
}

}  // namespace

MigrationLock::MigrationLock(pqxx::connection& connection) : connection_(connection) {
    // A session-level lock: released by the destructor or, if this process
    // dies, by the end of its session.
    pqxx::nontransaction session(connection_);
    session.exec_params("SELECT pg_advisory_lock($1)", kMigrationLockKey);
}

MigrationLock::~MigrationLock() {
    try {
        pqxx::nontransaction session(connection_);
        session.exec_params("SELECT pg_advisory_unlock($1)", kMigrationLockKey);
    } catch (const std::exception&) {
        // A broken connection has released it already.
    }
}

Result<MigrationReport> migrate(const std::string& conninfo,
                                const std::filesystem::path& directory) {
    auto files = files_of(directory);
    if (!files) return std::move(files).error();
    MigrationReport report;
    try {
        pqxx::connection connection(conninfo);
        MigrationLock lock(connection);
        {
            pqxx::work tx(connection);
            ensure_ledger(tx, "public");
            tx.commit();
        }
        for (const auto& file : *files) {
            const std::string sql = read_file(file.path);
            const std::string checksum = sha256_hex(sql);
            std::vector<std::string> schemas{"public"};
            if (!file.log) {
                pqxx::read_transaction tx(connection);
                schemas = generation_schemas(tx);
            }
            for (const auto& schema : schemas) {
                pqxx::work tx(connection);
                ensure_ledger(tx, schema);
                auto applied = applied_to(tx, schema, file.name(), checksum);
                if (!applied) return std::move(applied).error();
                const std::string label =
                    schema == "public" ? file.name() : file.name() + " (" + schema + ")";
                if (*applied) {
                    report.already_applied.push_back(label);
                    continue;
                }
                apply(tx, schema, file.name(), sql, checksum);
                tx.commit();
                report.applied.push_back(label);
            }
        }
    } catch (const pqxx::broken_connection& e) {
        return Error::make(ErrorKind::unavailable, "database-unavailable", e.what());
    } catch (const std::exception& e) {
        return Error::make(ErrorKind::internal, "migration-failed", e.what());
    }
    return report;
}

Result<std::vector<std::string>> apply_projection_migrations(pqxx::transaction_base& tx,
                                                             const std::filesystem::path& directory,
                                                             const std::string& schema) {
    auto files = files_of(directory);
    if (!files) return std::move(files).error();
    std::vector<std::string> applied_now;
    tx.exec("CREATE SCHEMA IF NOT EXISTS " + tx.quote_name(schema));
    ensure_ledger(tx, schema);
    for (const auto& file : *files) {
        if (file.log) continue;
        const std::string sql = read_file(file.path);
        const std::string checksum = sha256_hex(sql);
        auto applied = applied_to(tx, schema, file.name(), checksum);
        if (!applied) return std::move(applied).error();
        if (*applied) continue;
        apply(tx, schema, file.name(), sql, checksum);
        applied_now.push_back(file.name());
    }
    return applied_now;
}

}  // namespace cc::pg
