#pragma once
// What was built: the release version, the commit (with "-dirty" for
// uncommitted changes), the build type and the compiler. Every service
// publishes it as complexcare_build_info{service,version,commit,...} 1, so
// a dashboard can tell which build answered.
#include <string_view>

namespace cc::obs {

struct BuildInfo {
    std::string_view version;
    std::string_view commit;
    std::string_view build_type;
    std::string_view compiler;
};

const BuildInfo& build_info();
void publish_build_info(std::string_view service);

}  // namespace cc::obs
