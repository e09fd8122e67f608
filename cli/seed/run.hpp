#pragma once
// Sends a seed plan to the command API: phase by phase, each phase's steps
// over `connections` keep-alive connections at once.
#include <map>
#include <string>
#include <vector>

#include "cli/progress.hpp"
#include "cli/seed/plan.hpp"
#include "platform/auth/token.hpp"
#include "platform/core/result.hpp"

namespace cc::seed {

struct RunOptions {
    std::string command_url = "http://127.0.0.1:8081";
    UserId operator_id;  // a platform administrator
    auth::AuthConfig auth;
    int connections = 8;
};

struct RunReport {
    std::size_t commands = 0;
    std::size_t replayed = 0;  // answered from an earlier run (Idempotent-Replayed)
    double seconds = 0;
    double p50_ms = 0, p99_ms = 0;           // per command, as the client saw it
    std::map<std::string, std::string> ids;  // capture name -> id
};

Result<RunReport> run(const Plan& plan, const RunOptions& options, cli::Progress& progress);

}  // namespace cc::seed
