#pragma once
// Prometheus metrics (prometheus-cpp core); each service renders them on /metrics.
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <string>

namespace cc::obs {

prometheus::Registry& metrics_registry();
std::string render_metrics();

// A gauge without labels, registered under `name` on this call: keep it
// (a function-local static) and call once per name.
prometheus::Gauge& register_gauge(const std::string& name, const std::string& help);

}  // namespace cc::obs
