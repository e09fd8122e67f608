#pragma once
// A SQL statement as a value: text plus positional text parameters. Built by
// pure code (projections, query builders), executed by the pqxx adapters.
#include <optional>
#include <string>
#include <vector>

namespace cc::pg {

struct Statement {
    std::string sql;
    std::vector<std::optional<std::string>> params;  // nullopt binds NULL
};

}  // namespace cc::pg
