#pragma once
// Links the audit rows a transaction wrote into their hash chains
// (platform/audit/chain.hpp), in that transaction: the projector after each
// batch, and a dead letter's retry, so that no audit row goes unchained
// whoever writes it.
#include <vector>

#include <pqxx/transaction_base>

#include "platform/pg/prepared.hpp"
#include "projector/projection/sql.hpp"

namespace cc::projector {

// `statements` are those the transaction ran; those with an audit row name
// it. `partition` is the log partition they came from (the platform
// tenant's chains are per partition).
void link_audit_rows(pqxx::transaction_base& tx,
                     const std::vector<const projection::Statement*>& statements, int partition,
                     pg::PreparedNames& prepared);

}  // namespace cc::projector
