#include "platform/observability/build_info.hpp"

#include <string>

#include "platform/observability/metrics.hpp"

namespace cc::obs {

void publish_build_info(std::string_view service) {
    const auto& info = build_info();
    prometheus::BuildGauge()
        .Name("complexcare_build_info")
        .Help("The build that is running (always 1)")
        .Register(metrics_registry())
        .Add({{"service", std::string(service)},
              {"version", std::string(info.version)},
              {"commit", std::string(info.commit)},
              {"build_type", std::string(info.build_type)},
              {"compiler", std::string(info.compiler)}})
        .Set(1);
}

}  // namespace cc::obs
