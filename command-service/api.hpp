#pragma once
// What every command route does the same way: read the body, the If-Match
// version and path ids, build the request context, shape the answer.
#include <boost/json/object.hpp>

#include <optional>

#include "command-service/command_bus.hpp"
#include "platform/core/json.hpp"
#include "platform/http/message.hpp"

namespace cc::command {

// The body as JSON (numbers kept exact); `optional` lets an empty body be {}.
Result<json::Body> json_body(const http::Request& request, bool optional = false);
// If-Match: "3" (or 3, or W/"3"). `required` makes a missing header a 428.
Result<std::optional<std::int64_t>> expected_version(const http::Request& request, bool required);
RequestContext context_of(const http::Request& request);

template <class IdT>
Result<IdT> path_id(const http::Request& request, const std::string& name) {
    // A malformed id names nothing that exists: answer as for a missing one.
    if (auto id = IdT::parse(request.param(name))) return *id;
    return Error::make(ErrorKind::not_found, "not-found", name + " does not exist");
}

// 201 (created) or 200 with {"id", "version", "position"} and an ETag.
http::Response answer(const Result<CommandOutcome>& outcome, const http::Request& request,
                      int success_status);

// Executes `command` and answers once it is durable, with the status
// `status_of` picks for the outcome; the worker is free meanwhile (the
// response is suspended, and resumed from the committer's thread).
template <class Command, class StatusOf>
http::Response answer_when_durable(CommandBus& bus, Command command, const http::Request& request,
                                   StatusOf status_of) {
    return http::Response::suspend(
        [&bus, command = std::move(command), context = context_of(request),
         about = http::Response::problem_subject(request), status_of](http::Resume resume) {
            bus.execute_async(
                command, context,
                [resume = std::move(resume), about, status_of](Result<CommandOutcome> outcome) {
                    const int status = outcome ? status_of(*outcome) : 0;
                    resume(answer(outcome, about, status));
                });
        });
}

// Runs the steps every command shares; `build` turns the request into the
// command or the error that stops it.
template <class Build>
http::Response handle(CommandBus& bus, const http::Request& request, int success_status,
                      Build&& build) {
    auto command = build();
    if (!command) return http::Response::problem(command.error(), request);
    return answer_when_durable(bus, std::move(*command), request,
                               [success_status](const CommandOutcome&) { return success_status; });
}

}  // namespace cc::command
