#pragma once
// Projection generations from the operator's side (DESIGN.md, "Read side"):
//   complexcare rebuild [--name N]                  a new live generation; readers
//                                                   switch to it once caught up
//   complexcare replay --as-of T|P --name N         the state at a moment, for auditors
//   complexcare generations list | drop NAME | checksum NAME
// The projector does the work (projector/supervisor.hpp); these commands
// create the generation's schema (as the database owner), then show the
// projector's progress until it is done. Ctrl-C leaves the work running.
#include <filesystem>
#include <map>
#include <string>

namespace cc::cli {

struct GenerationCommand {
    std::string database_url;
    std::filesystem::path migrations;
    std::map<std::string, std::string> flags;
};

int rebuild(const GenerationCommand& command);
int replay(const GenerationCommand& command);
int generations_list(const GenerationCommand& command);
int generations_drop(const GenerationCommand& command, const std::string& name);
int generations_checksum(const GenerationCommand& command, const std::string& name);

}  // namespace cc::cli
