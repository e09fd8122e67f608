#include "platform/pg/prepared.hpp"

namespace cc::pg {

std::string PreparedNames::name_on(pqxx::connection_base& connection, const std::string& sql) {
    std::string name;
    {
        std::lock_guard lock(mutex_);
        auto named = names_.find(sql);
        if (named == names_.end()) {
            if (names_.size() >= most_) return {};
            named = names_.emplace(sql, prefix_ + std::to_string(names_.size())).first;
        }
        name = named->second;
    }
    connection.prepare(name, sql);
    return name;
}

pqxx::result exec(pqxx::transaction_base& tx, PreparedNames& names, const Statement& statement) {
    const auto params = pqxx::prepare::make_dynamic_params(statement.params);
    const auto name = names.name_on(tx.conn(), statement.sql);
    if (name.empty()) return tx.exec_params(statement.sql, params);
    return tx.exec_prepared(name, params);
}

pqxx::result run_single(pqxx::connection_base& connection, PreparedNames& names,
                        const Statement& statement) {
    pqxx::nontransaction tx(connection);
    return exec(tx, names, statement);
}

}  // namespace cc::pg
