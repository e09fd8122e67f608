#pragma once
// complexcare audit verify: recomputes the audit trail's hash chains
// (audit_chain over audit_logs) and reports the first broken link of each,
// naming the tampering that explains it; against the log, it also derives
// each row again from its event (an access row from its access fact), with
// the projector's own code, and checks
// every chain head the log has published (AuditChainHeadRecorded).
// A library, so that other tools (an export, a scheduled check) call it.
#include <boost/json/object.hpp>

#include <cstddef>
#include <optional>
#include <pqxx/connection>
#include <string>
#include <vector>

#include "platform/audit/chain.hpp"
#include "platform/eventlog/event_log.hpp"

namespace cc::audit {

struct VerifyOptions {
    std::optional<std::string> tenant;  // one tenant's chains; all when unset
    // The projection whose checkpoints say which events have been applied
    // (later ones are not expected in the table yet).
    std::string projection = "main";
    // The log's name in those checkpoints (LogConfig::topic()); a
    // read-audit stream's own topic has checkpoints of its own.
    std::string topic = "event_log";
    // The access stream's name in the checkpoints (its LogConfig::topic()).
    std::string access_topic = "access_log";
    // How many rows without a link are listed as breaks at most (all are counted).
    std::size_t most_unlinked = 100;
};

struct VerifyReport {
    std::size_t chains = 0;
    std::size_t links = 0;
    std::size_t unlinked = 0;  // rows without a link; the first most_unlinked are breaks
    bool against_log = false;
    std::size_t events = 0;        // events compared with their rows
    std::size_t access_facts = 0;  // access facts compared with their rows (stream "access")
    std::size_t heads = 0;         // published heads checked
    std::vector<Break> breaks;
    bool intact() const { return breaks.empty(); }
};

// Reads in one REPEATABLE READ snapshot. With `log`, reads it to its end
// too (a standalone reader) and compares; with `access_log` as well, the
// access stream's facts are compared with the rows of the "access" chains
// (without it those rows are judged by their chain alone). Errors are I/O,
// never tampering.
Result<VerifyReport> verify(pqxx::connection& database, const VerifyOptions& options,
                            eventlog::LogReader* log = nullptr,
                            eventlog::LogReader* access_log = nullptr);

boost::json::object to_json(const VerifyReport& report);
std::string to_text(const VerifyReport& report);

}  // namespace cc::audit
