// Which database failures are an outage (503, retry later) and which are
// the statement's own fault (a bug or bad input): the classification the
// query service answers by, from the exceptions libpqxx raises.
#include <gtest/gtest.h>

#include <pqxx/except>
#include <stdexcept>

#include "platform/pg/errors.hpp"

namespace cc::pg {
namespace {

TEST(PgErrors, LostOrRefusedConnectionsAreOutages) {
    EXPECT_TRUE(is_unavailable(pqxx::broken_connection("server closed the connection")));
    EXPECT_TRUE(is_unavailable(pqxx::in_doubt_error("connection lost during commit")));
}

TEST(PgErrors, ServerShuttingDownOrStartingUpIsAnOutage) {
    for (const char* state : {"57P01", "57P02", "57P03", "08006", "08001", "08003"}) {
        EXPECT_TRUE(is_unavailable(pqxx::sql_error("terminating connection", "SELECT 1", state)))
            << state;
    }
}

TEST(PgErrors, TheStatementsOwnFaultsAreNot) {
    for (const char* state : {"42601", "22007", "23505", "57014", "40001"}) {
        EXPECT_FALSE(is_unavailable(pqxx::sql_error("refused", "SELECT 1", state))) << state;
    }
    EXPECT_FALSE(is_unavailable(pqxx::sql_error("no state")));
    EXPECT_FALSE(is_unavailable(pqxx::usage_error("a bug")));
    EXPECT_FALSE(is_unavailable(std::runtime_error("anything else")));
}

}  // namespace
}  // namespace cc::pg
