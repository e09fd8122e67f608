#pragma once
// How a PostgreSQL log reader reads: its session's settings and its fetch.
// Named here, apart from the reader, so that the plan PostgreSQL makes of
// them can be tested against a real log (EventLogContract).
#include <string>
#include <string_view>

namespace cc::eventlog::postgres_reads {

// A fetch must read the rows it delivers and no more: the key's index, in
// order, stopping at the limit. PostgreSQL chose instead to read the whole
// rest of each partition and sort it whenever its statistics put fewer rows
// there than the limit (a log before its first ANALYZE, after a bulk load
// or a restore): 30 ms instead of 1.4 for 2,000 records of a 63,000-record
// log. The reader's session runs nothing else that a sequential or bitmap
// scan would serve better, so it forbids both, and no statistics can then
// choose that plan; the fetch is prepared, its generic plan being this one.
inline constexpr std::string_view kSessionSettings =
    "SET enable_seqscan = off; SET enable_bitmapscan = off";

// $1 the partitions (int[]), $2 each one's next offset (bigint[]), $3 the
// most records to take from each: the records in partition, offset order.
std::string fetch_statement(const std::string& table);

}  // namespace cc::eventlog::postgres_reads
