#pragma once
// A batch of events' statements as a few set-based statements: those of one
// shape (the same SQL) run as one, each giving its row to the arrays.
//
// Merging moves a statement ahead of earlier statements of other shapes, so
// it is done only where the outcome cannot tell: a statement runs after
// every earlier one that writes a row it reads or writes, or reads a row it
// writes (Statement::writes and reads), and two statements on the same row
// never share a set. Several events on one row (created, updated, deleted;
// its version; audit rows reading its old values) thus see each other in
// log order, exactly as when applied one by one.
//
// What the keys do not cover is a unique constraint other than the row's
// own id: a set that fails on one makes the projector apply the batch event
// by event, as it does for any failing set, but reordering could let through
// a row that log order would have refused (the write side refuses both).
#include <span>
#include <vector>

#include "platform/pg/statement.hpp"
#include "projector/projection/sql.hpp"

namespace cc::projection {

// The statements of a batch's events, in log order, as statements to run in
// order. Of the statements with the same Statement::last_wins, only the
// last runs.
std::vector<pg::Statement> plan(std::span<const Statement* const> statements);

// Statements of one shape as one: each parameter is the array of their
// rows' elements, as a PostgreSQL array literal.
pg::Statement merge(std::span<const Statement* const> rows);

}  // namespace cc::projection
