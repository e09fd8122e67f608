#include "platform/pg/migrator.hpp"

#include "platform/core/hash.hpp"

#include <algorithm>
#include <fstream>
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

}  // namespace

Result<MigrationReport> migrate(const std::string& conninfo,
                                const std::filesystem::path& directory) {
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(directory, ec)) {
        if (entry.is_regular_file() && entry.path().extension() == ".sql") {
            files.push_back(entry.path());
        }
    }
    if (ec) {
        return Error::make(ErrorKind::invalid, "migrations-not-found",
                           "cannot read " + directory.string() + ": " + ec.message());
    }
    std::sort(files.begin(), files.end());

    MigrationReport report;
    try {
        pqxx::connection connection(conninfo);
        {
            pqxx::nontransaction session(connection);
            // A session-level lock: released by the unlock below or, if this
            // process dies, by the end of its session.
            session.exec_params("SELECT pg_advisory_lock($1)", kMigrationLockKey);
            session.exec(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " name TEXT PRIMARY KEY,"
                " checksum TEXT NOT NULL,"
                " applied_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW())");
        }

        for (const auto& file : files) {
            const std::string name = file.filename().string();
            const std::string sql = read_file(file);
            const std::string checksum = sha256_hex(sql);
            pqxx::work tx(connection);
            const auto existing =
                tx.exec_params("SELECT checksum FROM schema_migrations WHERE name = $1", name);
            if (!existing.empty()) {
                if (existing[0][0].as<std::string>() != checksum) {
                    return Error::make(ErrorKind::conflict, "migration-changed",
                                       "migration " + name +
                                           " was changed after it was applied; add a new "
                                           "migration instead");
                }
                report.already_applied.push_back(name);
                continue;
            }
            tx.exec(sql);
            tx.exec_params("INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)", name,
                           checksum);
            tx.commit();
            report.applied.push_back(name);
        }
        pqxx::nontransaction unlock(connection);
        unlock.exec_params("SELECT pg_advisory_unlock($1)", kMigrationLockKey);
    } catch (const pqxx::broken_connection& e) {
        return Error::make(ErrorKind::unavailable, "database-unavailable", e.what());
    } catch (const std::exception& e) {
        return Error::make(ErrorKind::internal, "migration-failed", e.what());
    }
    return report;
}

}  // namespace cc::pg
