# Run at every build (cmake -P): writes the build's identity into OUTPUT,
# touching it only when it changed, so an unchanged tree rebuilds nothing.
execute_process(COMMAND git -C "${SOURCE_DIR}" rev-parse --short=12 HEAD
                OUTPUT_VARIABLE CC_COMMIT OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
execute_process(COMMAND git -C "${SOURCE_DIR}" status --porcelain --untracked-files=no
                OUTPUT_VARIABLE CC_DIRTY OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT CC_COMMIT)
  set(CC_COMMIT "unknown")
elseif(CC_DIRTY)
  string(APPEND CC_COMMIT "-dirty")
endif()
configure_file("${SOURCE_DIR}/platform/observability/build_info.cpp.in" "${OUTPUT}" @ONLY)
