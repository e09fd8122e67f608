#include "tests/faults/load.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <optional>
#include <random>

#include "platform/core/uuid.hpp"
#include "tests/support/http_client.hpp"

namespace cc::faults {

struct CommandLoad::Client {
    int index = 0;
    std::string tenant;  // "/v1/tenants/<id>"
    std::mt19937 random;
    struct Patient {
        std::string id;
        std::int64_t version = 1;
    };
    std::vector<Patient> patients;
    int sequence = 0;
};

namespace {

struct Command {
    std::string method;
    std::string target;
    std::string route;  // for reports: the target without ids
    std::string body;
    std::map<std::string, std::string> headers;
    // The patient a PATCH changes, whose version the answer moves on.
    std::optional<std::size_t> patched;
    bool creates_patient = false;
};

std::string unique_name(int client, int sequence) {
    return std::to_string(::getpid()) + "-" + std::to_string(client) + "-" +
           std::to_string(sequence);
}

// A mix that writes the platform's partitions (tenants, users) and each
// client's tenant (patients, their updates, care plans that refer to them,
// care professionals), so references and updates cross batches and kills.
Command next_command(CommandLoad::Client& c) {
    const auto name = unique_name(c.index, ++c.sequence);
    const auto roll = c.random() % 100;
    Command command;
    command.method = "POST";
    if (c.patients.empty() || roll < 30) {
        command.target = c.tenant + "/patients";
        command.route = "/patients";
        command.body = R"({"first_name":"Load","last_name":"P)" + name + "\"}";
        command.creates_patient = true;
    } else if (roll < 50) {
        const auto index = c.random() % c.patients.size();
        auto& patient = c.patients[index];
        command.method = "PATCH";
        command.target = c.tenant + "/patients/" + patient.id;
        command.route = "/patients/{id}";
        command.body = R"({"last_name":"Q)" + name + "\"}";
        command.headers["If-Match"] = "\"" + std::to_string(patient.version) + "\"";
        command.patched = index;
    } else if (roll < 65) {
        const auto& patient = c.patients[c.random() % c.patients.size()];
        command.target = c.tenant + "/care-plans";
        command.route = "/care-plans";
        command.body = R"({"patient_id":")" + patient.id + R"(","title":"Plan )" + name +
                       R"(","start_date":"2031-01-10"})";
    } else if (roll < 80) {
        command.target = c.tenant + "/care-professionals";
        command.route = "/care-professionals";
        command.body = R"({"first_name":"Carer","last_name":"C)" + name + R"(","role":"Nurse"})";
    } else if (roll < 92) {
        command.target = "/v1/users";
        command.route = "/users";
        command.body = R"({"email":"load-)" + name + R"(@example.org"})";
    } else {
        command.target = "/v1/tenants";
        command.route = "/tenants";
        command.body = R"({"name":"Load )" + name + R"(","slug":"load-)" + name + "\"}";
    }
    return command;
}

}  // namespace

CommandLoad::CommandLoad(testing::Stack& stack, int clients, std::chrono::milliseconds answer_bound,
                         int per_client_rate)
    : stack_(stack), answer_bound_(answer_bound), per_client_rate_(per_client_rate) {
    const std::map<std::string, std::string> as_operator{
        {"Authorization", "Bearer " + stack.admin_token}};
    static int made = 0;
    for (int i = 0; i < clients; ++i) {
        auto client = std::make_unique<Client>();
        client->index = i;
        client->random.seed(static_cast<unsigned>(7919 * (i + 1)));
        const auto slug = "load-" + std::to_string(::getpid()) + "-t" + std::to_string(++made);
        const auto created =
            testing::http_request(stack.command_port, "POST", "/v1/tenants",
                                  R"({"name":"Load","slug":")" + slug + "\"}", as_operator);
        EXPECT_EQ(created.status, 201) << created.body;
        if (created.status != 201) continue;
        const auto id = std::string(created.json().at("id").as_string());
        EXPECT_TRUE(stack.tenant_admin(id)) << "no admin for the load's tenant " << id;
        client->tenant = "/v1/tenants/" + id;
        clients_.push_back(std::move(client));
    }
}

CommandLoad::~CommandLoad() {
    stop(std::chrono::seconds(0));
}

void CommandLoad::start() {
    for (auto& client : clients_) threads_.emplace_back([this, &client] { run(*client); });
}

