#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include <pqxx/connection>

#include "platform/core/result.hpp"

namespace cc::pg {

struct MigrationReport {
    std::vector<std::string> applied;          // applied by this run, in order
    std::vector<std::string> already_applied;  // found applied with a matching checksum
};

// Migrations come in two sets, applied together in file-name order:
//  - `directory`/log/*.sql: the log and the control tables (event_log*,
//    projection_generations, roles), applied once to `public`;
//  - `directory`/*.sql: the projections, applied to every projection
//    generation that has not been dropped (public, the first one, and each
//    gen_<name> schema), with search_path set to that schema alone. They
//    name tables unqualified, so one file serves every generation and a
//    table added later reaches every generation with no work of its own
//    (a shared function of public is named public.f()).
// Each (file, schema) is applied in its own transaction together with its
// row in that schema's schema_migrations (name, SHA-256). Refuses
// (ErrorKind::conflict, "migration-changed") when an applied file's checksum
// differs. Two processes migrating at once serialise on an advisory lock,
// so each file is applied exactly once per schema.
Result<MigrationReport> migrate(const std::string& conninfo,
                                const std::filesystem::path& directory);

// Holds the migration lock for as long as it lives: what creates or drops a
// generation's schema takes it, so no migration runs half-way across them.
class MigrationLock {
  public:
    explicit MigrationLock(pqxx::connection& connection);
    ~MigrationLock();
    MigrationLock(const MigrationLock&) = delete;
    MigrationLock& operator=(const MigrationLock&) = delete;

  private:
    pqxx::connection& connection_;
};

// Creates `schema` if missing and applies to it every projection migration
// it lacks, inside `tx` (all or nothing): a new generation's tables, grants
// and triggers. Returns the names applied.
Result<std::vector<std::string>> apply_projection_migrations(pqxx::transaction_base& tx,
                                                             const std::filesystem::path& directory,
                                                             const std::string& schema);

}  // namespace cc::pg
