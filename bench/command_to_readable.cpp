// Command to readable: POSTs new patients at a fixed rate against a running
// stack, then reads each back through the query service with the command's
// position (?min_position=), and prints the latency from sending the
// command to holding the projected row: the delay a client that reads its
// own writes sees. Asserts nothing.
//
//   bench_command_to_readable --command-port 8081 --query-port 8082
//       --tenant <id> --token <jwt> [--rate 200] [--seconds 10] [--threads 32]
//
// Open loop: each thread sends at its share of the rate on a fixed
// schedule, and a latency counts from the scheduled moment, so a stack
// that falls behind shows it in the figures (no coordinated omission).
// Each thread keeps one connection to each service open, as a web client
// or an integration does (HTTP/1.1 keep-alive), so the figures are the
// stack's, not TCP handshakes'.
#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "cli/seed/plan.hpp"
#include "platform/http/client.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
    int command_port = 8081;
    int query_port = 8082;
    std::string tenant;
    std::string token;
    double rate = 200;
    double seconds = 10;
    int threads = 32;
};

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string name = argv[i];
        const std::string value = argv[i + 1];
        if (name == "--command-port")
            o.command_port = std::stoi(value);
        else if (name == "--query-port")
            o.query_port = std::stoi(value);
        else if (name == "--tenant")
            o.tenant = value;
        else if (name == "--token")
            o.token = value;
        else if (name == "--rate")
            o.rate = std::stod(value);
        else if (name == "--seconds")
            o.seconds = std::stod(value);
        else if (name == "--threads")
            o.threads = std::stoi(value);
        else
            throw std::invalid_argument("unknown option " + name);
    }
    if (o.tenant.empty() || o.token.empty() || o.rate <= 0 || o.threads < 1)
        throw std::invalid_argument("--tenant and --token are required; --rate, --threads > 0");
    return o;
}

// Valid NHS numbers (seed::nhs_number), counted up from a random start, as
// bench/create-patients.lua does: numbers drawn at random repeat within a
// tenant after some ten thousand patients (birthdays), and each repeat was a
// 409 counted as a failed command. Two threads, of this run or another on
// the same tenant, now repeat a number only if the ranges they count
// through overlap.
class NhsNumbers {
  public:
    explicit NhsNumbers(std::uint32_t start) : next_(start % kDistinct) {}
    std::string next() { return cc::seed::nhs_number(next_++ % kDistinct); }

  private:
    static constexpr std::uint32_t kDistinct = 50'000'000;  // what nhs_number keeps apart
    std::uint32_t next_;
};

struct Sample {
    double command_ms;   // scheduled send to the command's answer
    double readable_ms;  // scheduled send to the read's answer with the row
};

double percentile(std::vector<double> values, double q) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const auto index = static_cast<std::size_t>(q * static_cast<double>(values.size() - 1));
    return values[index];
}

double ms_between(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

}  // namespace

int main(int argc, char** argv) try {
    const Options options = parse(argc, argv);
    const std::map<std::string, std::string> auth{{"Authorization", "Bearer " + options.token},
                                                  {"Content-Type", "application/json"}};
    const auto interval = std::chrono::duration<double>(options.threads / options.rate);
    const auto start = Clock::now() + std::chrono::milliseconds(100);
    const auto end = start + std::chrono::duration<double>(options.seconds);

    std::mutex mutex;
    std::vector<Sample> samples;
    std::map<std::string, int> failures;
    std::vector<std::thread> threads;
    for (int t = 0; t < options.threads; ++t) {
        threads.emplace_back([&, t] {
            // Every run and thread starts anew: a repeated NHS number in the tenant is a 409.
            NhsNumbers nhs_numbers(std::random_device{}());
            cc::http::Client commands("http://127.0.0.1:" + std::to_string(options.command_port));
            cc::http::Client queries("http://127.0.0.1:" + std::to_string(options.query_port));
            // Threads start staggered over one interval, so sends spread evenly.
            auto scheduled = start + std::chrono::duration_cast<Clock::duration>(
                                         interval * (static_cast<double>(t) / options.threads));
            for (int n = 0; scheduled < end; ++n) {
                std::this_thread::sleep_until(scheduled);
                const std::string body = R"({"first_name":"Bench","last_name":"Reader)" +
                                         std::to_string(t) + "_" + std::to_string(n) +
                                         R"(","date_of_birth":"1950-01-01","nhs_number":")" +
                                         nhs_numbers.next() + R"("})";
                const std::string base = "/v1/tenants/" + options.tenant + "/patients";
                std::string failure;
                Sample sample{};
                try {
                    const auto created = commands.send("POST", base, body, auth);
                    sample.command_ms = ms_between(scheduled, Clock::now());
                    if (!created) {
                        failure = "POST: " + created.error().detail;
                    } else if (created->status != 201) {
                        failure = "POST " + std::to_string(created->status);
                    } else {
                        const auto answer = boost::json::parse(created->body).as_object();
                        const std::string id(answer.at("id").as_string());
                        const std::string position(answer.at("position").as_string());
                        const auto read = queries.send(
                            "GET", base + "/" + id + "?min_position=" + position, "", auth);
                        sample.readable_ms = ms_between(scheduled, Clock::now());
                        if (!read) {
                            failure = "GET: " + read.error().detail;
                        } else if (read->status != 200) {
                            failure = "GET " + std::to_string(read->status);
                        }
                    }
                } catch (const std::exception& e) {
                    failure = e.what();
                }
                {
                    std::lock_guard lock(mutex);
                    if (failure.empty()) {
                        samples.push_back(sample);
                    } else {
                        ++failures[failure];
                    }
                }
                scheduled += std::chrono::duration_cast<Clock::duration>(interval);
            }
        });
    }
    for (auto& thread : threads) thread.join();
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();

    std::vector<double> command, readable;
    for (const auto& s : samples) {
        command.push_back(s.command_ms);
        readable.push_back(s.readable_ms);
    }
    std::size_t failed = 0;
    for (const auto& [what, count] : failures) failed += static_cast<std::size_t>(count);
    std::printf(
        "RESULT target_rate=%.0f achieved_rate=%.1f commands=%zu failed=%zu "
        "command_p50_ms=%.2f command_p99_ms=%.2f readable_p50_ms=%.2f readable_p99_ms=%.2f\n",
        options.rate, static_cast<double>(samples.size()) / elapsed, samples.size(), failed,
        percentile(command, 0.50), percentile(command, 0.99), percentile(readable, 0.50),
        percentile(readable, 0.99));
    for (const auto& [what, count] : failures)
        std::printf("  failed: %s x%d\n", what.c_str(), count);
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "bench_command_to_readable: %s\n", e.what());
    return 2;
}
