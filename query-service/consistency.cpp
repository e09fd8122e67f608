#include "query-service/consistency.hpp"

#include <pqxx/pqxx>
#include <thread>

namespace cc::query {

bool ProjectionProgress::applied(const eventlog::Position& position) {
    auto connection = pool_.acquire();
    pqxx::read_transaction tx(*connection);
    const auto rows = tx.exec_params(
        "SELECT next_offset FROM projection_checkpoints WHERE projection = $1 AND topic = $2 AND "
        "partition = $3",
        projection_, topic_, position.partition);
    return !rows.empty() && rows[0][0].as<std::int64_t>() > position.offset;
}

Status ProjectionProgress::wait_for(const eventlog::Position& position) {
    const auto deadline = std::chrono::steady_clock::now() + timeout_;
    auto pause = std::chrono::milliseconds(2);
    while (!applied(position)) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return Error::make(ErrorKind::unavailable, "projection-lagging",
                               "the read model has not reached position " + position.to_string() +
                                   " yet; retry shortly");
        }
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::milliseconds(50));
    }
    return {};
}

http::Handler read_your_writes(http::Handler inner, ProjectionProgress& progress) {
    return [inner = std::move(inner), &progress](http::Request& request) {
        auto text = request.query_param("min_position");
        if (!text) text = request.header("x-min-position");
        if (!text) return inner(request);
        const auto position = eventlog::Position::parse(*text);
        if (!position) {
            Error error = Error::make(ErrorKind::malformed, "bad-position",
                                      "min_position must be a position such as \"3:1042\"");
            error.fields.push_back({"min_position", "format", error.detail});
            return http::Response::problem(error, request);
        }
        if (auto reached = progress.wait_for(*position); !reached) {
            return http::Response::problem(reached.error(), request);
        }
        return inner(request);
    };
}

}  // namespace cc::query
