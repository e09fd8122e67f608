#include "platform/audit/stored_row.hpp"

#include <pqxx/pqxx>

namespace cc::audit {
namespace {

std::optional<std::string> text_at(const pqxx::row& row, int column) {
    return row[column].is_null() ? std::nullopt : std::optional(row[column].as<std::string>());
}

}  // namespace

AuditRow audit_row_at(const pqxx::row& row, int first) {
    return AuditRow{*text_at(row, first),     *text_at(row, first + 1), text_at(row, first + 2),
                    *text_at(row, first + 3), *text_at(row, first + 4), text_at(row, first + 5),
                    text_at(row, first + 6),  text_at(row, first + 7),  text_at(row, first + 8),
                    text_at(row, first + 9)};
}

}  // namespace cc::audit
