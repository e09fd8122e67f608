// Invoices without I/O: numbering, only drafts change, the lifecycle's date
// rules, and which invoices time has made overdue.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <source_location>

#include "command-service/aggregate/commands.hpp"
#include "command-service/aggregate/invoice_rules.hpp"
#include "command-service/identity/identity.hpp"
#include "command-service/write_model.hpp"
#include "model/aggregates/invoices.hpp"
#include "tests/support/decider_test.hpp"

namespace cc::aggregate {
namespace {

const Timestamp kNow = *Timestamp::parse("2026-11-24T12:00:00Z");

class InvoiceTest : public testing::DeciderTest {
  protected:
    static Target target(const TenantId& t, const Uuid& id, Timestamp now = kNow) {
        return Target{&model::kInvoice, t, id, UserId::generate(), now};
    }
    Result<domain::Decision> raise(const TenantId& t, const std::string& text,
                                   const Uuid& id = Uuid::random_v4()) {
        return testing::checked(decide(model, Create{target(t, id), body(text)}));
    }
    // Raises and folds; the invoice's id.
    Uuid raised(const TenantId& t, const std::string& text) {
        const auto id = Uuid::random_v4();
        fold(raise(t, text, id));
        return id;
    }
    Result<domain::Decision> act(const TenantId& t, const Uuid& id, std::string_view step,
                                 const std::string& text = "{}", Timestamp now = kNow) {
        return testing::checked(decide(model, Act{target(t, id, now), model::kInvoice.action(step),
                                                  std::nullopt, body(text)}));
    }
    std::string number_of(const Result<domain::Decision>& decision) {
        return std::string(decision->events.at(0).payload.at("invoice_number").as_string());
    }
    std::string state_of(const Uuid& id) {
        const auto& store = *model.entities.of("invoice");
        return std::string(store.state_name(store.records().at(id)));
    }
    static constexpr const char* kDraft =
        R"({"amount":"120.50","issue_date":"2026-11-01","due_date":"2026-11-30"})";
};

TEST_F(InvoiceTest, NumbersAreAllocatedPerTenantGaplessAndNeverReused) {
    const auto a = tenant();
    const auto b = tenant();
    EXPECT_EQ(number_of(raise(a, kDraft)), "INV-000001");
    for (int i = 1; i <= 40; ++i) {
        const auto decided = raise(a, kDraft);
        ASSERT_TRUE(decided.ok());
        EXPECT_EQ(number_of(decided), sequence_number(i)) << "consecutive, from the folded state";
        fold(decided);
    }
    EXPECT_EQ(number_of(raise(b, kDraft)), "INV-000001") << "each tenant has its own sequence";
    // A deleted draft keeps its number: the next one is not handed out again.
    const auto last = model.entities.of("invoice")->holder(model::kInvoice.unique.front(), a,
                                                           {{"invoice_number", "INV-000040"}});
    ASSERT_TRUE(last.has_value());
    fold(decide(model, Delete{target(a, *last), std::nullopt}));
    EXPECT_EQ(number_of(raise(a, kDraft)), "INV-000041");
    EXPECT_EQ(sequence_number(1234567), "INV-1234567") << "the width grows past six digits";
}

TEST_F(InvoiceTest, ClientNumbersAreUniquePerTenantAndKeepOutOfTheSequence) {
    const auto t = tenant();
    fold(raise(t, R"({"invoice_number":"ACME/2026/1","amount":1,"issue_date":"2026-11-01",
                      "due_date":"2026-11-01"})"));
    const auto taken = raise(t, R"({"invoice_number":"ACME/2026/1","amount":1,
                                    "issue_date":"2026-11-01","due_date":"2026-11-01"})");
    ASSERT_FALSE(taken.ok());
    EXPECT_EQ(taken.error().kind, ErrorKind::conflict);
    EXPECT_EQ(taken.error().type, "invoice-number-taken");
    for (const auto* reserved : {"INV-000007", "inv-42", "INV-1"}) {
        const auto refused = raise(t, R"({"invoice_number":")" + std::string(reserved) +
                                          R"(","amount":1,"issue_date":"2026-11-01",
                                             "due_date":"2026-11-01"})");
        ASSERT_FALSE(refused.ok()) << reserved;
        EXPECT_EQ(refused.error().fields.at(0).code, "reserved") << reserved;
    }
    EXPECT_TRUE(looks_allocated("INV-000001"));
    EXPECT_FALSE(looks_allocated("INV-"));
    EXPECT_FALSE(looks_allocated("INV-12A"));
    EXPECT_EQ(number_of(raise(t, kDraft)), "INV-000001") << "client numbers leave no gap";
}

