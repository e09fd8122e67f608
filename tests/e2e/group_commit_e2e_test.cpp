// Group commit over HTTP: commands that arrive while a batch is being
// appended are decided in order against each other's effects, appended
// together in one transaction and answered when it is durable; a failed
// append fails its whole batch, leaves nothing of it in the log and no trace
// of it in the write model.
//
// A test lines commands up deterministically: it holds the log's appends
// (a row lock the PostgreSQL writer needs, or the mock Kafka coordinator
// refusing to add partitions to a transaction, retriably),
// sends one command whose append then waits, sends the others, and waits
// until the command service reports them all decided and waiting
// (command_bus_commands_awaiting_append) before letting the appends go.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <deque>
#include <memory>
#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "tests/support/backend_test.hpp"
#include "tests/support/prometheus.hpp"

namespace cc::e2e {
namespace {

using testing::HttpResponse;

class GroupCommitEndToEnd : public testing::BackendTest {
  protected:
    // Appends wait from construction until release() (or destruction).
    class AppendsHeld {
      public:
        explicit AppendsHeld(testing::Stack& stack) : stack_(stack) {
            if (stack.cluster) {
                stack.cluster->hold_transactions(true);
                return;
            }
            // The writer reads its epoch FOR SHARE first in every append.
            connection_ = std::make_unique<pqxx::connection>(stack.database_url);
            lock_ = std::make_unique<pqxx::work>(*connection_);
            lock_->exec("SELECT epoch FROM event_log_writer FOR UPDATE");
        }
        ~AppendsHeld() { release(); }
        void release() {
            if (stack_.cluster) stack_.cluster->hold_transactions(false);
            if (lock_) lock_->commit();
            lock_.reset();
        }

      private:
        testing::Stack& stack_;
        std::unique_ptr<pqxx::connection> connection_;
        std::unique_ptr<pqxx::work> lock_;
    };

