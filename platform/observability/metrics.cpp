#include "platform/observability/metrics.hpp"

#include <prometheus/text_serializer.h>

namespace cc::obs {

prometheus::Registry& metrics_registry() {
    static prometheus::Registry registry;
    return registry;
}

std::string render_metrics() {
    return prometheus::TextSerializer().Serialize(metrics_registry().Collect());
}

prometheus::Gauge& register_gauge(const std::string& name, const std::string& help) {
    return prometheus::BuildGauge().Name(name).Help(help).Register(metrics_registry()).Add({});
}

}  // namespace cc::obs