void CommandLoad::stop(std::chrono::seconds settle) {
    {
        std::lock_guard lock(mutex_);
        give_up_at_ = Clock::now() + settle;
    }
    stopping_ = true;
    for (auto& thread : threads_) thread.join();
    threads_.clear();
}

void CommandLoad::run(Client& client) {
    auto next_slot = Clock::now();
    while (!stopping_) {
        if (per_client_rate_ > 0) {
            std::this_thread::sleep_until(next_slot);
            next_slot += std::chrono::microseconds(1'000'000 / per_client_rate_);
        }
        auto command = next_command(client);
        command.headers["Authorization"] = "Bearer " + stack_.token_for_target(command.target);
        // One key for every attempt: a retry is the same command.
        const auto key = Uuid::random_v4().to_string();
        command.headers["Idempotency-Key"] = key;
        for (;;) {
            Answer answer;
            answer.method_and_route = command.method + " " + command.route;
            answer.sent = Clock::now();
            testing::HttpResponse response;
            try {
                response =
                    testing::http_request(stack_.command_port, command.method, command.target,
                                          command.body, command.headers, answer_bound_);
                answer.status = response.status;
            } catch (const testing::NoAnswer&) {
                answer.status = Answer::kNoAnswer;
            } catch (const std::exception&) {
                answer.status = Answer::kRefused;
            }
            answer.answered = Clock::now();
            if (answer.status >= 200 && answer.status < 300) {
                Acknowledged acknowledged{key, {}, {-1, -1}};
                try {
                    const auto body = response.json().as_object();
                    acknowledged.id = std::string(body.at("id").as_string());
                    if (body.at("position").is_string()) {
                        acknowledged.position =
                            eventlog::Position::parse(std::string(body.at("position").as_string()))
                                .value_or(eventlog::Position{-1, -1});
                    }
                    const auto version = body.at("version").to_number<std::int64_t>();
                    if (command.patched) client.patients[*command.patched].version = version;
                    if (command.creates_patient)
                        client.patients.push_back({acknowledged.id, version});
                } catch (const std::exception&) {
                    // Recorded without a position: the test reports it.
                }
                record(answer, &acknowledged);
                break;
            }
            if (answer.status >= 400) {
                answer.content_type = response.header("content-type");
                try {
                    answer.problem_type = std::string(response.json().at("type").as_string());
                } catch (const std::exception&) {
                }
            }
            record(answer, nullptr);
            const bool retry = answer.status == 503 || answer.status == Answer::kNoAnswer ||
                               answer.status == Answer::kRefused;
            if (!retry) break;  // refused for good: the test judges the answer
            {
                std::lock_guard lock(mutex_);
                if (stopping_ && Clock::now() >= give_up_at_) {
                    ++abandoned_;
                    break;
                }
            }
            // The pace of a client honouring Retry-After, kept short so the
            // moment of recovery is seen at once.
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
    }
}

void CommandLoad::record(const Answer& answer, const Acknowledged* acknowledged) {
    std::lock_guard lock(mutex_);
    answers_.push_back(answer);
    ++by_status_[answer.status];
    if (acknowledged) acknowledged_.push_back(*acknowledged);
}

std::size_t CommandLoad::acknowledged_count() const {
    std::lock_guard lock(mutex_);
    return acknowledged_.size();
}

std::vector<Acknowledged> CommandLoad::acknowledged() const {
    std::lock_guard lock(mutex_);
    return acknowledged_;
}

std::vector<Answer> CommandLoad::answers() const {
    std::lock_guard lock(mutex_);
    return answers_;
}

std::size_t CommandLoad::answered(int status) const {
    std::lock_guard lock(mutex_);
    const auto it = by_status_.find(status);
    return it == by_status_.end() ? 0 : it->second;
}

std::size_t CommandLoad::answer_count() const {
    std::lock_guard lock(mutex_);
    return answers_.size();
}

Window window(const std::vector<Answer>& answers, Clock::time_point from, Clock::time_point to) {
    Window w;
    for (const auto& a : answers) {
        if (a.sent > to || a.answered < from) continue;
        ++w.answers;
        ++w.by_status[a.status];
        w.longest = std::max(w.longest, a.took());
        const bool expected = (a.status >= 200 && a.status < 300) || a.status == 503;
        if (!expected && w.unexpected.size() < 10) {
            w.unexpected.push_back(a.method_and_route + " -> " + std::to_string(a.status) + " " +
                                   a.problem_type);
        }
    }
    return w;
}

}  // namespace cc::faults
