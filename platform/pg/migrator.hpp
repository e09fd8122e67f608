#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "platform/core/result.hpp"

namespace cc::pg {

struct MigrationReport {
    std::vector<std::string> applied;          // applied by this run, in order
    std::vector<std::string> already_applied;  // found applied with a matching checksum
};

// Applies every *.sql file of `directory` in file-name order, each in its own
// transaction together with its row in schema_migrations (name, SHA-256).
// Refuses (ErrorKind::conflict, "migration-changed") when an applied file's
// checksum differs. Two processes migrating at once serialise on an advisory
// lock, so each file is applied exactly once.
Result<MigrationReport> migrate(const std::string& conninfo,
                                const std::filesystem::path& directory);

}  // namespace cc::pg
