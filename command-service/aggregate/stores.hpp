#pragma once
// One Store per described aggregate: every write model fact lives in one.
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
        for (auto& store : stores_) store.apply(event);
    }
    const Store* of(std::string_view aggregate) const {
        for (const auto& store : stores_)
            if (store.description().name == aggregate) return &store;
        return nullptr;
    }
    std::span<const Store> all() const { return stores_; }

  private:
    std::vector<Store> stores_;
};

}  // namespace cc::aggregate