    std::string metrics() {
        return testing::http_request(stack().command_port, "GET", "/metrics").body;
    }
    double awaiting_append() {
        return testing::metric_sample(metrics(), "command_bus_commands_awaiting_append")
            .value_or(-1);
    }
    double appends() {
        return testing::metric_sample(metrics(), "eventlog_append_records_count",
                                      {"outcome=\"ok\""})
            .value_or(0);
    }
    // Sends each body as a new patient of `tenant` at once, one thread each,
    // and returns once all of them are decided and waiting for the log.
    // (A deque: growing it moves no answer a thread is writing.)
    // Commands sent on threads of their own, their answers in the order sent.
    struct InFlight {
        std::deque<HttpResponse> answers;
        std::vector<std::thread> threads;
        ~InFlight() { join(); }  // also when an assertion ends the test early
        void join() {
            for (auto& t : threads) t.join();
            threads.clear();
        }
    };
    // A tenant whose partition has seen a command already, so the next
    // ones are not its first append.
    std::string warm_tenant() {
        auto tenant = new_tenant("Batch", "batch-" + unique_suffix());
        EXPECT_EQ(command("POST", tenant + "/patients", patient("Warm")).status, 201);
        return tenant;
    }
    void send_patients(const std::string& tenant, const std::vector<std::string>& bodies,
                       InFlight& sent) {
        auto& answers = sent.answers;
        auto& threads = sent.threads;
        const double waiting = awaiting_append();
        for (const auto& body : bodies) {
            auto* answer = &answers.emplace_back();
            threads.emplace_back([this, answer, tenant, body] {
                *answer = command("POST", tenant + "/patients", body);
            });
        }
        ASSERT_TRUE(testing::eventually([&] {
            return awaiting_append() == waiting + static_cast<double>(bodies.size());
        })) << "the commands never all waited for the log";
    }
    static std::string patient(const std::string& first_name, const std::string& nhs = "") {
        return R"({"first_name":")" + first_name + R"(","last_name":"Batch")" +
               (nhs.empty() ? "" : R"(,"nhs_number":")" + nhs + "\"") + "}";
    }
    static eventlog::Position position(const HttpResponse& answer) {
        return *eventlog::Position::parse(position_of(answer));
    }
};

TEST_P(GroupCommitEndToEnd, CommandsThatArriveTogetherShareOneAppendWithConsecutivePositions) {
    const auto tenant = warm_tenant();
    InFlight sent;
    auto& answers = sent.answers;
    AppendsHeld held(stack());
    send_patients(tenant, {patient("First")}, sent);
    std::vector<std::string> bodies;
    constexpr int kCommands = 10;
    for (int i = 0; i < kCommands; ++i) bodies.push_back(patient("P" + std::to_string(i)));
    send_patients(tenant, bodies, sent);
    const double appends_before = appends();
    held.release();
    sent.join();

    std::set<std::int64_t> offsets;
    for (std::size_t i = 1; i < answers.size(); ++i) {
        ASSERT_EQ(answers[i].status, 201) << answers[i].body;
        EXPECT_EQ(position(answers[i]).partition, position(answers[0]).partition);
        offsets.insert(position(answers[i]).offset);
    }
    ASSERT_EQ(offsets.size(), static_cast<std::size_t>(kCommands)) << "each its own position";
    EXPECT_EQ(*offsets.rbegin() - *offsets.begin(), kCommands - 1)
        << "one append: consecutive offsets, nothing between them";
    EXPECT_GT(*offsets.begin(), position(answers[0]).offset) << "after the batch before it";
    // The first command's append and one for the ten (a sweep of the overdue
    // scheduler may add one of its own).
    EXPECT_LE(appends() - appends_before, 3) << "fewer appends than commands";
    EXPECT_EQ(awaiting_append(), 0);
}

TEST_P(GroupCommitEndToEnd, TwoCreatesOfOneUniqueKeyInOneBatchGiveOneCreatedAndOneConflict) {
    const auto tenant = warm_tenant();
    InFlight sent;
    auto& answers = sent.answers;
    AppendsHeld held(stack());
    send_patients(tenant, {patient("First")}, sent);
    send_patients(tenant, {patient("Ada", "9434765919"), patient("Grace", "943 476 5919")}, sent);
    held.release();
    sent.join();

    EXPECT_EQ(answers[0].status, 201);
    std::multiset<int> statuses{answers[1].status, answers[2].status};
    EXPECT_EQ(statuses, (std::multiset<int>{201, 409})) << answers[1].body << answers[2].body;
    EXPECT_EQ(command("POST", tenant + "/patients", patient("Again", "9434765919")).status, 409);
}

// A command that need not wait is decided on the server's I/O thread, with
// no hop to a worker; one that meets the decision lock held (the committer
// settling a batch, the overdue scheduler) declines there and is handed to
// a worker. Every command is tried once, one way or the other.
TEST_P(GroupCommitEndToEnd, ACommandThatNeedNotWaitIsDecidedOnTheIoThread) {
    struct Tried {
        double answered = 0;
        double declined = 0;
    };
    // One read of both: reading /metrics is itself answered on the I/O
    // thread, and counted once rendered, so each read adds one to the next.
    const auto tried = [this] {
        const auto text = metrics();
        const auto sample = [&](const std::string& outcome) {
            return testing::metric_sample(text, "http_requests_tried_inline_total",
                                          {"outcome=\"" + outcome + "\""})
                .value_or(-1);
        };
        return Tried{sample("answered"), sample("declined")};
    };
    const auto tenant = warm_tenant();
    const auto before = tried();
    double decided_inline = 0;
    int sent = 0;
    for (int reads = 1; decided_inline == 0 && sent < 100; ++reads) {
        ASSERT_EQ(
            command("POST", tenant + "/patients", patient("Io" + std::to_string(sent))).status,
            201);
        ++sent;
        const auto now = tried();
        decided_inline = now.answered - before.answered - reads;
        EXPECT_EQ(decided_inline + (now.declined - before.declined), sent)
            << "each command tried once on the I/O thread";
    }
    EXPECT_GE(decided_inline, 1) << "no command of " << sent << " was decided on the I/O thread";
}

// The decision lock's time is counted by what holds it: deciding takes it
// for each command as it arrives, settling only once an append is back.
TEST_P(GroupCommitEndToEnd, TheDecisionLockTimeIsCountedForDecidingAndForSettling) {
    const auto held_by = [this](const std::string& holder) {
        return testing::metric_sample(metrics(), "command_decision_lock_held_seconds_total",
                                      {"holder=\"" + holder + "\""})
            .value_or(-1);
    };
    ASSERT_GE(testing::metric_sample(metrics(), "command_decision_lock_wait_seconds_total",
                                     {"holder=\"decide\""})
                  .value_or(-1),
              0)
        << "the wait is counted too";
    const auto tenant = warm_tenant();
    InFlight sent;
    AppendsHeld held(stack());
    // The committer appends one batch at a time: with this one's append
    // held, nothing settles until it is let go.
    send_patients(tenant, {patient("First")}, sent);
    const double deciding = held_by("decide");
    const double settling = held_by("settle");
    ASSERT_GE(deciding, 0);
    ASSERT_GE(settling, 0);
    send_patients(tenant, {patient("Second"), patient("Third")}, sent);
    EXPECT_GT(held_by("decide"), deciding) << "two more decisions held it";
    EXPECT_EQ(held_by("settle"), settling) << "nothing was appended meanwhile";
    held.release();
    sent.join();
    for (const auto& answer : sent.answers) EXPECT_EQ(answer.status, 201) << answer.body;
    EXPECT_GT(held_by("settle"), settling) << "the appends came back and were settled";
}

// A real failure inside one PostgreSQL transaction: a trigger refuses one
// record of the batch.
TEST_P(GroupCommitEndToEnd, AFailedAppendFailsItsWholeBatchAndLeavesNoTrace) {
    if (GetParam() == eventlog::Backend::kafka) {
        GTEST_SKIP() << "the mock cluster cannot refuse one record of a transaction";
    }
    const auto tenant = warm_tenant();
    pqxx::connection owner(stack().database_url);
    pqxx::nontransaction(owner).exec(
        "CREATE FUNCTION refuse_poisoned_event() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF NEW.value LIKE '%poisoned-batch%' THEN RAISE EXCEPTION 'poisoned record'; END IF; "
        "RETURN NEW; END $$; "
        "CREATE TRIGGER refuse_poisoned BEFORE INSERT ON event_log FOR EACH ROW "
        "EXECUTE FUNCTION refuse_poisoned_event()");
    const auto before = stack().log_size();

    InFlight sent;
    auto& answers = sent.answers;
    AppendsHeld held(stack());
    send_patients(tenant, {patient("First")}, sent);
    // Its batch is being appended (not filling still, which the next
    // commands would join): the writer waits for the lock the test holds.
    ASSERT_TRUE(testing::eventually([&] {
        return pqxx::nontransaction(owner)
                   .exec(
                       "SELECT count(*) FROM pg_stat_activity WHERE usename = "
                       "'complexcare_command' AND wait_event_type = 'Lock'")[0][0]
                   .as<int>() == 1;
    }));
    send_patients(
        tenant,
        {patient("Ada", "9434765919"), patient("poisoned-batch"), patient("Grace", "4010232137")},
        sent);
    held.release();
    sent.join();
    pqxx::nontransaction(owner).exec(
        "DROP TRIGGER refuse_poisoned ON event_log; DROP FUNCTION refuse_poisoned_event()");

    ASSERT_EQ(answers[0].status, 201) << answers[0].body;
    for (std::size_t i = 1; i < answers.size(); ++i) {
        EXPECT_EQ(answers[i].status, 503)
            << "every command of the batch fails: " << answers[i].body;
    }
    EXPECT_EQ(stack().log_size(), before + 1) << "nothing of the failed batch was appended";
    // The write model is back where the log is: the failed creates hold no
    // NHS number, and the next command lands right after the last durable one.
    const auto next = command("POST", tenant + "/patients", patient("Ada", "9434765919"));
    ASSERT_EQ(next.status, 201) << next.body;
    EXPECT_EQ(position(next).partition, position(answers[0]).partition);
    EXPECT_EQ(position(next).offset, position(answers[0]).offset + 1);
    EXPECT_EQ(command("POST", tenant + "/patients", patient("Grace", "4010232137")).status, 201);
}

CC_E2E_ON_EVERY_LOG(GroupCommitEndToEnd);

}  // namespace
}  // namespace cc::e2e
