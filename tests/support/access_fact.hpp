#pragma once
// An access fact as the query service records it (events/access.hpp), for
// tests that put reads and refusals on the access stream without one, and
// the append that keys it by its tenant as the query service does.
#include <optional>
#include <string>
#include <vector>

#include "events/access.hpp"
#include "platform/eventlog/event_log.hpp"

namespace cc::testing {

// A read (view or search) answered 200, or a refusal (denied) answered 403,
// of `ids` (patients) in `tenant` by `user` (none: not authenticated).
inline events::access::Fact access_fact(events::access::Kind kind, const TenantId& tenant,
                                        std::optional<UserId> user, std::vector<std::string> ids) {
    events::access::Fact fact;
    fact.kind = kind;
    fact.tenant = tenant;
    fact.user = std::move(user);
    fact.entity_type = "patient";
    fact.entity_ids = std::move(ids);
    fact.method = "GET";
    fact.path = "/v1/tenants/" + tenant.to_string() + "/patients";
    fact.query = "q=O%27Brien";
    fact.route = "/v1/tenants/{tenant_id}/patients";
    fact.status = kind == events::access::Kind::denied ? 403 : 200;
    if (kind == events::access::Kind::denied) fact.reason = "forbidden";
    fact.request.ip = "10.4.5.7";
    fact.request.user_agent = "auditor/1";
    fact.request.request_id = Uuid::random_v4().to_string();
    fact.at = Timestamp::now();
    return fact;
}

// Appends `fact` to the access stream `writer` writes, in its tenant's partition.
inline Status record_access(eventlog::LogWriter& writer, const events::access::Fact& fact) {
    const auto record = events::access::to_record(fact);
    auto appended =
        writer.append(eventlog::partition_for(record.key, writer.partition_count()), {&record, 1});
    if (!appended) return std::move(appended).error();
    return {};
}

}  // namespace cc::testing
