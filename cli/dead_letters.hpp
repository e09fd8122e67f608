#pragma once
// complexcare dead-letters list [--all] | show <id> | retry <id>|--all
// (--projection NAME, default CC_PROJECTION or main; CC_DATABASE_URL).
#include <string>
#include <vector>

namespace cc::cli {

// The arguments after "dead-letters"; the exit code (0 done, 1 a retry
// refused or failed, 2 usage).
int dead_letters(const std::string& database_url, const std::vector<std::string>& args);

}  // namespace cc::cli
