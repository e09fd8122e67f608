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
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

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
    // ("" for null): one small string, usually inside its own SSO buffer.
    std::string kept;
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

    static constexpr char kSeparator = '\x1f';
    // A value as the store keeps it: strings as they are, null as "".
    static std::string text_of(const boost::json::value& value);

  private:
    std::string index_key(std::size_t unique, const TenantId& tenant,
                          const std::vector<std::string_view>& values) const;
    std::vector<std::string> kept_values(const Record& record) const;
    void set_kept(Record& record, const boost::json::object& values);
    void index(const Uuid& id, const Record& record, bool add);

    const model::Aggregate* description_;
    std::vector<std::string_view> kept_fields_;
    std::unordered_map<Uuid, Record> records_;
    // One index per unique key: "<tenant or ''>\x1f<values>" -> holder.
    std::vector<std::unordered_map<std::string, Uuid>> unique_;
};

}  // namespace cc::aggregate
