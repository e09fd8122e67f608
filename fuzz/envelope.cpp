// Envelope parsing: what a consumer reads off the log (projector, write
// model fold). Properties: a refused envelope is a malformed-event error,
// never a crash; one with a repeated key is refused; an accepted one has
// the fields its contract promises, and written again it reads back as
// the same value, its text a fixed point.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "events/envelope.hpp"
#include "fuzz/support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace cc;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto parsed = events::parse_envelope(text);
    if (fuzz::has_duplicate_key(text).value_or(false)) {
        fuzz::require(!parsed, "an envelope naming a key twice is refused");
    }
    if (!parsed) {
        fuzz::require(
            parsed.error().kind == ErrorKind::malformed && parsed.error().type == "malformed-event",
            "a refused envelope is a malformed-event error", parsed.error().type);
        return 0;
    }
    const auto& envelope = *parsed;
    fuzz::require(!envelope.event_type.empty() && envelope.schema_version >= 1 &&
                      envelope.aggregate_version >= 1,
                  "an accepted envelope has a type and versions from 1");

    const auto written = events::serialize(envelope);
    const auto again = events::parse_envelope(written);
    fuzz::require(again.ok(), "a written envelope reads back", written);
    fuzz::require(*again == envelope, "a written envelope reads back as the same value", written);
    fuzz::require(events::serialize(*again) == written, "writing an envelope is a fixed point",
                  written);
    return 0;
}