TEST_F(InvoiceTest, AmountsAndDatesAreChecked) {
    const auto t = tenant();
    const auto code_of = [&](const std::string& text) {
        const auto decided = raise(t, text);
        return decided.ok() ? std::string("ok") : decided.error().fields.at(0).code;
    };
    const auto with_amount = [](const std::string& amount) {
        return R"({"amount":)" + amount + R"(,"issue_date":"2026-11-01","due_date":"2026-11-30"})";
    };
    EXPECT_EQ(code_of(with_amount("1e2")), "decimal");
    EXPECT_EQ(code_of(with_amount("-0")), "decimal");
    EXPECT_EQ(code_of(with_amount(R"("12.345")")), "decimal");
    EXPECT_EQ(code_of(with_amount(R"("NaN")")), "decimal");
    EXPECT_EQ(code_of(with_amount("100000000")), "decimal");
    EXPECT_EQ(code_of(with_amount("99999999.99")), "ok");
    EXPECT_EQ(code_of(with_amount("0")), "ok");
    EXPECT_EQ(code_of(R"({"amount":1,"issue_date":"2026-11-02","due_date":"2026-11-01"})"),
              "before_issue");
    EXPECT_EQ(code_of(R"({"amount":1,"issue_date":"2026-11-02","due_date":"2026-11-01",
                          "status":"paid"})"),
              "read_only");
    EXPECT_EQ(code_of(R"({"amount":1,"issue_date":"2026-11-01","due_date":"2026-11-01",
                          "paid_date":"2026-11-01"})"),
              "read_only")
        << "paid_date is set by the pay step";
}

TEST_F(InvoiceTest, OnlyDraftsAreEditedOrDeleted) {
    const auto t = tenant();
    const auto id = raised(t, kDraft);
    fold(decide(model, Patch{target(t, id), std::nullopt, body(R"({"notes":"first"})")}));
    const auto due_before_issue =
        decide(model, Patch{target(t, id), std::nullopt, body(R"({"due_date":"2026-10-01"})")});
    ASSERT_FALSE(due_before_issue.ok()) << "the kept issue_date is checked too";
    EXPECT_EQ(due_before_issue.error().fields.at(0).code, "before_issue");
    EXPECT_EQ(decide(model, Patch{target(t, id), std::nullopt, body(R"({"invoice_number":"X-1"})")})
                  .error()
                  .fields.at(0)
                  .code,
              "immutable");
    fold(act(t, id, "issue"));
    EXPECT_EQ(state_of(id), "issued");
    const auto patched =
        decide(model, Patch{target(t, id), std::nullopt, body(R"({"notes":"late"})")});
    ASSERT_FALSE(patched.ok());
    EXPECT_EQ(patched.error().type, "invalid-transition");
    EXPECT_NE(patched.error().detail.find("cannot update an invoice that is issued; allowed now: "
                                          "pay, void"),
              std::string::npos)
        << patched.error().detail;
    const auto deleted = decide(model, Delete{target(t, id), std::nullopt});
    ASSERT_FALSE(deleted.ok());
    EXPECT_EQ(deleted.error().type, "invalid-transition");
    EXPECT_EQ(act(t, id, "issue").error().type, "invalid-transition");
}

