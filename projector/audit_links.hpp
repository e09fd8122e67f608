#pragma once
// Links the audit rows a transaction wrote into their hash chains
// (platform/audit/chain.hpp), in that transaction: the projector after each
// batch, and a dead letter's retry, so that no audit row goes unchained
// whoever writes it.
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <pqxx/result>
#include <pqxx/transaction_base>

#include "platform/audit/chain.hpp"
#include "platform/pg/prepared.hpp"
#include "projector/projection/sql.hpp"

namespace cc::projector {

// The audit rows the transaction wrote, as stored: what its audit
// statements returned (projection::returns_audit_rows).
class StoredAuditRows {
  public:
    // Keeps the rows of `result` when `statement` is an audit statement.
    void add(const pg::Statement& statement, const pqxx::result& result);
    const audit::AuditRow* find(const std::string& id) const;

  private:
    std::unordered_map<std::string, audit::AuditRow> rows_;
};

// The chains that `statements` extend, in lock order: their audit rows'
// (tenant, chain stream) keys. `partition` is the log partition they came
// from (the platform tenant's chains are per partition).
std::vector<audit::ChainKey> chains_of(const std::vector<const projection::Statement*>& statements,
                                       int partition);

// `chains` as two parameters, the array of their tenants and the array of
// their streams: for lock_chains_sql and the read of their heads.
std::vector<std::optional<std::string>> chain_key_arrays(
    const std::vector<audit::ChainKey>& chains);
// Locks the chains named by $n and $n+1 ($1 and $2 by default): a
// transaction-level advisory lock per chain, taken in the order given, per
// schema (a projection being rebuilt into another schema does not wait for
// the live one); a count over every lock, so they are all taken before it
// yields.
std::string lock_chains_sql(int first_param = 1);

// The chains' last links as this projector committed them: a batch whose
// partition nobody else applied meanwhile needs no read of the heads. A
// chain is extended only by the holder of its partition, but rows of one
// chain may come from two partitions, and a partition may have had another
// holder: a stale head then makes the chain's insert fail on its unique
// (tenant_id, stream, seq), never fork the chain, and the batch is applied
// again with heads read from the table.
class KnownChainHeads {
  public:
    // Those of `chains` known.
    audit::Heads of(const std::vector<audit::ChainKey>& chains) const;
    // After a commit that moved them there.
    void remember(const audit::Heads& heads);
    void forget(const std::vector<audit::ChainKey>& chains);

  private:
    mutable std::mutex mutex_;
    audit::Heads heads_;
};

// The links of the audit rows `statements` wrote (as `stored` holds them),
// from `heads`: the chains' heads as known (a chain absent is read from
// audit_chain, so its lock must be held), each moved on past its new links.
// Returns the INSERT of the links into audit_chain, to run in the same
// transaction; nullopt when there are none.
std::optional<pg::Statement> chain_links(
    pqxx::transaction_base& tx, const std::vector<const projection::Statement*>& statements,
    const StoredAuditRows& stored, int partition, pg::PreparedNames& prepared, audit::Heads& heads);

// The INSERT's columns and source, with its parameters numbered from `first`.
std::string insert_links_sql(int first_param = 1);

// All of it at once, heads read from the table under the chains' locks: for
// a dead letter's retry and a batch applied in parts.
void link_audit_rows(pqxx::transaction_base& tx,
                     const std::vector<const projection::Statement*>& statements,
                     const StoredAuditRows& stored, int partition, pg::PreparedNames& prepared);

}  // namespace cc::projector
