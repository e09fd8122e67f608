#pragma once
// An audit_logs row as PostgreSQL returns it (chain.hpp's kAuditRowSelect
// columns), read into the AuditRow the chain hashes: the one place that
// maps those columns, for the projector that links rows and the verifier
// that checks them.
#include <pqxx/row>

#include "platform/audit/chain.hpp"

namespace cc::audit {

// kAuditRowSelect's columns of `row`, from column `first` on.
AuditRow audit_row_at(const pqxx::row& row, int first = 0);

}  // namespace cc::audit
