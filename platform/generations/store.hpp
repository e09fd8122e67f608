#pragma once
// The control table projection_generations (migrations/log/0025), read and
// changed in the caller's transaction. Which generation a projector writes
// and a reader reads is decided here; the rules are generation.hpp's.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/transaction_base>

#include "platform/generations/generation.hpp"

namespace cc::generations {

struct Generation {
    std::int64_t id = 0;
    std::string name;
    std::string schema;
    Kind kind = Kind::live;
    State state = State::building;
    std::optional<std::string> as_of;
    std::optional<Timestamp> as_of_time;
    Timestamp created_at;
    std::optional<Timestamp> caught_up_at;
};

// Advisory lock class of the generation guards, the object being the
// generation's id: a batch takes it shared, a switch or a drop exclusive,
// so a generation leaves a state only between batches (see projector.cpp).
inline constexpr int kGuardLockClass = 7242;
// Advisory lock class of the claim a projector holds on a generation it builds.
inline constexpr int kBuildLockClass = 7243;
// The same, for the access stream's builder (projector/supervisor.hpp).
inline constexpr int kAccessBuildLockClass = 7244;
// NOTIFY channel of every change of the control table.
inline constexpr const char* kChannel = "projection_generations";
// Each checkpoint a projector moves is notified here, in its batch's
// transaction (so heard once committed), as JSON: {"schema", "projection",
// "topic", "partition", "next_offset"}. Readers waiting for a position
// listen instead of reading the checkpoints over and over.
inline constexpr const char* kCheckpointChannel = "cc_checkpoints";

// The log and the control tables live in public beside the first
// generation's tables; they belong to no generation.
bool is_log_table(std::string_view table);
// The projection tables of a generation's schema.
std::vector<std::string> projection_tables(pqxx::transaction_base& tx, const std::string& schema);

std::vector<Generation> list(pqxx::transaction_base& tx);
std::optional<Generation> current(pqxx::transaction_base& tx);
// The generation of that name that has not been dropped.
std::optional<Generation> by_name(pqxx::transaction_base& tx, const std::string& name);
std::optional<Generation> by_id(pqxx::transaction_base& tx, std::int64_t id);
// Moves a generation along `step` (generation.hpp decides whether it may)
// and notifies kChannel; takes the generation's guard exclusively first.
Result<State> take_step(pqxx::transaction_base& tx, const Generation& generation, Step step);

// An as-of generation is cut from both streams, each replayed by a builder
// of its own (perhaps in another projector process): it becomes ready when
// both have reached the cut, never with its state but without the reads and
// refusals up to the same moment. `reach_cut` records that `stream`'s
// builder has (projection_generation_streams), and in the same transaction
// makes the generation ready if the other one had too: the state after.
Result<State> reach_cut(pqxx::transaction_base& tx, const Generation& generation,
                        AsOfStream stream);
// Whether `stream`'s builder has reached the generation's cut.
bool reached_cut(pqxx::transaction_base& tx, const Generation& generation, AsOfStream stream);

// Where a projection of the generation's schema has got to, per partition.
std::map<int, std::int64_t> checkpoints(pqxx::transaction_base& tx, const std::string& schema,
                                        const std::string& projection, const std::string& topic);

// "<schema>, public": the generation's tables first, then the log and the
// shared functions.
std::string search_path(pqxx::transaction_base& tx, const std::string& schema);

// Points the rest of the transaction at the current generation's tables
// (SET LOCAL search_path), for readers outside the query service (the
// CLI's dead letters and audit verify, the chain heads). Before any
// generation exists, public is the only one, and nothing changes.
void use_current(pqxx::transaction_base& tx);

// An MD5 of each table's rows of a generation, in a fixed order, with the
// columns that say when the bookkeeping was written (not what) left out:
// two generations that projected the same events have the same sums.
std::map<std::string, std::string> table_checksums(pqxx::transaction_base& tx,
                                                   const std::string& schema);

}  // namespace cc::generations
