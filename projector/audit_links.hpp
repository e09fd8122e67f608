#pragma once
// Links the audit rows a transaction wrote into their hash chains
// (platform/audit/chain.hpp), in that transaction: the projector after each
// batch, and a dead letter's retry, so that no audit row goes unchained
// whoever writes it.
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

// `statements` are those the transaction ran; those with an audit row name
// it, and `stored` holds it as written. `partition` is the log partition
// they came from (the platform tenant's chains are per partition).
void link_audit_rows(pqxx::transaction_base& tx,
                     const std::vector<const projection::Statement*>& statements,
                     const StoredAuditRows& stored, int partition, pg::PreparedNames& prepared);

}  // namespace cc::projector
