#pragma once
// A valid value of every field from its description alone: the items the
// command_body target's write model starts with, and its seed inputs.
#include <boost/json/object.hpp>

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "model/description.hpp"
#include "platform/core/time.hpp"
#include "platform/core/uuid.hpp"

namespace cc::fuzz {

// The live item of an aggregate (or a member, for model::kTenantMember) a
// reference names; nullopt for none.
using LiveItem = std::function<std::optional<Uuid>(std::string_view aggregate)>;

class Samples {
  public:
    // "Today" for the rules about dates: the samples' dates are around it.
    Timestamp now() const;
    boost::json::value value(const model::Field& field, const LiveItem& live) const;
    // Every client field with a value; references to what `live` finds.
    boost::json::object body(std::span<const model::Field> fields, const LiveItem& live) const;
    // The text a PUT path names its item by, for an aggregate with put_key.
    std::string key_of(const model::Aggregate& aggregate) const;
    // What the route computes for an upload from a small PDF.
    boost::json::object computed(const model::Upload& upload) const;
};

}  // namespace cc::fuzz
