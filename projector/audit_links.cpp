#include "projector/audit_links.hpp"

#include <pqxx/pqxx>

#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "platform/audit/chain.hpp"
#include "platform/audit/stored_row.hpp"
#include "platform/pg/array_literal.hpp"
#include "projector/projection/batch.hpp"

namespace cc::projector {

void StoredAuditRows::add(const pg::Statement& statement, const pqxx::result& result) {
    if (!projection::returns_audit_rows(statement)) return;
    for (const auto& row : result) {
        auto stored = audit::audit_row_at(row);
        auto id = stored.id;
        rows_.insert_or_assign(std::move(id), std::move(stored));
    }
}

const audit::AuditRow* StoredAuditRows::find(const std::string& id) const {
    const auto found = rows_.find(id);
    return found == rows_.end() ? nullptr : &found->second;
}

// The batch's audit rows are chained as stored, as their statements
// returned them, with the code the verifier uses: a row's details are
// partly computed in SQL (old values read from the row), and the hash is
// over the stored jsonb's values, so hashing what was stored is what makes
// the projector and the verifier agree by construction. Heads come from the
// table, under a lock per chain, in the same transaction: correct whoever
// wrote last (another projector after a rebalance, another partition of a
// read-audit stream), at the cost of two indexed reads per batch.
void link_audit_rows(pqxx::transaction_base& tx,
                     const std::vector<const projection::Statement*>& statements,
                     const StoredAuditRows& stored, int partition, pg::PreparedNames& prepared) {
    // Prepared by text, like every statement the projector runs often.
    const auto run = [&](const std::string& sql, const auto&... params) {
        const auto name = prepared.name_on(tx.conn(), sql);
        return name.empty() ? tx.exec_params(sql, params...) : tx.exec_prepared(name, params...);
    };
    std::vector<const projection::Statement::Audit*> entries;
    for (const auto* statement : statements) {
        if (statement->audit) entries.push_back(&*statement->audit);
    }
    if (entries.empty()) return;
    const auto array_of = [](const std::vector<std::string>& values) {
        return pg::array_literal(values);
    };
    std::vector<audit::Chained> rows;
    audit::Heads heads;
    rows.reserve(entries.size());
    for (const auto* entry : entries) {
        const auto* found = stored.find(entry->id);
        if (found == nullptr) throw std::runtime_error("audit row " + entry->id + " not stored");
        auto stream = audit::chain_stream(entry->stream, found->tenant_id, partition);
        heads.try_emplace({found->tenant_id, stream});
        rows.push_back({*found, std::move(stream)});
    }
    // The chains' keys sorted (a map), so that two transactions take their
    // locks in the same order; per schema, so that a projection being
    // rebuilt into another schema does not wait for the live one.
    std::vector<std::string> tenants;
    std::vector<std::string> streams;
    for (const auto& [key, head] : heads) {
        tenants.push_back(key.first);
        streams.push_back(key.second);
    }
    const auto tenant_array = array_of(tenants);
    const auto stream_array = array_of(streams);
    run("SELECT count(pg_advisory_xact_lock(hashtextextended(current_schema() || "
        "'/audit_chain/' || k.tenant_id || '/' || k.stream, 0))) FROM "
        "unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(tenant_id, stream, n)",
        tenant_array, stream_array);
    for (const auto& row : run("SELECT k.tenant_id::text, k.stream, h.seq, h.row_hash FROM "
                               "unnest($1::uuid[], $2::text[]) AS k(tenant_id, stream) "
                               "JOIN LATERAL (SELECT c.seq, c.row_hash FROM audit_chain c "
                               "WHERE c.tenant_id = k.tenant_id AND c.stream = k.stream "
                               "ORDER BY c.seq DESC LIMIT 1) h ON true",
                               tenant_array, stream_array)) {
        heads[{row[0].as<std::string>(), row[1].as<std::string>()}] =
            audit::Head{row[2].as<std::int64_t>(), row[3].as<std::string>()};
    }
    auto links = audit::extend(heads, rows);
    if (!links) throw std::runtime_error("audit chain: " + links.error().detail);
    std::vector<std::string> columns[6];
    for (const auto& link : *links) {
        columns[0].push_back(link.audit_log_id);
        columns[1].push_back(link.tenant_id);
        columns[2].push_back(link.stream);
        columns[3].push_back(std::to_string(link.seq));
        columns[4].push_back(link.prev_hash);
        columns[5].push_back(link.row_hash);
    }
    run("INSERT INTO audit_chain (audit_log_id, tenant_id, stream, seq, prev_hash, "
        "row_hash) SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], "
        "$4::bigint[], $5::text[], $6::text[])",
        array_of(columns[0]), array_of(columns[1]), array_of(columns[2]), array_of(columns[3]),
        array_of(columns[4]), array_of(columns[5]));
}

}  // namespace cc::projector
