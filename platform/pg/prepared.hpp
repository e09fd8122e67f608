#pragma once
// Statements prepared by their text. The same few texts run request after
// request, so PostgreSQL parses and plans each once per connection instead
// of every time. A name is defined again on each connection on first use
// (libpqxx prepares lazily, and a repeated definition is a no-op).
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction_base>

#include "platform/pg/statement.hpp"

namespace cc::pg {

class PreparedNames {
  public:
    // Past `most` texts (filters make many combinations in theory) the rest
    // run unprepared, so the server keeps no unbounded set of plans.
    PreparedNames(std::string prefix, std::size_t most) : prefix_(std::move(prefix)), most_(most) {}

    // The statement's name, defined on `connection`; "" when it runs unprepared.
    std::string name_on(pqxx::connection_base& connection, const std::string& sql);

  private:
    std::string prefix_;
    std::size_t most_;
    std::mutex mutex_;
    std::unordered_map<std::string, std::string> names_;
};

// A statement in `tx`, prepared under its name in `names` (or run
// unprepared past their bound).
pqxx::result exec(pqxx::transaction_base& tx, PreparedNames& names, const Statement& statement);

// One statement in autocommit: no BEGIN and COMMIT around it, so a read is
// one round trip (two on a connection's first use of the text).
pqxx::result run_single(pqxx::connection_base& connection, PreparedNames& names,
                        const Statement& statement);

}  // namespace cc::pg
