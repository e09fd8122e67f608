#include "platform/generations/generation.hpp"

#include <array>
#include <cstdio>
#include <ctime>

namespace cc::generations {
namespace {

constexpr std::array<std::string_view, 2> kKinds{"live", "as_of"};
constexpr std::array<std::string_view, 5> kStates{"building", "current", "retired", "ready",
                                                  "dropped"};
constexpr std::size_t kMaxName = 40;

Error state_error(std::string type, std::string detail) {
    return Error::make(ErrorKind::conflict, std::move(type), std::move(detail));
}

}  // namespace

std::string_view to_string(Kind kind) {
    return kKinds[static_cast<std::size_t>(kind)];
}
std::string_view to_string(State state) {
    return kStates[static_cast<std::size_t>(state)];
}
std::string_view to_string(AsOfStream stream) {
    return stream == AsOfStream::changes ? "changes" : "access";
}
std::optional<Kind> parse_kind(std::string_view text) {
    for (std::size_t i = 0; i < kKinds.size(); ++i)
        if (kKinds[i] == text) return static_cast<Kind>(i);
    return std::nullopt;
}
std::optional<State> parse_state(std::string_view text) {
    for (std::size_t i = 0; i < kStates.size(); ++i)
        if (kStates[i] == text) return static_cast<State>(i);
    return std::nullopt;
}

Status check_name(std::string_view name) {
    const auto bad = [&](std::string why) {
        Error error =
            Error::make(ErrorKind::malformed, "bad-generation-name", "a generation name " + why);
        error.fields.push_back({"name", "format", error.detail});
        return error;
    };
    if (name.empty() || name.size() > kMaxName) return bad("has 1 to 40 characters");
    if (name.front() < 'a' || name.front() > 'z') return bad("starts with a letter a-z");
    for (const char c : name) {
        const bool allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        if (!allowed) return bad("has only a-z, 0-9 and _");
    }
    return {};
}

std::string schema_for(std::string_view name) {
    return "gen_" + std::string(name);
}

std::string rebuild_name(Timestamp started) {
    const std::time_t seconds = static_cast<std::time_t>(started.micros() / 1'000'000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[32];
    std::strftime(text, sizeof text, "rebuild_%Y%m%d_%H%M%S", &utc);
    return text;
}

Result<State> next_state(Kind kind, State state, Step step) {
    switch (step) {
        case Step::caught_up:
            if (state != State::building) break;
            return kind == Kind::live ? State::current : State::ready;
        case Step::superseded:
            if (kind != Kind::live || state != State::current) break;
            return State::retired;
        case Step::drop:
            if (state == State::current) {
                return state_error("generation-current",
                                   "readers use this generation: rebuild to replace it first");
            }
            if (state == State::dropped) break;
            return State::dropped;
    }
    return state_error("generation-state",
                       "a " + std::string(to_string(kind)) + " generation that is " +
                           std::string(to_string(state)) + " cannot take that step");
}

bool accepts_events(State state, bool builder) {
    return builder ? state == State::building : state == State::current;
}

Result<AsOfSpec> parse_as_of(std::string_view text, Timestamp now) {
    AsOfSpec spec;
    spec.text = std::string(text);
    if (auto position = eventlog::Position::parse(text)) {
        spec.position = *position;
        return spec;
    }
    auto time = Timestamp::parse(text);
    if (!time) {
        Error error = Error::make(ErrorKind::malformed, "bad-as-of",
                                  "--as-of is an RFC 3339 time (2026-11-01T09:00:00Z) or a log "
                                  "position (3:1042)");
        error.fields.push_back({"as_of", "format", error.detail});
        return error;
    }
    if (*time > now) {
        Error error = Error::make(ErrorKind::malformed, "as-of-in-future",
                                  "--as-of " + std::string(text) + " has not happened yet");
        error.fields.push_back({"as_of", "range", error.detail});
        return error;
    }
    spec.time = *time;
    return spec;
}

bool AsOfCut::admits(int partition, std::int64_t offset,
                     std::optional<Timestamp> occurred_at) const {
    if (position_ && position_->partition == partition) return offset <= position_->offset;
    return !occurred_at || *occurred_at <= time_;
}

std::size_t AsOfReplay::admitted(
    int partition, std::span<const std::int64_t> offsets,
    const std::function<std::optional<Timestamp>(std::size_t)>& occurred_at) {
    const auto end = ends_.find(partition);
    for (std::size_t i = 0; i < offsets.size(); ++i) {
        if (end != ends_.end()) {
            if (offsets[i] >= end->second) return i;
            continue;
        }
        if (!cut_.admits(partition, offsets[i], occurred_at(i))) {
            ends_[partition] = offsets[i];
            return i;
        }
    }
    return offsets.size();
}

std::optional<std::int64_t> AsOfReplay::end_of(int partition) const {
    const auto end = ends_.find(partition);
    if (end == ends_.end()) return std::nullopt;
    return end->second;
}

}  // namespace cc::generations
