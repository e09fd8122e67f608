#pragma once
// A log as the command service would have written it, for the start-up
// benchmarks: commands decided by the real deciders against the write model
// they build, wrapped in envelopes with request metadata (request ids, some
// Idempotency-Keys and request hashes) and serialised as the bus serialises
// them. Per tenant: the tenant, care professionals, patients with NHS
// numbers, PATCHes of patients and a few deletes.
#include <cstddef>
#include <vector>

#include "platform/eventlog/event_log.hpp"

namespace cc::bench {

// About `events` records over `partitions` partitions, 20 tenants.
std::vector<eventlog::LogRecord> synthetic_log(std::size_t events, int partitions = 8);

}  // namespace cc::bench
