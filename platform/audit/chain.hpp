#pragma once
// The audit trail's hash chain, pure: what bytes of an audit_logs row are
// hashed, how a link is computed, and how a chain is checked. No libpqxx
// here: the projector (which writes links), `complexcare audit verify` and
// anything that exports the trail with its hashes share this code.
//
// A row's canonical content is the canonical JSON (below) of the object
//   {"action", "created_at", "details", "entity_id", "entity_type", "id",
//    "ip_address", "tenant_id", "user_agent", "user_id"}
// with every audit_logs column: ids as PostgreSQL prints a uuid (lower
// case), created_at as RFC 3339 UTC with exactly six fractional digits
// (2026-11-24T18:29:09.123456Z), details as canonical JSON, SQL NULL as
// null. A link's row_hash is the lowercase hex SHA-256 of the bytes
// prev_hash (64 hex characters; 64 '0' for seq 1) followed by the row's
// canonical content.
//
// Canonical JSON: no whitespace; object members sorted by the UTF-8 bytes
// of their keys (a duplicate key is an error); strings re-escaped with
// \" \\ \b \f \n \r \t, \u00xx (lower-case hex) for the other control
// characters and every other character as itself in UTF-8; numbers kept
// as the text they were written with (they come from PostgreSQL's jsonb
// output, which prints each stored numeric one way); true, false, null.
// So the form never depends on jsonb's own key order (by length, then
// bytes) or spacing, only on the values.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "platform/core/result.hpp"

namespace cc::audit {

// The chains per tenant: the domain log's changes, and reads and refusals.
inline constexpr std::string_view kChangesStream = "changes";
inline constexpr std::string_view kAccessStream = "access";
// The prev_hash of every chain's first link.
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// The chain a row of `stream` joins. A tenant's events share one partition
// of the log, so its rows have one order on every rebuild. The platform's
// own rows (users, features: tenant kPlatformTenant) are keyed by
// aggregate across partitions, whose interleaving no rebuild repeats, so
// each partition's are a chain of their own: "changes.p3".
std::string chain_stream(std::string_view stream, std::string_view tenant_id, int partition);
// The partition a platform chain's stream names ("changes.p3": 3); nullopt
// for a tenant's chain, which lives wherever its tenant's events do.
std::optional<int> chain_partition(std::string_view stream);
// The stream a chain belongs to, without its partition: "changes.p3" and
// "changes" are both kChangesStream's.
std::string_view chain_base(std::string_view stream);

// An audit_logs row as text, read with kAuditRowSelect.
struct AuditRow {
    std::string id;
    std::string tenant_id;
    std::optional<std::string> user_id;
    std::string action;
    std::string entity_type;
    std::optional<std::string> entity_id;
    std::optional<std::string> details;  // JSON text
    std::optional<std::string> ip_address;
    std::optional<std::string> user_agent;
    std::optional<std::string> created_at;  // RFC 3339 UTC, microseconds
};

// The select list (table alias `a`) that reads an AuditRow's columns in
// its order, each as the text the canonical content is made of.
inline constexpr std::string_view kAuditRowSelect =
    "a.id::text, a.tenant_id::text, a.user_id::text, a.action, a.entity_type, "
    "a.entity_id::text, a.details::text, a.ip_address, a.user_agent, "
    "to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";

// The canonical form of a JSON text; an error when it is not JSON.
Result<std::string> canonical_json(std::string_view json);
// The bytes a link hashes after prev_hash; an error when details is not JSON.
Result<std::string> canonical_content(const AuditRow& row);
// Lowercase hex SHA-256 of prev_hash followed by the canonical content.
std::string link_hash(std::string_view prev_hash, std::string_view canonical_content);

struct Link {
    std::string audit_log_id;
    std::string tenant_id;
    std::string stream;
    std::int64_t seq = 0;
    std::string prev_hash;
    std::string row_hash;
};

// A chain's last link, or the start of an empty chain.
struct Head {
    std::int64_t seq = 0;
    std::string row_hash = std::string(kGenesisHash);
};
using ChainKey = std::pair<std::string, std::string>;  // tenant_id, stream
using Heads = std::map<ChainKey, Head>;

// A row to chain, and the stream it belongs to.
struct Chained {
    AuditRow row;
    std::string stream;
};

// The links of rows given in log order, each chained onto its
// (tenant, stream) head in `heads` (absent: an empty chain), which moves on.
Result<std::vector<Link>> extend(Heads& heads, std::span<const Chained> rows);

// What a verifier found. The kinds name the tampering that explains it.
enum class Tampering {
    edited,         // a row's content no longer gives its link's hash
    deleted,        // a seq is missing, or a link's row is gone
    reordered,      // a row or link sits at another seq than the one that follows its predecessor
    inserted,       // two links follow the same row: one was put in between
    link_altered,   // a link's prev_hash matches no row before it (the link or the row before it
                    // was rewritten)
    unlinked,       // a row without a link: inserted past the projector (or projected before
                    // the chain existed: a rebuild chains those)
    log_mismatch,   // a row differs from the event it was projected from
    not_in_log,     // a row no event of the log accounts for
    missing_row,    // an event of the log whose row is absent
    head_mismatch,  // a head published in the log is not in the table
};
std::string_view to_string(Tampering kind);

struct Break {
    Tampering kind;
    std::string tenant_id;
    std::string stream;
    std::optional<std::int64_t> seq;  // the link where it shows, if any
    std::string audit_log_id;         // the row concerned, if any
    std::string detail;
};

// One link with the row it names (nullopt: no such audit_logs row).
struct ChainEntry {
    Link link;
    std::optional<AuditRow> row;
};

// The first broken link of one (tenant, stream) chain whose entries are
// sorted by seq; nullopt when it holds from seq 1 to its head.
std::optional<Break> verify_chain(std::span<const ChainEntry> entries);

}  // namespace cc::audit