TEST_F(InvoiceTest, PaymentDatesAndVoidingFollowTheLifecycle) {
    const auto t = tenant();
    const auto id = raised(t, kDraft);
    EXPECT_EQ(act(t, id, "pay", R"({"paid_date":"2026-11-02"})").error().type, "invalid-transition")
        << "a draft is not paid";
    fold(act(t, id, "issue"));
    EXPECT_EQ(act(t, id, "pay", "{}").error().fields.at(0).code, "required");
    EXPECT_EQ(act(t, id, "pay", R"({"paid_date":"2026-10-31"})").error().fields.at(0).code,
              "before_issue");
    EXPECT_EQ(act(t, id, "pay", R"({"paid_date":"2026-11-25"})").error().fields.at(0).code,
              "in_future");
    const auto paid = act(t, id, "pay", R"({"paid_date":"2026-11-24"})");
    ASSERT_TRUE(paid.ok()) << paid.error().detail;
    EXPECT_EQ(paid->events.at(0).payload.at("paid_date"), "2026-11-24");
    EXPECT_EQ(paid->events.at(0).payload.at("status"), "paid");
    fold(paid);
    EXPECT_EQ(act(t, id, "void", R"({"reason":"x"})").error().type, "invalid-transition");

    const auto other = raised(t, kDraft);
    EXPECT_EQ(act(t, other, "void", "{}").error().fields.at(0).code, "required")
        << "a reason is required";
    fold(act(t, other, "void", R"({"reason":"raised in error"})"));
    EXPECT_EQ(state_of(other), "void");
}

TEST_F(InvoiceTest, WhichInvoicesBecomeOverdueAtATime) {
    const auto t = tenant();
    const auto due = [&](const std::string& due_date) {
        return raised(
            t, R"({"amount":"10.00","issue_date":"2026-11-01","due_date":")" + due_date + "\"}");
    };
    const auto late = due("2026-11-23");
    const auto today = due("2026-11-24");
    const auto draft = due("2026-11-02");
    const auto paid = due("2026-11-02");
    for (const auto& id : {late, today, paid}) fold(act(t, id, "issue"));
    fold(act(t, paid, "pay", R"({"paid_date":"2026-11-03"})"));

    const auto& invoices = *model.entities.of("invoice");
    const auto chosen = due_to_become_overdue(invoices, kNow);
    ASSERT_EQ(chosen.size(), 1u) << "issued and due before today (UTC) only";
    EXPECT_EQ(chosen[0].id, late);
    EXPECT_EQ(chosen[0].tenant, t);
    EXPECT_EQ(chosen[0].version, 2);
    EXPECT_EQ(due_to_become_overdue(invoices, *Timestamp::parse("2026-11-24T23:59:59Z")).size(), 1u)
        << "due today is not overdue until the day ends";
    EXPECT_EQ(due_to_become_overdue(invoices, *Timestamp::parse("2026-11-25T00:00:00Z")).size(),
              2u);
    (void)draft;

    // The step, as the scheduler takes it: once.
    const auto steps = overdue_steps(model, kNow);
    ASSERT_EQ(steps.size(), 1u);
    const auto marked = testing::checked(decide(model, steps[0]));
    ASSERT_TRUE(marked.ok()) << marked.error().detail;
    EXPECT_EQ(marked->events.at(0).event_type, "InvoiceBecameOverdue");
    fold(marked);
    EXPECT_EQ(state_of(late), "overdue");
    const auto again = decide(model, steps[0]);
    ASSERT_FALSE(again.ok()) << "the same step decided twice appends nothing";
    EXPECT_EQ(again.error().kind, ErrorKind::version_mismatch);
    EXPECT_TRUE(overdue_steps(model, kNow).empty());
    // Not before it is due, whoever asks.
    EXPECT_EQ(act(t, today, "mark-overdue").error().type, "not-due");
    // An overdue invoice can still be paid.
    fold(act(t, late, "pay", R"({"paid_date":"2026-11-24"})"));
    EXPECT_EQ(state_of(late), "paid");
}

TEST_F(InvoiceTest, NoMemberMayTakeTheSchedulersStep) {
    const auto t = tenant();
    const auto id = raised(t, kDraft);
    const auto admin = UserId::generate();
    fold(decide(model, identity::register_user(admin, body(R"({"email":"admin@example.org"})"))));
    fold(decide(model, identity::put_membership(t, admin, MembershipId::generate(), std::nullopt,
                                                body(R"({"role":"admin"})"))));
    const auth::Caller caller{admin, false};
    const Act step{target(t, id), model::kInvoice.action("mark-overdue"), std::nullopt, {}};
    const auto refused = authorize(model, caller, step);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().kind, ErrorKind::forbidden);
}

}  // namespace
}  // namespace cc::aggregate
