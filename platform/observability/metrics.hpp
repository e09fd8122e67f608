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

}  // namespace cc::obs
