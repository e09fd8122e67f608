#include "cli/audit_verify.hpp"

#include <boost/json.hpp>

#include <map>
#include <pqxx/pqxx>
#include <set>
#include <unordered_map>

#include "events/audit_events.hpp"
#include "events/envelope.hpp"
#include "platform/audit/stored_row.hpp"
#include "platform/generations/store.hpp"
#include "projector/projection/projection.hpp"

namespace cc::audit {
namespace {

using Snapshot = pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>;

// The stored rows (by id) the log is compared with, and the stream each is chained in.
struct Stored {
    std::unordered_map<std::string, AuditRow> rows;
    std::unordered_map<std::string, std::string> stream_of;  // absent: no link
    // (tenant, stream, seq) -> row_hash, for the published heads.
    std::map<std::tuple<std::string, std::string, std::int64_t>, std::string> links;
};

void verify_chains(Snapshot& tx, const VerifyOptions& options, VerifyReport& report, Stored& stored,
                   bool keep) {
    // $1 is the tenant, when one is asked for.
    const auto run = [&](const std::string& sql) {
        return options.tenant ? tx.exec_params(sql, *options.tenant) : tx.exec(sql);
    };
    const std::string tenant_filter = options.tenant ? " WHERE c.tenant_id = $1::uuid" : "";
    const auto chains = run("SELECT DISTINCT c.tenant_id::text, c.stream FROM audit_chain c" +
                            tenant_filter + " ORDER BY 1, 2");
    // One chain in memory at a time: a tenant's trail, not the whole table.
    for (const auto& chain : chains) {
        const auto tenant = chain[0].as<std::string>();
        const auto stream = chain[1].as<std::string>();
        std::vector<ChainEntry> entries;
        for (const auto& row : tx.exec_params(
                 "SELECT c.audit_log_id::text, c.tenant_id::text, c.stream, c.seq, c.prev_hash, "
                 "c.row_hash, a.id IS NOT NULL, " +
                     std::string(kAuditRowSelect) +
                     " FROM audit_chain c LEFT JOIN audit_logs a ON a.id = c.audit_log_id "
                     "WHERE c.tenant_id = $1::uuid AND c.stream = $2 ORDER BY c.seq",
                 tenant, stream)) {
            ChainEntry entry{
                Link{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                     row[3].as<std::int64_t>(), row[4].as<std::string>(), row[5].as<std::string>()},
                std::nullopt};
            if (row[6].as<bool>()) entry.row = audit_row_at(row, 7);
            if (keep) {
                stored.links[{tenant, stream, entry.link.seq}] = entry.link.row_hash;
                if (entry.row) {
                    stored.stream_of[entry.row->id] = stream;
                    stored.rows.emplace(entry.row->id, *entry.row);
                }
            }
            entries.push_back(std::move(entry));
        }
        ++report.chains;
        report.links += entries.size();
        if (auto found = verify_chain(entries)) report.breaks.push_back(std::move(*found));
    }
    const std::string row_filter = options.tenant ? " AND a.tenant_id = $1::uuid" : "";
    for (const auto& row : run("SELECT " + std::string(kAuditRowSelect) +
                               " FROM audit_logs a WHERE NOT EXISTS (SELECT 1 FROM audit_chain c "
                               "WHERE c.audit_log_id = a.id)" +
                               row_filter + " ORDER BY a.created_at, a.id")) {
        auto unlinked = audit_row_at(row, 0);
        if (++report.unlinked <= options.most_unlinked) {
            report.breaks.push_back(Break{Tampering::unlinked, unlinked.tenant_id, "", std::nullopt,
                                          unlinked.id,
                                          "row " + unlinked.id + " (" + unlinked.action +
                                              ") has no link: it was inserted past the projector"});
        }
        if (keep) stored.rows.emplace(unlinked.id, std::move(unlinked));
    }
}

std::optional<boost::json::value> parsed(const std::optional<std::string>& text) {
    if (!text) return std::nullopt;
    boost::json::error_code error;
    auto value = boost::json::parse(*text, error);
    if (error) return std::nullopt;
    return value;
}

// Which column of a stored row differs from the one its event gives; ""
// when none. Old values a row's SQL read from the aggregate's row are
// not in the event, so only their presence is compared.
std::string differing_column(const projection::Statement& expected, const AuditRow& row) {
    static constexpr const char* kNames[] = {"id",          "tenant_id", "user_id", "action",
                                             "entity_type", "entity_id", "details", "ip_address",
                                             "user_agent",  "created_at"};
    const std::optional<std::string> actual[] = {
        row.id,        row.tenant_id, row.user_id,    row.action,     row.entity_type,
        row.entity_id, row.details,   row.ip_address, row.user_agent, row.created_at};
    for (std::size_t i = 0; i < expected.row.size() && i < std::size(actual); ++i) {
        if (i == 6) continue;
        if (expected.row[i] != actual[i]) return kNames[i];
    }
    const auto want = parsed(expected.row[6]);
    const auto have = parsed(row.details);
    if (!want || !have || !want->is_object() || !have->is_object()) {
        return want.has_value() == have.has_value() && !want ? "" : "details";
    }
    const auto& want_object = want->as_object();
    const auto& have_object = have->as_object();
    if (want_object.size() != have_object.size()) return "details";
    for (const auto& [key, value] : want_object) {
        const auto* stored = have_object.if_contains(key);
        if (stored == nullptr) return "details." + std::string(key);
        if (key != "changes") {
            if (*stored != value) return "details." + std::string(key);
            continue;
        }
        if (!value.is_object() || !stored->is_object() ||
            value.as_object().size() != stored->as_object().size())
            return "details.changes";
        for (const auto& [field, change] : value.as_object()) {
            const auto* kept = stored->as_object().if_contains(field);
            const auto* want_change = change.if_object();
            const auto* have_change = kept ? kept->if_object() : nullptr;
            const auto where = "details.changes." + std::string(field);
            if (want_change == nullptr || have_change == nullptr) return where;
            const auto* want_new = want_change->if_contains("new");
            const auto* have_new = have_change->if_contains("new");
            if (!want_new || !have_new || *want_new != *have_new) return where + ".new";
            const auto* have_old = have_change->if_contains("old");
            if (have_old == nullptr) return where + ".old";
            if (!expected.audit->old_values_from_row) {
                const auto* want_old = want_change->if_contains("old");
                if (want_old == nullptr || *want_old != *have_old) return where + ".old";
            }
        }
    }
    return "";
}

// What the log has told about the stored rows so far.
struct Compared {
    std::set<std::string> parked;     // event ids the projector parked (no row)
    std::set<std::string> accounted;  // row ids some record of a log accounts for
};

// One stream read to its end: each applied record's audit rows derived
// again by the projector's own code (`derive`) and compared with the stored
// ones. Records past the stream's checkpoints are not projected yet.
Status compare_stream(Snapshot& tx, const VerifyOptions& options, eventlog::LogReader& log,
                      const std::string& topic,
                      Result<std::vector<projection::Statement>> (*derive)(const events::Envelope&),
                      VerifyReport& report, std::size_t& rows_compared, const Stored& stored,
                      Compared& compared) {
    std::map<int, std::int64_t> applied_up_to;
    for (const auto& row : tx.exec_params(
             "SELECT partition, next_offset FROM projection_checkpoints WHERE projection = $1 "
             "AND topic = $2",
             options.projection, topic)) {
        applied_up_to[row[0].as<int>()] = row[1].as<std::int64_t>();
    }
    return eventlog::read_to_end(log, [&](const eventlog::LogRecord& record) -> Status {
        const auto up_to = applied_up_to.find(record.partition);
        if (up_to == applied_up_to.end() || record.offset >= up_to->second) return {};
        auto event = events::parse_envelope(record.value);
        if (!event) return {};  // unreadable: parked by the projector, nothing to compare
        const auto tenant = event->tenant_id.to_string();
        if (options.tenant && *options.tenant != tenant) return {};
        if (event->event_type == events::audit::kChainHeadRecorded) {
            ++report.heads;
            const auto& payload = event->payload;
            const auto* stream = payload.if_contains("stream");
            const auto* seq = payload.if_contains("seq");
            const auto* hash = payload.if_contains("row_hash");
            if (stream && seq && hash && stream->is_string() && seq->is_int64() &&
                hash->is_string()) {
                const std::string stream_name(stream->as_string());
                const auto link = stored.links.find({tenant, stream_name, seq->as_int64()});
                if (link == stored.links.end() || link->second != hash->as_string()) {
                    report.breaks.push_back(Break{
                        Tampering::head_mismatch, tenant, stream_name, seq->as_int64(), "",
                        "the log published seq " + std::to_string(seq->as_int64()) +
                            " with row_hash " + std::string(hash->as_string()) +
                            (link == stored.links.end() ? " but the table has no such link"
                                                        : " but the table has " + link->second) +
                            ": the chain was rewritten in the database"});
                }
            }
        }
        auto statements = derive(*event);
        if (!statements) return {};
        for (const auto& statement : *statements) {
            if (!statement.audit) continue;
            const auto& id = statement.audit->id;
            compared.accounted.insert(id);
            if (compared.parked.count(event->event_id.to_string()) > 0) continue;
            ++rows_compared;
            const auto stream = chain_stream(statement.audit->stream, tenant, record.partition);
            const auto row = stored.rows.find(id);
            if (row == stored.rows.end()) {
                report.breaks.push_back(
                    Break{Tampering::missing_row, tenant, stream, std::nullopt, id,
                          event->event_type + " at " + std::to_string(record.partition) + ":" +
                              std::to_string(record.offset) + " has no audit row: it was deleted"});
                continue;
            }
            if (const auto column = differing_column(statement, row->second); !column.empty()) {
                report.breaks.push_back(
                    Break{Tampering::log_mismatch, tenant, stream, std::nullopt, id,
                          "row " + id + " differs from its event " + event->event_type + " in " +
                              column + ": it was edited"});
            }
        }
        return {};
    });
}

Status verify_against_log(Snapshot& tx, const VerifyOptions& options, eventlog::LogReader& log,
                          eventlog::LogReader* access_log, VerifyReport& report,
                          const Stored& stored) {
    report.against_log = true;
    Compared compared;
    // Parked events (dead letters) have no row, on either stream.
    for (const auto& row : tx.exec_params("SELECT event_id::text FROM dead_letters WHERE "
                                          "projection = $1 AND event_id IS NOT NULL",
                                          options.projection)) {
        compared.parked.insert(row[0].as<std::string>());
    }
    if (auto status = compare_stream(tx, options, log, options.topic, projection::project, report,
                                     report.events, stored, compared);
        !status)
        return status;
    if (access_log != nullptr) {
        if (auto status = compare_stream(tx, options, *access_log, options.access_topic,
                                         projection::project_access, report, report.access_facts,
                                         stored, compared);
            !status)
            return status;
    }
    // Rows that no record of the streams read accounts for. A chain of a
    // stream not read (the access stream, when no reader was given) is not
    // judged; a row with no link could come from either. A stream's chains
    // include the platform tenant's, one per partition ("access.p3").
    const auto read = [&](std::string_view chain) {
        const auto stream = chain_base(chain);
        return stream == kChangesStream || (access_log != nullptr && stream == kAccessStream);
    };
    for (const auto& [id, row] : stored.rows) {
        const auto stream = stored.stream_of.find(id);
        if (stream != stored.stream_of.end() && !read(stream->second)) continue;
        if (compared.accounted.count(id) > 0) continue;
        report.breaks.push_back(Break{
            Tampering::not_in_log, row.tenant_id,
            stream == stored.stream_of.end() ? "" : stream->second, std::nullopt, id,
            "row " + id + " (" + row.action + ") comes from no record of the log: it was forged"});
    }
    return {};
}

}  // namespace

Result<VerifyReport> verify(pqxx::connection& database, const VerifyOptions& options,
                            eventlog::LogReader* log, eventlog::LogReader* access_log) {
    if (options.tenant && !Uuid::parse(*options.tenant)) {
        return Error::make(ErrorKind::malformed, "bad-tenant", "--tenant must be a tenant id");
    }
    VerifyReport report;
    try {
        Snapshot tx(database);
        generations::use_current(tx);
        Stored stored;
        verify_chains(tx, options, report, stored, log != nullptr);
        if (log != nullptr) {
            if (auto status = verify_against_log(tx, options, *log, access_log, report, stored);
                !status)
                return std::move(status).error();
        }
    } catch (const std::exception& e) {
        return Error::make(ErrorKind::unavailable, "database", e.what());
    }
    return report;
}

boost::json::object to_json(const VerifyReport& report) {
    boost::json::array breaks;
    for (const auto& found : report.breaks) {
        boost::json::object item{{"kind", to_string(found.kind)},
                                 {"tenant_id", found.tenant_id},
                                 {"stream", found.stream},
                                 {"detail", found.detail}};
        item["seq"] = found.seq ? boost::json::value(*found.seq) : boost::json::value(nullptr);
        item["audit_log_id"] = found.audit_log_id.empty() ? boost::json::value(nullptr)
                                                          : boost::json::value(found.audit_log_id);
        breaks.push_back(std::move(item));
    }
    boost::json::object out{{"intact", report.intact()},
                            {"chains", report.chains},
                            {"links", report.links},
                            {"unlinked", report.unlinked},
                            {"against_log", report.against_log},
                            {"breaks", std::move(breaks)}};
    if (report.against_log) {
        out["events"] = report.events;
        out["access_facts"] = report.access_facts;
        out["published_heads"] = report.heads;
    }
    return out;
}

std::string to_text(const VerifyReport& report) {
    std::string out = std::to_string(report.chains) + " chains, " + std::to_string(report.links) +
                      " links, " + std::to_string(report.unlinked) + " rows without a link";
    if (report.against_log) {
        out += "; against the log: " + std::to_string(report.events) + " rows, " +
               std::to_string(report.heads) + " published heads; against the access stream: " +
               std::to_string(report.access_facts) + " rows";
    }
    out +=
        report.intact() ? ": intact\n" : ": " + std::to_string(report.breaks.size()) + " broken\n";
    for (const auto& found : report.breaks) {
        out += "BROKEN " + std::string(to_string(found.kind)) + " tenant " + found.tenant_id;
        if (!found.stream.empty()) out += " stream " + found.stream;
        if (found.seq) out += " seq " + std::to_string(*found.seq);
        out += ": " + found.detail + "\n";
    }
    return out;
}

}  // namespace cc::audit
