#include "projector/audit_links.hpp"

#include <pqxx/pqxx>

#include <optional>
#include <set>
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

namespace {

std::string param(int n) {
    return "$" + std::to_string(n);
}

// The chain an audit row joins: its tenant's chain of its stream (the
// platform tenant's per partition).
audit::ChainKey chain_of(const projection::Statement::Audit& audit, int partition) {
    return {audit.tenant_id, audit::chain_stream(audit.stream, audit.tenant_id, partition)};
}

}  // namespace

std::vector<audit::ChainKey> chains_of(const std::vector<const projection::Statement*>& statements,
                                       int partition) {
    std::set<audit::ChainKey> chains;
    for (const auto* statement : statements) {
        if (statement->audit) chains.insert(chain_of(*statement->audit, partition));
    }
    // Sorted, so that two transactions take their locks in the same order.
    return {chains.begin(), chains.end()};
}

std::vector<std::optional<std::string>> chain_key_arrays(
    const std::vector<audit::ChainKey>& chains) {
    pg::ArrayLiteral tenants;
    pg::ArrayLiteral streams;
    for (const auto& [tenant, stream] : chains) {
        tenants.add(tenant);
        streams.add(stream);
    }
    return {std::move(tenants).take(), std::move(streams).take()};
}

std::string lock_chains_sql(int first_param) {
    return "SELECT count(pg_advisory_xact_lock(hashtextextended(current_schema() || "
           "'/audit_chain/' || k.tenant_id || '/' || k.stream, 0))) FROM unnest(" +
           param(first_param) + "::text[], " + param(first_param + 1) +
           "::text[]) WITH ORDINALITY AS k(tenant_id, stream, n)";
}

audit::Heads KnownChainHeads::of(const std::vector<audit::ChainKey>& chains) const {
    audit::Heads known;
    std::lock_guard lock(mutex_);
    for (const auto& chain : chains) {
        if (const auto found = heads_.find(chain); found != heads_.end()) known.insert(*found);
    }
    return known;
}

void KnownChainHeads::remember(const audit::Heads& heads) {
    std::lock_guard lock(mutex_);
    for (const auto& [chain, head] : heads) heads_.insert_or_assign(chain, head);
}

void KnownChainHeads::forget(const std::vector<audit::ChainKey>& chains) {
    std::lock_guard lock(mutex_);
    for (const auto& chain : chains) heads_.erase(chain);
}

std::string insert_links_sql(int first_param) {
    return "INSERT INTO audit_chain (audit_log_id, tenant_id, stream, seq, prev_hash, row_hash) "
           "SELECT * FROM unnest(" +
           param(first_param) + "::uuid[], " + param(first_param + 1) + "::uuid[], " +
           param(first_param + 2) + "::text[], " + param(first_param + 3) + "::bigint[], " +
           param(first_param + 4) + "::text[], " + param(first_param + 5) + "::text[])";
}

// The batch's audit rows are chained as stored, as their statements
// returned them, with the code the verifier uses: a row's details are
// partly computed in SQL (old values read from the row), and the hash is
// over the stored jsonb's values, so hashing what was stored is what makes
// the projector and the verifier agree by construction.
std::optional<pg::Statement> chain_links(
    pqxx::transaction_base& tx, const std::vector<const projection::Statement*>& statements,
    const StoredAuditRows& stored, int partition, pg::PreparedNames& prepared,
    audit::Heads& heads) {
    std::vector<audit::Chained> rows;
    std::set<audit::ChainKey> unknown;  // chains whose head is read from the table
    for (const auto* statement : statements) {
        if (!statement->audit) continue;
        const auto* found = stored.find(statement->audit->id);
        if (found == nullptr) {
            throw std::runtime_error("audit row " + statement->audit->id + " not stored");
        }
        auto [tenant, stream] = chain_of(*statement->audit, partition);
        // The chain locked is the chain linked.
        if (found->tenant_id != tenant) {
            throw std::runtime_error("audit row " + found->id + " stored under another tenant");
        }
        if (!heads.contains({tenant, stream})) unknown.insert({tenant, stream});
        rows.push_back({*found, std::move(stream)});
    }
    if (rows.empty()) return std::nullopt;
    if (!unknown.empty()) {
        for (const auto& row :
             pg::exec(tx, prepared,
                      {"SELECT k.tenant_id::text, k.stream, h.seq, h.row_hash FROM "
                       "unnest($1::uuid[], $2::text[]) AS k(tenant_id, stream) "
                       "JOIN LATERAL (SELECT c.seq, c.row_hash FROM audit_chain c "
                       "WHERE c.tenant_id = k.tenant_id AND c.stream = k.stream "
                       "ORDER BY c.seq DESC LIMIT 1) h ON true",
                       chain_key_arrays({unknown.begin(), unknown.end()})})) {
            heads[{row[0].as<std::string>(), row[1].as<std::string>()}] =
                audit::Head{row[2].as<std::int64_t>(), row[3].as<std::string>()};
        }
    }
    auto links = audit::extend(heads, rows);
    if (!links) throw std::runtime_error("audit chain: " + links.error().detail);
    pg::ArrayLiteral columns[6];
    for (const auto& link : *links) {
        columns[0].add(link.audit_log_id);
        columns[1].add(link.tenant_id);
        columns[2].add(link.stream);
        columns[3].add(link.seq);
        columns[4].add(link.prev_hash);
        columns[5].add(link.row_hash);
    }
    pg::Statement insert{insert_links_sql(), {}};
    for (auto& column : columns) insert.params.emplace_back(std::move(column).take());
    return insert;
}

void link_audit_rows(pqxx::transaction_base& tx,
                     const std::vector<const projection::Statement*>& statements,
                     const StoredAuditRows& stored, int partition, pg::PreparedNames& prepared) {
    const auto chains = chains_of(statements, partition);
    if (chains.empty()) return;
    pg::exec(tx, prepared, {lock_chains_sql(), chain_key_arrays(chains)});
    audit::Heads heads;
    if (const auto insert = chain_links(tx, statements, stored, partition, prepared, heads)) {
        pg::exec(tx, prepared, *insert);
    }
}

}  // namespace cc::projector
