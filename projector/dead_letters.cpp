#include "projector/dead_letters.hpp"

#include <pqxx/pqxx>

#include "events/envelope.hpp"
#include "platform/generations/store.hpp"
#include "projector/audit_links.hpp"
#include "projector/projection/batch.hpp"
#include "projector/projection/projection.hpp"

namespace cc::projector {
namespace {

constexpr const char* kColumns =
    "SELECT id, projection, partition, \"offset\", event_id::text, event_type, reason, value, "
    "cc_rfc3339(created_at), cc_rfc3339(resolved_at) FROM dead_letters ";

std::optional<std::string> text_or_null(const pqxx::field& field) {
    return field.is_null() ? std::nullopt : std::optional<std::string>(field.c_str());
}

DeadLetter letter_of(const pqxx::row& row) {
    return DeadLetter{
        .id = row[0].as<std::int64_t>(),
        .projection = row[1].as<std::string>(),
        .partition = row[2].as<int>(),
        .offset = row[3].as<std::int64_t>(),
        .event_id = text_or_null(row[4]),
        .event_type = text_or_null(row[5]),
        .reason = row[6].as<std::string>(),
        .value = row[7].as<std::string>(),
        .parked_at = row[8].as<std::string>(),
        .resolved_at = text_or_null(row[9]),
    };
}

Error refused(std::string why) {
    return Error::make(ErrorKind::conflict, "dead-letter-not-applied", std::move(why));
}

}  // namespace

std::vector<DeadLetter> list_dead_letters(pqxx::connection& connection,
                                          const std::string& projection, bool resolved_too) {
    pqxx::read_transaction tx(connection);
    generations::use_current(tx);
    const auto rows = tx.exec_params(std::string(kColumns) + "WHERE projection = $1" +
                                         (resolved_too ? "" : " AND resolved_at IS NULL") +
                                         " ORDER BY partition, \"offset\"",
                                     projection);
    std::vector<DeadLetter> out;
    for (const auto& row : rows) out.push_back(letter_of(row));
    return out;
}

std::optional<DeadLetter> find_dead_letter(pqxx::connection& connection, std::int64_t id) {
    pqxx::read_transaction tx(connection);
    generations::use_current(tx);
    const auto rows = tx.exec_params(std::string(kColumns) + "WHERE id = $1", id);
    if (rows.empty()) return std::nullopt;
    return letter_of(rows[0]);
}

std::int64_t unresolved_dead_letters(pqxx::connection& connection, const std::string& projection) {
    pqxx::read_transaction tx(connection);
    generations::use_current(tx);
    return tx
        .exec_params(
            "SELECT count(*) FROM dead_letters WHERE projection = $1 AND resolved_at IS NULL",
            projection)[0][0]
        .as<std::int64_t>();
}

Status retry_dead_letter(pqxx::connection& connection, std::int64_t id) {
    pqxx::work tx(connection);
    generations::use_current(tx);
    // Locked, so two retries of one letter cannot both apply it.
    const auto rows = tx.exec_params(std::string(kColumns) + "WHERE id = $1 FOR UPDATE", id);
    if (rows.empty()) {
        return Error::make(ErrorKind::not_found, "not-found",
                           "no dead letter " + std::to_string(id));
    }
    const auto letter = letter_of(rows[0]);
    if (letter.resolved_at) {
        return refused("dead letter " + std::to_string(id) + " was resolved at " +
                       *letter.resolved_at);
    }
    auto envelope = events::parse_envelope(letter.value);
    if (!envelope) return refused("still unreadable: " + envelope.error().detail);
    auto statements = projection::project(*envelope);
    if (!statements) return refused("still cannot be projected: " + statements.error().detail);
    // entity_versions holds the version the projection has of the entity:
    // the parked event must come after it, or applying it now would put an
    // older state over a newer one.
    const auto held = tx.exec_params(
        "SELECT version FROM entity_versions WHERE entity_type = $1 AND entity_id = $2::uuid",
        envelope->aggregate_type, envelope->aggregate_id.to_string());
    if (!held.empty() && held[0][0].as<std::int64_t>() >= envelope->aggregate_version) {
        return refused("the projection already holds version " + held[0][0].as<std::string>() +
                       " of " + envelope->aggregate_type + " " +
                       envelope->aggregate_id.to_string() + ", and this is version " +
                       std::to_string(envelope->aggregate_version) +
                       ": applying it out of order would undo later events; rebuild the "
                       "projection instead");
    }
    std::vector<const projection::Statement*> pointers;
    for (const auto& statement : *statements) pointers.push_back(&statement);
    try {
        StoredAuditRows stored;
        for (const auto& statement : projection::plan(pointers)) {
            stored.add(statement, tx.exec_params(statement.sql, pqxx::prepare::make_dynamic_params(
                                                                    statement.params)));
        }
        // Its audit row joins its chain, as the projector's rows do.
        static pg::PreparedNames chain_statements("cc_chain_", 16);
        link_audit_rows(tx, pointers, stored, letter.partition, chain_statements);
    } catch (const pqxx::sql_error& e) {
        // The transaction is rolled back as `tx` goes: nothing applied, still parked.
        return refused("still fails: " + std::string(e.sqlstate()) + ": " + e.what());
    }
    tx.exec_params("UPDATE dead_letters SET resolved_at = now() WHERE id = $1", id);
    tx.commit();
    return Status{};
}

}  // namespace cc::projector
