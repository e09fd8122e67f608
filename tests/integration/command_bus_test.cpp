// The bus on a thread that must not block (a server's I/O thread trying a
// command before handing it to a worker): it decides the command when
// nothing would wait, and otherwise declines having done nothing, so the
// command can be given again where waiting is allowed. Against a real
// PostgreSQL log.
#include <gtest/gtest.h>

#include <future>
#include <numeric>
#include <pqxx/pqxx>
#include <thread>

#include "command-service/command_bus.hpp"
#include "command-service/identity/identity.hpp"
#include "command-service/snapshot_maker.hpp"
#include "platform/core/no_blocking.hpp"
#include "platform/eventlog/factory.hpp"
#include "tests/support/postgres_server.hpp"

namespace cc::command {
namespace {

class BusThatMustNotBlock : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
        log.postgres = {testing::postgres().create_database(std::string("bus_") + test->name()), 8};
        bus = std::make_unique<CommandBus>(eventlog::open_writer(log),
                                           eventlog::open_reader(log, {}));
        ASSERT_TRUE(bus->catch_up().ok());
        context.by_server = true;
        context.caller = auth::Caller{UserId::generate(), true};
    }

    static aggregate::Create new_user(int n, const UserId& id = UserId::generate()) {
        return identity::register_user(
            id, json::Body{{{"email", "user" + std::to_string(n) + "@example.org"},
                            {"name", "User " + std::to_string(n)}},
                           {}});
    }
    std::int64_t events_in_log() const {
        const auto ends = eventlog::open_reader(log, {})->end_offsets();
        EXPECT_TRUE(ends.ok());
        return ends.ok() ? std::accumulate(ends->begin(), ends->end(), std::int64_t{0}) : -1;
    }

    // One try under NoBlocking: the answer to come, or nothing if it declined.
    std::optional<std::future<Result<CommandOutcome>>> try_without_blocking(
        const aggregate::Create& command, const RequestContext& as) {
        auto answer = std::make_shared<std::promise<Result<CommandOutcome>>>();
        auto future = answer->get_future();
        const NoBlocking attempt;
        bus->execute_async(
            command, as, [answer](Result<CommandOutcome> outcome) { answer->set_value(outcome); });
        if (attempt.declined()) return std::nullopt;
        return future;
    }
    // Tries until a try is not declined. The committer holds the lock for
    // moments of its own (taking a batch, settling one), so a try may meet
    // it held: each next try comes right after the lock was free again (a
    // read takes it and lets it go), never after a guessed amount of time.
    std::future<Result<CommandOutcome>> decided_without_blocking(const aggregate::Create& command,
                                                                 const RequestContext& as) {
        for (int tries = 0; tries < 1000; ++tries) {
            if (auto answer = try_without_blocking(command, as)) return std::move(*answer);
            bus->read([](const WriteModel&) { return 0; });
        }
        ADD_FAILURE() << "every try was declined";
        return {};
    }
    // decided_without_blocking(), and its answer once durable.
    Result<CommandOutcome> answer_decided_without_blocking(const aggregate::Create& command,
                                                           const RequestContext& as) {
        auto answer = decided_without_blocking(command, as);
        if (!answer.valid())
            return Error::make(ErrorKind::internal, "declined", "every try was declined");
        return answer.get();
    }

    eventlog::LogConfig log;
    RequestContext context;
    std::unique_ptr<CommandBus> bus;
};

TEST_F(BusThatMustNotBlock, DeclinesWhileTheDecisionLockIsHeldAndAppendsNothing) {
    ASSERT_TRUE(bus->execute(new_user(0), context).ok());
    const auto before = events_in_log();

    std::promise<void> entered;
    std::promise<void> released;
    std::thread holder([&] {
        bus->read([&](const WriteModel&) {
            entered.set_value();
            released.get_future().wait();
            return 0;
        });
    });
    entered.get_future().wait();
    bool answered = false;
    {
        const NoBlocking attempt;
        bus->execute_async(new_user(1), context, [&](Result<CommandOutcome>) { answered = true; });
        EXPECT_TRUE(attempt.declined());
    }
    released.set_value();
    holder.join();
    EXPECT_FALSE(answered) << "a declined command keeps no answer to give";
    EXPECT_EQ(events_in_log(), before) << "and appends nothing";

    // The same command given again once the lock is free is decided.
    const auto outcome = answer_decided_without_blocking(new_user(1), context);
    ASSERT_TRUE(outcome.ok()) << outcome.error().detail;
    EXPECT_EQ(events_in_log(), before + 1);
}

// A bus whose model must first catch up with the log (at start, or after a
// failed append) would read the log under its lock: it declines, and once
// caught up it decides.
TEST_F(BusThatMustNotBlock, DeclinesWhileItsModelMustCatchUpWithTheLog) {
    ASSERT_TRUE(bus->execute(new_user(0), context).ok());
    const auto before = events_in_log();
    bus.reset();
    bus = std::make_unique<CommandBus>(eventlog::open_writer(log), eventlog::open_reader(log, {}));
    EXPECT_FALSE(try_without_blocking(new_user(1), context).has_value());
    EXPECT_EQ(events_in_log(), before) << "a declined command appends nothing";
    ASSERT_TRUE(bus->catch_up().ok());
    const auto outcome = answer_decided_without_blocking(new_user(1), context);
    ASSERT_TRUE(outcome.ok()) << outcome.error().detail;
    EXPECT_EQ(events_in_log(), before + 1);
}

// A retry of an Idempotency-Key whose first command is still being appended
// would wait for that append: it declines, while a command with another key
// is decided meanwhile. Once the first is durable, the retry is answered
// with the first command's outcome, without blocking.
TEST_F(BusThatMustNotBlock, DeclinesARetryOfAKeyStillBeingAppended) {
    // The caller, a platform administrator, is a user like any other.
    ASSERT_TRUE(bus->execute(new_user(0, context.caller.user), context).ok());
    // The writer reads its epoch FOR SHARE in every append: held here, the
    // next append waits.
    pqxx::connection holding(log.postgres.conninfo);
    auto held = std::make_unique<pqxx::work>(holding);
    held->exec("SELECT epoch FROM event_log_writer FOR UPDATE");

    // A platform administrator's command: its events name who sent the key.
    RequestContext first = context;
    first.by_server = false;
    first.request.idempotency_key = "key-1";
    const auto command = new_user(1);
    std::promise<Result<CommandOutcome>> first_answer;
    bus->execute_async(command, first,
                       [&](Result<CommandOutcome> outcome) { first_answer.set_value(outcome); });

    RequestContext other = first;
    other.request.idempotency_key = "key-2";
    auto other_answer = decided_without_blocking(new_user(2), other);
    ASSERT_TRUE(other_answer.valid()) << "another key is decided while the first is appended";
    EXPECT_FALSE(try_without_blocking(command, first).has_value()) << "the retry declines";

    held->commit();
    held.reset();
    const auto outcome = first_answer.get_future().get();
    ASSERT_TRUE(outcome.ok()) << outcome.error().detail;
    ASSERT_TRUE(other_answer.get().ok());
    const auto events = events_in_log();
    const auto replayed = answer_decided_without_blocking(command, first);
    ASSERT_TRUE(replayed.ok()) << replayed.error().detail;
    EXPECT_TRUE(replayed->replayed);
    EXPECT_EQ(replayed->id, outcome->id) << "the first command's answer";
    EXPECT_EQ(events_in_log(), events) << "nothing appended again";
}

}  // namespace
}  // namespace cc::command
