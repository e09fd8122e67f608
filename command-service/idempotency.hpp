#pragma once
// Idempotency-Key: a retried command returns the original answer and appends
// nothing. The index is folded from the log (the key and a hash of the
// request travel in every envelope), so it survives restarts with no store
// of its own.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "events/envelope.hpp"
#include "platform/core/uuid.hpp"
#include "platform/eventlog/event_log.hpp"

namespace cc::command {

struct CommandOutcome {
    Uuid id;
    std::int64_t version = 0;
    std::optional<eventlog::Position> position;  // empty when nothing was appended
    std::vector<std::string> event_types;
    bool replayed = false;  // answered from the idempotency index
};

class IdempotencyIndex {
public:
    // Records the outcome an event belongs to; a command's later events
    // overwrite its earlier ones, so the entry ends as the command's answer.
    void apply(const events::Envelope& event, const eventlog::Position& position);

    struct Entry {
        std::optional<std::string> request_id;
        std::string request_hash;
        CommandOutcome outcome;
    };
    // Keys are scoped to the caller: another caller's key never matches.
    const Entry* find(const UserId& caller, const std::string& key) const;

private:
    std::map<std::pair<UserId, std::string>, Entry> entries_;
};

}  // namespace cc::command
