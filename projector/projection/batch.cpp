#include "projector/projection/batch.hpp"

#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "platform/pg/array_literal.hpp"

namespace cc::projection {
namespace {

// Per key, one past the index of the last group that touches it (0: none).
using LastTouch = std::unordered_map<std::uint64_t, std::size_t>;

std::size_t last_touch(const LastTouch& touches, std::uint64_t key) {
    const auto it = touches.find(key);
    return it == touches.end() ? 0 : it->second;
}

void touch(LastTouch& touches, std::uint64_t key, std::size_t group) {
    auto& last = touches[key];
    last = std::max(last, group + 1);
}

}  // namespace

pg::Statement merge(std::span<const Statement* const> rows) {
    pg::Statement out;
    if (rows.empty()) return out;
    out.sql = rows.front()->sql;
    const auto columns = rows.front()->row.size();
    out.params.resize(columns);
    for (std::size_t column = 0; column < columns; ++column) {
        std::size_t size = 2;
        for (const auto* statement : rows) {
            const auto& element = statement->row.at(column);
            // Room for a few escapes.
            size += element ? element->size() + element->size() / 8 + 3 : 5;
        }
        pg::ArrayLiteral array;
        array.reserve(size);
        for (const auto* statement : rows) array.add(statement->row.at(column));
        out.params[column] = std::move(array).take();
    }
    return out;
}

std::vector<pg::Statement> plan(std::span<const Statement* const> statements) {
    std::unordered_map<std::string_view, std::size_t> last_of;
    for (std::size_t i = 0; i < statements.size(); ++i) {
        if (!statements[i]->last_wins.empty()) last_of[statements[i]->last_wins] = i;
    }
    std::vector<std::vector<const Statement*>> groups;
    // The groups of each shape, in the order they run.
    std::unordered_map<std::string_view, std::vector<std::size_t>> of_shape;
    LastTouch written;
    LastTouch read;
    for (std::size_t i = 0; i < statements.size(); ++i) {
        const auto& statement = *statements[i];
        if (!statement.last_wins.empty() && last_of[statement.last_wins] != i) continue;
        // The first group it may join: after every group it must follow.
        std::size_t earliest = 0;
        for (const auto key : statement.writes) {
            earliest = std::max({earliest, last_touch(written, key), last_touch(read, key)});
        }
        for (const auto key : statement.reads) {
            earliest = std::max(earliest, last_touch(written, key));
        }
        auto& shape = of_shape[statement.sql];
        const auto joined = std::lower_bound(shape.begin(), shape.end(), earliest);
        std::size_t group = 0;
        if (joined != shape.end()) {
            group = *joined;
        } else {
            group = groups.size();
            groups.emplace_back();
            shape.push_back(group);
        }
        groups[group].push_back(&statement);
        for (const auto key : statement.writes) touch(written, key, group);
        for (const auto key : statement.reads) touch(read, key, group);
    }
    std::vector<pg::Statement> out;
    out.reserve(groups.size());
    for (const auto& group : groups) out.push_back(merge(group));
    return out;
}

}  // namespace cc::projection
