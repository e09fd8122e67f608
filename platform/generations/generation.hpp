#pragma once
// Projection generations (DESIGN.md, "Read side"), the pure part: names and
// their schemas, the life of a generation, and where an as-of replay stops.
// No I/O: the control table is read and written by store.hpp.
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "platform/core/result.hpp"
#include "platform/core/time.hpp"
#include "platform/eventlog/event_log.hpp"

namespace cc::generations {

// live: the first generation and every rebuild, meant to serve current
// reads; as_of: the state at a moment, for auditors, never current.
enum class Kind { live, as_of };
enum class State { building, current, retired, ready, dropped };

std::string_view to_string(Kind kind);
std::string_view to_string(State state);
std::optional<Kind> parse_kind(std::string_view text);
std::optional<State> parse_state(std::string_view text);

// A name is how operators and auditors (?as_of=) say a generation:
// [a-z][a-z0-9_]{0,39}, so that its schema is a plain identifier too.
Status check_name(std::string_view name);
// The schema holding a generation's tables: "gen_<name>". The first
// generation is `public`, recorded as such in the control table.
std::string schema_for(std::string_view name);
// A rebuild's default name, from when it started: rebuild_20261126_040512.
std::string rebuild_name(Timestamp started);

// What happens to a generation.
enum class Step {
    caught_up,   // a live one reached the current one (it becomes current); an as_of one its cut
    superseded,  // another live one became current
    drop,        // the operator drops it
};
// The state after `step`, or why it cannot be taken (409 types
// "generation-current" for dropping what readers use, "generation-state"
// otherwise).
Result<State> next_state(Kind kind, State state, Step step);
// Whether a worker projecting into a generation in `state` may apply a
// batch: the live one applies to the current generation, a builder to one
// still building.
bool accepts_events(State state, bool builder);

// --as-of: an RFC 3339 instant, or a log position "<partition>:<offset>"
// (a command's answer names one): the state just after that event.
struct AsOfSpec {
    std::optional<Timestamp> time;
    std::optional<eventlog::Position> position;
    std::string text;  // as given
};
// Refuses an instant later than `now`: that state has not happened yet.
Result<AsOfSpec> parse_as_of(std::string_view text, Timestamp now);

// The streams an as-of generation is cut from: the domain log, and the
// access stream (reads and refusals, cut at the same time).
enum class AsOfStream { changes, access };
inline constexpr std::array<AsOfStream, 2> kAsOfStreams{AsOfStream::changes, AsOfStream::access};
std::string_view to_string(AsOfStream stream);

// Where an as-of replay stops, per partition: the first record it refuses
// closes its partition (records after it are refused too, so each
// partition's state is a prefix of its history, as the live projection
// was at some moment). A time cut admits events that occurred at or before
// it; a position cut admits, in its partition, the records up to and
// including that offset, and elsewhere the events that occurred no later
// than the event at the position (`time`, which the caller reads from the
// log).
class AsOfCut {
  public:
    AsOfCut(Timestamp time, std::optional<eventlog::Position> position)
        : time_(time), position_(position) {}

    // `occurred_at` is nullopt for a record that cannot be read: it is
    // admitted (the projector parks it in dead_letters as it would live).
    bool admits(int partition, std::int64_t offset, std::optional<Timestamp> occurred_at) const;
    Timestamp time() const { return time_; }

  private:
    Timestamp time_;
    std::optional<eventlog::Position> position_;
};

// An as-of replay's progress through the cut: each partition's records up
// to the first one the cut refuses, where the partition ends for good (so
// each partition's state is a prefix of its history). Records before that
// end may be delivered again (a partition that waited for a reference
// reads on from its checkpoint): they are admitted again.
class AsOfReplay {
  public:
    explicit AsOfReplay(AsOfCut cut) : cut_(cut) {}

    // How many of a partition's records, consecutive and in offset order,
    // belong in the state; `occurred_at(i)` reads the i-th record's instant
    // (nullopt: unreadable) only when the cut needs it.
    std::size_t admitted(int partition, std::span<const std::int64_t> offsets,
                         const std::function<std::optional<Timestamp>(std::size_t)>& occurred_at);
    // The first offset refused in `partition`, once one has been.
    std::optional<std::int64_t> end_of(int partition) const;

  private:
    AsOfCut cut_;
    std::map<int, std::int64_t> ends_;
};

}  // namespace cc::generations
