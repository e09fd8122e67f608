#include "cli/dead_letters.hpp"

#include <charconv>
#include <iostream>
#include <pqxx/pqxx>

#include "platform/config/env.hpp"
#include "projector/dead_letters.hpp"

namespace cc::cli {
namespace {

constexpr const char* kUsage =
    "usage: complexcare dead-letters list [--all] [--projection NAME]\n"
    "       complexcare dead-letters show <id> [--projection NAME]\n"
    "       complexcare dead-letters retry <id>|--all [--projection NAME]\n";

std::optional<std::int64_t> id_of(const std::string& text) {
    std::int64_t id = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc{} || end != text.data() + text.size() || id <= 0) return std::nullopt;
    return id;
}

// One line: longer reasons are for `show`.
std::string shortened(const std::string& text, std::size_t most) {
    const auto line = text.substr(0, text.find('\n'));
    return line.size() <= most ? line : line.substr(0, most - 3) + "...";
}

void print_line(const projector::DeadLetter& letter) {
    std::cout << letter.id << "  " << letter.parked_at << "  " << letter.partition << ":"
              << letter.offset << "  " << letter.event_type.value_or("(unreadable)") << "  "
              << (letter.resolved_at ? "resolved " + *letter.resolved_at : "unresolved") << "  "
              << shortened(letter.reason, 100) << "\n";
}

void print_whole(const projector::DeadLetter& letter) {
    std::cout << "id:          " << letter.id << "\n"
              << "projection:  " << letter.projection << "\n"
              << "position:    " << letter.partition << ":" << letter.offset << "\n"
              << "event_id:    " << letter.event_id.value_or("(unreadable)") << "\n"
              << "event_type:  " << letter.event_type.value_or("(unreadable)") << "\n"
              << "parked_at:   " << letter.parked_at << "\n"
              << "resolved_at: " << letter.resolved_at.value_or("(unresolved)") << "\n"
              << "reason:      " << letter.reason << "\n"
              << "record:\n"
              << letter.value << "\n";
}

int retry(pqxx::connection& connection, const projector::DeadLetter& letter) {
    const auto status = projector::retry_dead_letter(connection, letter.id);
    if (!status) {
        std::cerr << "dead letter " << letter.id << " (" << letter.partition << ":" << letter.offset
                  << ") stays parked: " << status.error().detail << "\n";
        return 1;
    }
    std::cout << "dead letter " << letter.id << " (" << letter.partition << ":" << letter.offset
              << ", " << letter.event_type.value_or("?") << ") applied and resolved\n";
    return 0;
}

}  // namespace

int dead_letters(const std::string& database_url, const std::vector<std::string>& args) {
    std::string projection = config::env_or("CC_PROJECTION", "main");
    std::vector<std::string> words;
    bool all = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--all") {
            all = true;
        } else if (args[i] == "--projection" && i + 1 < args.size()) {
            projection = args[++i];
        } else if (args[i].rfind("--", 0) == 0) {
            std::cerr << kUsage;
            return 2;
        } else {
            words.push_back(args[i]);
        }
    }
    const std::string verb = words.empty() ? "" : words.front();
    // 0 for none: ids start at 1.
    const std::int64_t id = words.size() == 2 ? id_of(words[1]).value_or(0) : 0;
    const bool usage_ok = (verb == "list" && words.size() == 1) ||
                          (verb == "show" && id != 0 && !all) ||
                          (verb == "retry" && (id != 0 ? !all : all && words.size() == 1));
    if (!usage_ok) {
        std::cerr << kUsage;
        return 2;
    }
    pqxx::connection connection(database_url);
    if (verb == "list") {
        const auto letters = projector::list_dead_letters(connection, projection, all);
        for (const auto& letter : letters) print_line(letter);
        std::cout << letters.size() << (all ? " dead letters" : " unresolved dead letters")
                  << " of projection " << projection << "\n";
        return 0;
    }
    if (id != 0) {
        const auto letter = projector::find_dead_letter(connection, id);
        if (!letter || letter->projection != projection) {
            std::cerr << "no dead letter " << id << " in projection " << projection << "\n";
            return 1;
        }
        if (verb == "show") {
            print_whole(*letter);
            return 0;
        }
        return retry(connection, *letter);
    }
    // In log order, each in its own transaction: one that still fails stays
    // parked and the others go on.
    int failed = 0;
    const auto letters = projector::list_dead_letters(connection, projection, false);
    for (const auto& letter : letters) failed += retry(connection, letter);
    std::cout << letters.size() - static_cast<std::size_t>(failed) << " of " << letters.size()
              << " applied\n";
    return failed == 0 ? 0 : 1;
}

}  // namespace cc::cli
