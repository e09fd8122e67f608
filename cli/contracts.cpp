// complexcare-contracts: writes the contracts generated from the aggregate
// descriptions, or checks that the committed ones are current.
//   complexcare-contracts --out <repo root>     write them (scripts/generate-contracts)
//   complexcare-contracts --check <repo root>   generate into a temporary folder and
//                                               compare; exit 1 naming the first difference
// A binary of its own rather than a `complexcare` subcommand: it links only
// the pure contracts library, so the check builds in seconds and needs none
// of the operator CLI's Beast, libpqxx and librdkafka.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "model/contracts/contracts.hpp"

namespace {

namespace fs = std::filesystem;

constexpr const char* kUsage =
    "usage: complexcare-contracts --out <repo root> | --check <repo root>\n";

std::optional<std::string> read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

bool write_file(const fs::path& path, const std::string& content) {
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    return static_cast<bool>(out);
}

// Generated files lying in `out` that the generator no longer makes
// (schemas of event types that are gone).
std::vector<fs::path> stale_files(const fs::path& root,
                                  const std::vector<cc::contracts::File>& files) {
    std::set<std::string> generated;
    for (const auto& file : files) generated.insert(file.path);
    std::vector<fs::path> stale;
    for (const auto& folder : cc::contracts::owned_folders()) {
        const fs::path dir = root / folder.path;
        if (!fs::is_directory(dir)) continue;
        for (const auto& entry : fs::directory_iterator(dir)) {
            const auto name = entry.path().filename().string();
            const auto relative = std::string(folder.path) + "/" + name;
            const bool kept = std::find(folder.hand_kept.begin(), folder.hand_kept.end(), name) !=
                              folder.hand_kept.end();
            if (!kept && !generated.contains(relative)) stale.push_back(entry.path());
        }
    }
    std::sort(stale.begin(), stale.end());
    return stale;
}

std::optional<std::vector<cc::contracts::File>> generate(const fs::path& root) {
    const auto readme = read_file(root / "README.md");
    if (!readme) {
        std::cerr << "complexcare-contracts: cannot read " << (root / "README.md") << "\n";
        return std::nullopt;
    }
    auto files = cc::contracts::generate(*readme);
    if (!files) {
        std::cerr << "complexcare-contracts: " << files.error().detail << "\n";
        return std::nullopt;
    }
    return std::move(*files);
}

bool write_all(const fs::path& out, const std::vector<cc::contracts::File>& files) {
    for (const auto& file : files) {
        if (!write_file(out / file.path, file.content)) {
            std::cerr << "complexcare-contracts: cannot write " << (out / file.path) << "\n";
            return false;
        }
    }
    return true;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// The first differing line, in unified-diff dress.
void show_difference(const std::string& path, const std::string& committed,
                     const std::string& generated) {
    const auto old_lines = lines_of(committed);
    const auto new_lines = lines_of(generated);
    std::size_t line = 0;
    while (line < old_lines.size() && line < new_lines.size() &&
           old_lines[line] == new_lines[line]) {
        ++line;
    }
    std::cerr << "--- a/" << path << " (committed)\n+++ b/" << path << " (generated)\n@@ line "
              << line + 1 << " @@\n";
    if (line < old_lines.size()) std::cerr << "-" << old_lines[line] << "\n";
    if (line < new_lines.size()) std::cerr << "+" << new_lines[line] << "\n";
    if (line >= old_lines.size() && line >= new_lines.size())
        std::cerr << "(only the final newline differs)\n";
}

int check(const fs::path& root) {
    auto files = generate(root);
    if (!files) return 2;
    // Generated into a scratch folder exactly as --out writes, then compared.
    const fs::path scratch =
        fs::temp_directory_path() / ("complexcare-contracts-" + std::to_string(::getpid()));
    fs::remove_all(scratch);
    if (!write_all(scratch, *files)) return 2;
    int status = 0;
    for (const auto& file : *files) {
        const auto committed = read_file(root / file.path);
        const auto generated = read_file(scratch / file.path).value_or("");
        if (committed == generated) continue;
        std::cerr << "contracts out of date: " << file.path
                  << (committed ? " differs" : " is missing") << "\n";
        show_difference(file.path, committed.value_or(""), generated);
        status = 1;
        break;
    }
    if (status == 0) {
        const auto stale = stale_files(root, *files);
        if (!stale.empty()) {
            std::cerr << "contracts out of date: " << fs::relative(stale.front(), root).string()
                      << " is no longer generated (no such event type or version)\n";
            status = 1;
        }
    }
    fs::remove_all(scratch);
    if (status != 0)
        std::cerr << "run scripts/generate-contracts and commit the result\n";
    else
        std::cout << files->size() << " generated files match the committed ones\n";
    return status;
}

int write(const fs::path& root) {
    auto files = generate(root);
    if (!files) return 2;
    if (!write_all(root, *files)) return 2;
    for (const auto& path : stale_files(root, *files)) {
        fs::remove(path);
        std::cout << "removed " << fs::relative(path, root).string() << "\n";
    }
    std::cout << "wrote " << files->size() << " files\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << kUsage;
        return 2;
    }
    const std::string mode = argv[1];
    const fs::path root = argv[2];
    try {
        if (mode == "--out") return write(root);
        if (mode == "--check") return check(root);
    } catch (const std::exception& e) {
        std::cerr << "complexcare-contracts: " << e.what() << "\n";
        return 2;
    }
    std::cerr << kUsage;
    return 2;
}
