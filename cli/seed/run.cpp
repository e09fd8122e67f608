#include "cli/seed/run.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "platform/http/client.hpp"

namespace cc::seed {
namespace {

using Clock = std::chrono::steady_clock;

// What the phases share: the ids captured so far and the tokens minted.
class Context {
  public:
    explicit Context(const RunOptions& options) : options_(options) {}

    // Map nodes stay put as others are captured, so the pointer outlives the lock.
    const std::string* id(const std::string& name) {
        std::lock_guard lock(mutex_);
        return find(name);
    }
    void capture(const std::string& name, std::string id) {
        std::lock_guard lock(mutex_);
        ids_[name] = std::move(id);
    }
    // A bearer token for the step's actor: the operator, or a seeded user.
    Result<std::string> token(const std::string& actor) {
        std::lock_guard lock(mutex_);
        if (auto it = tokens_.find(actor); it != tokens_.end()) return it->second;
        UserId user = options_.operator_id;
        if (actor != kOperator) {
            std::string text = actor, missing;
            if (!substitute(
                    text, [&](const std::string& n) { return find(n); }, missing))
                return Error::make(ErrorKind::internal, "seed-plan", "no id for " + missing);
            const auto parsed = UserId::parse(text);
            if (!parsed) return Error::make(ErrorKind::internal, "seed-plan", "bad actor " + text);
            user = *parsed;
        }
        auto token = "Bearer " + auth::mint_hs256(options_.auth, user, std::chrono::hours(2),
                                                  actor == kOperator);
        return tokens_[actor] = std::move(token);
    }
    std::map<std::string, std::string> ids() {
        std::lock_guard lock(mutex_);
        return ids_;
    }

  private:
    const std::string* find(const std::string& name) {
        auto it = ids_.find(name);
        return it == ids_.end() ? nullptr : &it->second;
    }
    const RunOptions& options_;
    std::mutex mutex_;
    std::map<std::string, std::string> ids_;
    std::map<std::string, std::string> tokens_;
};

struct Outcome {
    bool replayed = false;
    double ms = 0;
};

// One step, retried while the service is unreachable or answers 503 (a
// restart, a lagging log): the Idempotency-Key makes a retry safe.
Result<Outcome> send(http::Client& client, Context& context, const Step& step) {
    std::string path = step.path, body = step.body, missing;
    const auto lookup = [&](const std::string& name) { return context.id(name); };
    if (!substitute(path, lookup, missing) || !substitute(body, lookup, missing)) {
        return Error::make(ErrorKind::internal, "seed-plan", step.path + ": no id for " + missing);
    }
    auto token = context.token(step.actor);
    if (!token) return std::move(token).error();
    const std::map<std::string, std::string> headers{{"Authorization", *token},
                                                     {"Idempotency-Key", step.key}};
    std::string last;
    for (int attempt = 0; attempt < 8; ++attempt) {
        if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100 << attempt));
        const auto started = Clock::now();
        auto response = client.send(step.method, path, body, headers);
        if (!response) {
            last = response.error().detail;
            continue;
        }
        if (response->status == 503) {
            last = "503 " + response->body;
            continue;
        }
        if (response->status < 200 || response->status > 299) {
            return Error::make(ErrorKind::internal, "seed-refused",
                               step.method + " " + path + " answered " +
                                   std::to_string(response->status) + ": " + response->body);
        }
        Outcome outcome;
        outcome.ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
        outcome.replayed = response->headers["idempotent-replayed"] == "true";
        if (!step.captures.empty()) {
            boost::system::error_code ec;
            const auto json = boost::json::parse(response->body, ec);
            const auto* id = ec ? nullptr : json.as_object().if_contains("id");
            if (id == nullptr || !id->is_string()) {
                return Error::make(ErrorKind::internal, "seed-answer",
                                   step.method + " " + path + " answered no id: " + response->body);
            }
            context.capture(step.captures, std::string(id->as_string()));
        }
        return outcome;
    }
    return Error::make(ErrorKind::unavailable, "seed-unavailable",
                       step.method + " " + path + " kept failing: " + last);
}

}  // namespace

Result<RunReport> run(const Plan& plan, const RunOptions& options, cli::Progress& progress) {
    Context context(options);
    RunReport report;
    std::vector<double> latencies;
    std::mutex mutex;
    for (const auto& phase : plan.phases) {
        progress.stage(phase.name, phase.steps.size());
        std::atomic<std::size_t> next{0};
        std::atomic<bool> failed{false};
        std::optional<Error> failure;
        const auto work = [&] {
            http::Client client(options.command_url);
            for (std::size_t i; !failed && (i = next++) < phase.steps.size();) {
                auto outcome = send(client, context, phase.steps[i]);
                std::lock_guard lock(mutex);
                if (!outcome) {
                    if (!failure) failure = std::move(outcome).error();
                    failed = true;
                    return;
                }
                latencies.push_back(outcome->ms);
                report.replayed += outcome->replayed ? 1 : 0;
                ++report.commands;
                progress.advance();
            }
        };
        const auto threads =
            std::clamp<std::size_t>(static_cast<std::size_t>(options.connections), 1,
                                    std::max<std::size_t>(phase.steps.size(), 1));
        std::vector<std::jthread> workers;
        for (std::size_t t = 0; t < threads; ++t) workers.emplace_back(work);
        workers.clear();  // joins
        if (failure) {
            progress.finish();
            return std::move(*failure);
        }
    }
    progress.finish();
    report.seconds = progress.seconds();
    std::sort(latencies.begin(), latencies.end());
    const auto at = [&](double q) {
        return latencies.empty()
                   ? 0.0
                   : latencies[std::min(
                         latencies.size() - 1,
                         static_cast<std::size_t>(q * static_cast<double>(latencies.size())))];
    };
    report.p50_ms = at(0.50);
    report.p99_ms = at(0.99);
    report.ids = context.ids();
    return report;
}

}  // namespace cc::seed
