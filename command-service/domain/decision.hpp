#pragma once
// What a decider returns: the events to append, or why not. The command
// service wraps each PendingEvent in an envelope (ids, time, actor, request).
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "platform/core/result.hpp"
#include "platform/core/uuid.hpp"

namespace cc::domain {

struct PendingEvent {
    std::string event_type;
    std::string aggregate_type;
    Uuid aggregate_id;
    std::int64_t aggregate_version = 0;
    TenantId tenant_id;
    boost::json::object payload;
};

// A decision may legitimately produce no event (a PUT that changes nothing);
// `version` is then the aggregate's current version, for the answer.
struct Decision {
    std::vector<PendingEvent> events;
    Uuid aggregate_id;
    std::int64_t version = 0;
};

// An entity with every field, as the write model once kept each one (the
// write-model benchmark measures it against aggregate::Store).
struct EntityState {
    TenantId tenant;  // the tenant it belongs to (the platform tenant for users)
    std::int64_t version = 0;
    boost::json::object fields;
    bool deleted = false;
};

// 412 when the caller's expected version (If-Match) is not the current one.
Status check_version(std::int64_t actual, std::optional<std::int64_t> expected);
Error not_found(std::string_view what);
Error conflict(std::string type, std::string detail, std::string field);

}  // namespace cc::domain
