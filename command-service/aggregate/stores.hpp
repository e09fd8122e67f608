#pragma once
// One Store per described aggregate: every write model fact lives in one.
#include <optional>
#include <string_view>
#include <vector>

#include "command-service/aggregate/store.hpp"

namespace cc::aggregate {

class Stores {
  public:
    Stores() {
        for (const auto* description : model::aggregates()) stores_.emplace_back(*description);
    }
    void apply(const events::Envelope& event) {
        if (auto* store = of(event.aggregate_type)) store->apply(event);
    }
    const Store* of(std::string_view aggregate) const {
        for (const auto& store : stores_)
            if (store.description().name == aggregate) return &store;
        return nullptr;
    }
    Store* of(std::string_view aggregate) {
        for (auto& store : stores_)
            if (store.description().name == aggregate) return &store;
        return nullptr;
    }
    std::span<const Store> all() const { return stores_; }

    // An entity as an event of `aggregate` would find it (nullopt: absent),
    // and putting it back: what undoes an event that never became durable.
    std::optional<Record> record_of(std::string_view aggregate, const Uuid& id) const {
        const auto* store = of(aggregate);
        if (store == nullptr) return std::nullopt;
        const auto it = store->records().find(id);
        return it == store->records().end() ? std::nullopt : std::optional(it->second);
    }
    void restore(std::string_view aggregate, const Uuid& id,
                 const std::optional<Record>& previous) {
        for (auto& store : stores_)
            if (store.description().name == aggregate) store.restore(id, previous);
    }

    // Every store in description order, for a snapshot.
    void save(command::snapshot::Out& out) const {
        for (const auto& store : stores_) store.save(out);
    }
    bool load(command::snapshot::In& in) {
        for (auto& store : stores_)
            if (!store.load(in)) return false;
        return true;
    }

  private:
    std::vector<Store> stores_;
};

}  // namespace cc::aggregate
