#pragma once
// The write model of one described aggregate, kept compact: per entity only
// what rules read (tenant, version, lifecycle state, deleted, and the kept
// fields), plus the uniqueness indexes. Folded from the log by the
// description alone, with no per-aggregate code. Tenant data is filed under
// its tenant, a tenant under itself and platform rows (users) under the
// platform tenant; a key unique across the platform (slugs, emails) is
// indexed without the tenant.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "command-service/aggregate/compact.hpp"
#include "command-service/snapshot_codec.hpp"
#include "events/envelope.hpp"
#include "model/description.hpp"

namespace cc::aggregate {

inline constexpr std::uint8_t kNoState = 0xff;

struct Record {
    TenantId tenant;
    std::int32_t version = 0;
    std::uint8_t state = kNoState;  // index into the status field's values
    bool deleted = false;
    // The kept fields' values, in description order, joined by kSeparator
    // ("" for null): one small text, usually inline.
    CompactText kept;
};

// One event as a store folds it: what happened, to which entity, and the
// values it gives the fields the store keeps. Read from an envelope, or
// straight from the log's text by the start-up fold (command-service/fold.cpp).
struct Change {
    std::string_view event_type;
    TenantId tenant;
    Uuid id;
    std::int64_t version = 0;
    // By kept-field index (Store::kept_index): the value's text as
    // Store::text_of gives it ("" for null), or nullopt for a field the event
    // leaves alone. Empty when the event sets none.
    std::span<const std::optional<std::string_view>> values;
    // The status a created event carries, if it names one.
    std::optional<std::string_view> status;
};

// The tenant an entity of `aggregate` is filed under, given the tenant a
// request names (which only tenant-scoped aggregates use).
TenantId filed_under(const model::Aggregate& aggregate, const Uuid& id, const TenantId& tenant);

class Store {
  public:
    explicit Store(const model::Aggregate& description);

    const model::Aggregate& description() const { return *description_; }

    // Folds one event of this aggregate in (others are ignored).
    void apply(const events::Envelope& event);
    void apply(const Change& change);

    // Where an event of this aggregate carries the values of kept fields:
    // in its payload (created, actions), in payload.changes.<field>.new
    // (updated), or nowhere (deleted).
    enum class Source { payload, changes, none };
    Source source_of(std::string_view event_type) const;
    // The index of a kept field in Change::values, or -1 when not kept.
    int kept_index(std::string_view field) const;
    std::size_t kept_count() const { return kept_fields_.size(); }
    // Puts an entity back as it was (nullopt: absent), uniqueness indexes
    // included: undoes, in reverse order, events that never became durable.
    void restore(const Uuid& id, const std::optional<Record>& previous);

    // nullptr when missing or of another tenant: another tenant's entity is
    // indistinguishable from none.
    const Record* find(const TenantId& tenant, const Uuid& id) const;
    // A kept field's value ("" for null), or nullopt if the field is not kept.
    std::optional<std::string_view> kept(const Record& record, std::string_view field) const;
    std::string_view state_name(const Record& record) const;
    // The kept fields as JSON values of their types (null for none).
    boost::json::object values(const Record& record) const;

    // The entity holding a unique key's value within a tenant, if any.
    std::optional<Uuid> holder(const model::UniqueKey& key, const TenantId& tenant,
                               const boost::json::object& values) const;
    // The entity holding `value` in `field`, a field that is a unique key on
    // its own (a feature's name, a membership's user), deleted or not;
    // nullopt when none does or no such key is described.
    std::optional<Uuid> holder_of(std::string_view field, const TenantId& tenant,
                                  std::string_view value) const;
    // For an aggregate whose items are named by a field (`put_by`): the
    // entity of the tenant holding `value` there, deleted or not.
    std::optional<Uuid> named(const TenantId& tenant, std::string_view value) const {
        return holder_of(description_->put_by, tenant, value);
    }
    std::size_t size() const { return records_.size(); }
    const std::unordered_map<Uuid, Record>& records() const { return records_; }

    // The store's whole state, for a snapshot: records and indexes as they
    // are, so a loaded store answers as the folded one did. load() replaces
    // the state; false (the store then empty) when the bytes do not hold one.
    void save(command::snapshot::Out& out) const;
    bool load(command::snapshot::In& in);
    // What a snapshot's layout hash covers: the state's shape as the
    // description makes it.
    std::span<const std::string_view> kept_fields() const { return kept_fields_; }

    static constexpr char kSeparator = '\x1f';
    // A value as the store keeps it: strings as they are, null as "".
    static std::string text_of(const boost::json::value& value);

  private:
    // A hash of a unique key's value (and tenant, for a per-tenant key): the
    // index holds it rather than the text, and a lookup checks the holder's
    // kept values, so a collision never matches.
    std::uint64_t fingerprint(std::size_t unique, const TenantId& tenant,
                              std::span<const std::string_view> values) const;
    bool holds(std::size_t unique, const Record& record, const TenantId& tenant,
               std::span<const std::string_view> values) const;
    void set_kept(Record& record, std::span<const std::optional<std::string_view>> values);
    void index(const Uuid& id, const Record& record, bool add);

    const model::Aggregate* description_;
    std::vector<std::string_view> kept_fields_;
    std::unordered_map<Uuid, Record> records_;
    // One index per unique key: fingerprint -> holder.
    std::vector<FingerprintIndex> unique_;
};

}  // namespace cc::aggregate
