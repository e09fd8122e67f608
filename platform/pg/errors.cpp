#include "platform/pg/errors.hpp"

#include <pqxx/except>
#include <string>

namespace cc::pg {

bool is_unavailable(const std::exception& error) {
    if (dynamic_cast<const pqxx::broken_connection*>(&error) != nullptr) return true;
    if (dynamic_cast<const pqxx::in_doubt_error*>(&error) != nullptr) return true;
    if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&error)) {
        const std::string state = sql->sqlstate();
        // 08: connection exception; 57P01-57P03: admin or crash shutdown,
        // cannot connect now (starting up, recovering).
        return state.rfind("08", 0) == 0 || state == "57P01" || state == "57P02" ||
               state == "57P03";
    }
    return false;
}

}  // namespace cc::pg
