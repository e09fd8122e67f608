// The care tables as the projector writes them: events made by the real
// deciders (so their shape is what the command service appends), through the
// PostgreSQL log, into the documented tables with one audit row per event.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <limits>
#include <pqxx/pqxx>

#include "command-service/aggregate/commands.hpp"
#include "command-service/documents/upload.hpp"
#include "command-service/write_model.hpp"
#include "model/aggregates/appointments.hpp"
#include "model/aggregates/care.hpp"
#include "model/aggregates/care_plans.hpp"
#include "model/aggregates/clinical.hpp"
#include "model/aggregates/compliance.hpp"
#include "model/aggregates/documents.hpp"
#include "model/aggregates/features.hpp"
#include "model/aggregates/identity.hpp"
#include "model/aggregates/invoices.hpp"
#include "model/aggregates/medications.hpp"
#include "model/aggregates/tasks.hpp"
#include "model/description.hpp"
#include "platform/blob/blob_store.hpp"
#include "platform/core/hash.hpp"
#include "platform/eventlog/factory.hpp"
#include "projector/projector.hpp"
#include "query-service/aggregate/described_resource.hpp"
#include "query-service/history.hpp"
#include "query-service/resource.hpp"
#include "tests/support/catch_up.hpp"
#include "tests/support/envelopes.hpp"
#include "tests/support/postgres_server.hpp"

namespace cc::projector {
namespace {

using namespace std::chrono_literals;
constexpr int kPartitions = 2;

class CareProjectionTest : public ::testing::Test {
  protected:
    void SetUp() override {
        url_ = testing::postgres().create_database("care_projection");
        config_.postgres = {url_, kPartitions};
        writer_ = eventlog::open_writer(config_);
        // The identity rows the care rows refer to, as the identity core files them.
        record(identity_event(model::kTenant.created, model::kTenant.name, tenant_.uuid(), tenant_,
                              {{"name", "Care"}, {"slug", "care-" + tenant_.to_string()}}));
        for (const auto& user : {author_, carer_user_}) {
            record(identity_event(
                model::kUser.created, model::kUser.name, user.uuid(), kPlatformTenant,
                {{"email", user.to_string() + "@care.example.org"}, {"name", "Staff"}}));
            record(identity_event(model::kMembership.created, model::kMembership.name,
                                  Uuid::random_v4(), tenant_,
                                  {{"user_id", user.to_string()}, {"role", "manager"}}));
        }
        patient_ = create(model::kPatient, R"({"first_name":"Ada","last_name":"Lovelace"})");
        carer_ = create(model::kCareProfessional,
                        R"({"first_name":"Mary","last_name":"Seacole","role":"Nurse"})");
    }

    // The identity core's events (no described decider here) at version 1.
    static events::Envelope identity_event(std::string_view type, std::string_view aggregate,
                                           const Uuid& id, const TenantId& tenant,
                                           boost::json::object payload) {
        return testing::envelope_of(type, aggregate, id, tenant, 1, std::move(payload));
    }

    // Appends under the command service's key and folds into the write model.
    // The set-up's identity events have no actor: the author's own account is
    // among them, and an audit row names only users that exist.
    void record(events::Envelope e) {
        e.request.ip = "10.9.8.7";
        e.request.user_agent = "care-projection-test";
        const auto key =
            e.tenant_id == kPlatformTenant ? e.aggregate_id.to_string() : e.tenant_id.to_string();
        eventlog::OutgoingRecord out{key, events::serialize(e), {}};
        const auto partition = eventlog::partition_for(key, kPartitions);
        const auto appended = writer_->append(partition, {&out, 1});
        ASSERT_TRUE(appended.ok());
        model_.apply(e, eventlog::Position{partition, offset_++});
        recorded_.emplace_back(e.event_id.to_string(), e.aggregate_id.to_string());
    }
    void record(const Result<domain::Decision>& decision) {
        ASSERT_TRUE(decision.ok()) << decision.error().detail;
        ASSERT_FALSE(decision->events.empty());
        for (const auto& pending : decision->events) {
            auto e = testing::envelope_of(pending);
            e.actor = author_;
            ++by_author_;
            record(std::move(e));
        }
    }

    aggregate::Target target(const model::Aggregate& a, const Uuid& id) const {
        return {&a, tenant_, id, author_, now_};
    }
    std::string create(const model::Aggregate& a, const std::string& body) {
        const auto id = Uuid::random_v4();
        record(aggregate::decide(model_, aggregate::Create{target(a, id), body_of(body)}));
        return id.to_string();
    }
    // A document as the upload route files it: what the server found out
    // about the bytes (key, type, size) beside the caller's metadata.
    std::string upload(const std::string& bytes, const std::string& declared_type,
                       const std::string& metadata) {
        const documents::UploadRequest request{bytes, declared_type, body_of(metadata)};
        auto file = documents::examine(request, documents::kDefaultMaxBytes);
        EXPECT_TRUE(file.ok()) << file.error().detail;
        const auto id = Uuid::random_v4();
        record(aggregate::decide(
            model_,
            aggregate::Create{target(model::kDocument, id), body_of(metadata),
                              documents::computed_fields(*model::kDocument.upload, *file)}));
        return id.to_string();
    }
    void patch(const model::Aggregate& a, const std::string& id, std::int64_t version,
               const std::string& body) {
        record(aggregate::decide(
            model_, aggregate::Patch{target(a, *Uuid::parse(id)), version, body_of(body)}));
    }
    void act(const model::Aggregate& a, const std::string& id, std::string_view action,
             const std::string& body = "{}") {
        const auto* step = a.action(action);
        ASSERT_NE(step, nullptr) << action;
        record(aggregate::decide(model_, aggregate::Act{target(a, *Uuid::parse(id)), step,
                                                        std::nullopt, body_of(body)}));
    }
    void remove(const model::Aggregate& a, const std::string& id) {
        record(aggregate::decide(model_,
                                 aggregate::Delete{target(a, *Uuid::parse(id)), std::nullopt}));
    }
    static json::Body body_of(const std::string& text) {
        auto body = json::parse_body(text);
        EXPECT_TRUE(body.ok()) << text;
        return std::move(*body);
    }

    // Runs the real projector until every partition's checkpoint is at the log's end.
    void project() {
        Projector p(ProjectorOptions{.database_url = url_, .topic = "event_log"});
        auto reader = eventlog::open_reader(
            config_,
            {.group = "projector", .start_offset = [&](int i) { return p.checkpoint(i); }});
        const auto stopped = testing::catch_up(p, *reader);
        ASSERT_TRUE(stopped.empty()) << stopped;
    }

    // One row of `sql` (with $1 = id), each column as text ("" for NULL).
    std::vector<std::string> row(const std::string& sql, const std::string& id) {
        pqxx::connection c(url_);
        pqxx::read_transaction tx(c);
        tx.exec("SET TIME ZONE 'UTC'");
        const auto result = tx.exec_params(sql, id);
        EXPECT_EQ(result.size(), 1u) << sql;
        std::vector<std::string> out;
        if (result.empty()) return out;
        for (const auto& field : result[0]) out.push_back(field.is_null() ? "" : field.c_str());
        return out;
    }
    // The entity's audit trail in the order its events were appended: the
    // action of the audit row whose id is each event's id.
    std::vector<std::string> audit_actions(const std::string& id) {
        pqxx::connection c(url_);
        pqxx::read_transaction tx(c);
        std::vector<std::string> out;
        for (const auto& [event, entity] : recorded_) {
            if (entity != id) continue;
            const auto r = tx.exec_params(
                "SELECT action FROM audit_logs WHERE id = $1::uuid AND entity_id = $2::uuid AND "
                "tenant_id = $3::uuid",
                event, id, tenant_.to_string());
            out.emplace_back(r.empty() ? "(missing)" : r[0][0].c_str());
        }
        return out;
    }
    long events() const { return static_cast<long>(recorded_.size()); }
    boost::json::value audit_details(const std::string& id, const std::string& action) {
        const auto r =
            row("SELECT details::text FROM audit_logs WHERE entity_id = $1::uuid AND action = '" +
                    action + "'",
                id);
        return r.empty() ? boost::json::value() : boost::json::parse(r[0]);
    }
    long count(const std::string& sql) { return testing::scalar(url_, sql); }

    std::string url_;
    eventlog::LogConfig config_;
    std::unique_ptr<eventlog::LogWriter> writer_;
    command::WriteModel model_;
    std::int64_t offset_ = 0;
    std::vector<std::pair<std::string, std::string>> recorded_;  // (event id, aggregate id)
    long by_author_ = 0;  // events the deciders made for author_
    TenantId tenant_ = TenantId::generate();
    UserId author_ = UserId::generate();
    UserId carer_user_ = UserId::generate();
    Timestamp now_ = Timestamp::now();
    std::string patient_, carer_;
};

TEST_F(CareProjectionTest, AppointmentsKeepUtcTimesAndTheirLifecycleInRowAndAuditTrail) {
    const auto visit =
        create(model::kAppointment,
               R"({"patient_id":")" + patient_ + R"(","care_professional_id":")" + carer_ +
                   R"(","start_time":"2031-07-01T09:00:00+01:00",)"
                   R"("end_time":"2031-07-01T10:30:00+01:00","location":"Home"})");
    act(model::kAppointment, visit, "confirm");
    act(model::kAppointment, visit, "reschedule",
        R"({"start_time":"2031-07-02T14:00:00Z","end_time":"2031-07-02T15:00:00Z"})");
    patch(model::kAppointment, visit, 3, R"({"notes":"Key safe 1234"})");
    act(model::kAppointment, visit, "cancel", R"({"reason":"Patient in hospital"})");
    project();

    EXPECT_EQ(
        row("SELECT status, start_time::text, end_time::text, location, notes, "
            "patient_id::text, care_professional_id::text, deleted_at::text "
            "FROM appointments WHERE id = $1::uuid",
            visit),
        (std::vector<std::string>{"cancelled", "2031-07-02 14:00:00+00", "2031-07-02 15:00:00+00",
                                  "Home", "Key safe 1234", patient_, carer_, ""}));
    EXPECT_EQ(audit_actions(visit),
              (std::vector<std::string>{"AppointmentScheduled", "AppointmentConfirmed",
                                        "AppointmentRescheduled", "AppointmentUpdated",
                                        "AppointmentCancelled"}));
    const auto cancelled = audit_details(visit, "AppointmentCancelled");
    EXPECT_EQ(cancelled.at("changes").at("reason").at("new"), "Patient in hospital")
        << "a reason is in no column, but the audit row keeps it: " << cancelled;
    const auto updated = audit_details(visit, "AppointmentUpdated");
    EXPECT_TRUE(updated.at("changes").at("notes").at("old").is_null()) << updated;
    EXPECT_EQ(updated.at("changes").at("notes").at("new"), "Key safe 1234");
    EXPECT_EQ(row("SELECT version::text FROM entity_versions WHERE entity_id = $1::uuid", visit),
              std::vector<std::string>{"5"});
}

TEST_F(CareProjectionTest, CarePlansMoveThroughTheirStatesAndSoftDelete) {
    const auto plan = create(model::kCarePlan, R"({"patient_id":")" + patient_ +
                                                   R"(","title":"Falls","start_date":"2031-07-01",)"
                                                   R"("end_date":"2031-12-31"})");
    act(model::kCarePlan, plan, "activate");
    patch(model::kCarePlan, plan, 2, R"({"title":"Falls prevention"})");
    act(model::kCarePlan, plan, "review");
    project();
    EXPECT_EQ(row("SELECT status, title, start_date::text, end_date::text, created_by::text "
                  "FROM care_plans WHERE id = $1::uuid",
                  plan),
              (std::vector<std::string>{"under_review", "Falls prevention", "2031-07-01",
                                        "2031-12-31", author_.to_string()}));
    const auto updated = audit_details(plan, "CarePlanUpdated");
    EXPECT_EQ(updated.at("changes").at("title").at("old"), "Falls") << updated;

    remove(model::kCarePlan, plan);
    project();
    EXPECT_EQ(count("SELECT count(*) FROM care_plans WHERE deleted_at IS NOT NULL AND status = "
                    "'under_review'"),
              1)
        << "a soft delete keeps the row and its state";
    EXPECT_EQ(audit_actions(plan).size(), 5u);
}

TEST_F(CareProjectionTest, DiscontinuingAMedicationEndsItTodayAndKeepsTheReason) {
    const auto medication =
        create(model::kMedication, R"({"patient_id":")" + patient_ +
                                       R"(","name":"Metformin","dosage":"500 mg",)"
                                       R"("frequency":"twice daily","start_date":"2026-01-05"})");
    act(model::kMedication, medication, "discontinue", R"({"reason":"Side effects"})");
    project();
    const auto today = now_.to_string().substr(0, 10);
    EXPECT_EQ(
        row("SELECT name, dosage, frequency, start_date::text, end_date::text "
            "FROM medications WHERE id = $1::uuid",
            medication),
        (std::vector<std::string>{"Metformin", "500 mg", "twice daily", "2026-01-05", today}));
    const auto discontinued = audit_details(medication, "MedicationDiscontinued");
    EXPECT_EQ(discontinued.at("changes").at("reason").at("new"), "Side effects") << discontinued;
    EXPECT_EQ(discontinued.at("changes").at("end_date").at("new"), boost::json::value(today))
        << discontinued;
}

TEST_F(CareProjectionTest, TasksRecordTheirCreatorAssigneeAndSteps) {
    const auto task = create(model::kTask, R"({"title":"Order pads","patient_id":")" + patient_ +
                                               R"(","due_date":"2031-07-01T17:00:00+02:00"})");
    act(model::kTask, task, "assign", R"({"assigned_to":")" + carer_user_.to_string() + "\"}");
    act(model::kTask, task, "start");
    act(model::kTask, task, "complete");
    project();
    EXPECT_EQ(row("SELECT status, priority, due_date::text, assigned_to::text, created_by::text, "
                  "patient_id::text FROM tasks WHERE id = $1::uuid",
                  task),
              (std::vector<std::string>{"done", "normal", "2031-07-01 15:00:00+00",
                                        carer_user_.to_string(), author_.to_string(), patient_}));
    EXPECT_EQ(audit_actions(task), (std::vector<std::string>{"TaskCreated", "TaskAssigned",
                                                             "TaskStarted", "TaskCompleted"}));
}

TEST_F(CareProjectionTest, EveryEventHasExactlyOneAuditRowAttributedToItsActor) {
    const auto plan =
        create(model::kCarePlan, R"({"patient_id":")" + patient_ +
                                     R"(","title":"Nutrition","start_date":"2031-01-01"})");
    act(model::kCarePlan, plan, "activate");
    create(model::kTask, R"({"title":"Weigh weekly"})");
    project();
    EXPECT_EQ(count("SELECT count(*) FROM audit_logs"), events());
    std::string ids;
    for (const auto& [event, entity] : recorded_) ids += (ids.empty() ? "'" : ",'") + event + "'";
    EXPECT_EQ(count("SELECT count(*) FROM audit_logs WHERE id IN (" + ids + ")"), events())
        << "each audit row's id is its event's id";
    EXPECT_EQ(count("SELECT count(*) FROM audit_logs WHERE user_id = '" + author_.to_string() +
                    "' AND ip_address = '10.9.8.7' AND user_agent = 'care-projection-test'"),
              by_author_);
    EXPECT_EQ(by_author_, 5) << "patient, professional, plan, its activation and the task";
    EXPECT_EQ(count("SELECT count(*) FROM dead_letters"), 0);
}

TEST_F(CareProjectionTest, ANoteEnteredInErrorLeavesListsAndItsHistoryReadsFromTheAuditTrail) {
    const auto category = create(model::kClinicalNoteCategory, R"({"name":"Skin"})");
    const auto note =
        create(model::kClinicalNote, R"({"patient_id":")" + patient_ +
                                         R"(","care_professional_id":")" + carer_ +
                                         R"(","note_date":"2026-01-01T09:00:00+01:00",)"
                                         R"("content":"Red heel","category_id":")" +
                                         category + "\"}");
    act(model::kClinicalNote, note, "amend", R"({"content":"Red left heel","reason":"which"})");
    act(model::kClinicalNote, note, "entered-in-error", R"({"reason":"wrong patient"})");
    remove(model::kClinicalNoteCategory, category);
    project();
    EXPECT_EQ(row("SELECT content, note_date::text, category_id::text, care_professional_id::text, "
                  "deleted_at IS NOT NULL FROM clinical_notes WHERE id = $1::uuid",
                  note),
              (std::vector<std::string>{"Red left heel", "2026-01-01 08:00:00+00", category, carer_,
                                        "t"}));
    EXPECT_EQ(audit_actions(note),
              (std::vector<std::string>{"ClinicalNoteWritten", "ClinicalNoteAmended",
                                        "ClinicalNoteEnteredInError"}));
    const auto amended = audit_details(note, "ClinicalNoteAmended");
    EXPECT_EQ(amended.at("changes").at("content").at("old"), "Red heel") << amended;

    // The query service's history: the same statement and fold, on these rows.
    pqxx::connection c(url_);
    pqxx::read_transaction tx(c);
    const auto statement =
        query::history_statement(model::kClinicalNote, tenant_.to_string(), note);
    std::vector<query::AuditRow> rows;
    for (const auto& r :
         tx.exec_params(statement.sql, pqxx::prepare::make_dynamic_params(statement.params))) {
        rows.push_back({r[0].is_null() ? std::nullopt : std::optional<std::string>(r[0].c_str()),
                        r[1].c_str(), r[2].c_str()});
    }
    auto body = query::history_body(model::kClinicalNote, rows);
    ASSERT_TRUE(body.ok());
    const auto versions = boost::json::parse(*body).at("items").as_array();
    ASSERT_EQ(versions.size(), 3u) << *body;
    EXPECT_EQ(versions[1].at("values").at("content"), "Red left heel");
    EXPECT_EQ(versions[1].at("values").at("note_date"), "2026-01-01T08:00:00.000000Z")
        << "as the event carries it: UTC, to the microsecond";
    EXPECT_EQ(versions[1].at("recorded_by"), boost::json::value(author_.to_string()));
    EXPECT_EQ(versions[2].at("reason"), "wrong patient");
}

TEST_F(CareProjectionTest, RiskAssessmentReviewsRestateLevelAndDates) {
    const auto risk = create(model::kRiskAssessment,
                             R"({"title":"Hoist","description":"Transfers","risk_level":"high",)"
                             R"("mitigation_steps":"Two carers","assessment_date":"2026-01-01"})");
    act(model::kRiskAssessment, risk, "review",
        R"({"assessment_date":"2026-02-01","risk_level":"medium","next_review_date":"2026-08-01"})");
    project();
    EXPECT_EQ(
        row("SELECT risk_level, mitigation_steps, assessment_date::text, "
            "next_review_date::text, conducted_by::text FROM risk_assessments "
            "WHERE id = $1::uuid",
            risk),
        (std::vector<std::string>{"medium", "", "2026-02-01", "2026-08-01", author_.to_string()}))
        << "a review restates the mitigation steps";
}

// The label's column is policies.version; events, audit rows and reads
// call it policy_version, beside the entity version.
TEST_F(CareProjectionTest, APolicysLabelIsWrittenToItsColumnAndReadUnderItsApiName) {
    const auto first =
        create(model::kPolicy, R"({"title":"Safeguarding","content":"v1","policy_version":"1.0",)"
                               R"("effective_date":"2026-01-01"})");
    patch(model::kPolicy, first, 1,
          R"({"content":"v2","policy_version":"2.0","effective_date":"2026-06-01"})");
    const auto lone =
        create(model::kPolicy, R"({"title":"Lone working","content":"x","policy_version":"1",)"
                               R"("effective_date":"2026-03-01"})");
    const auto older =
        create(model::kPolicy, R"({"title":"Lone working","content":"y","policy_version":"0.9",)"
                               R"("effective_date":"2026-02-01"})");
    project();
    EXPECT_EQ(count("SELECT count(*) FROM dead_letters"), 0);
    EXPECT_EQ(
        row("SELECT p.version, content, effective_date::text, v.version::text FROM policies p "
            "JOIN entity_versions v ON v.entity_id = p.id WHERE p.id = $1::uuid",
            first),
        (std::vector<std::string>{"2.0", "v2", "2026-06-01", "2"}));
    const auto revised = audit_details(first, "PolicyRevised");
    EXPECT_EQ(revised.at("changes").at("policy_version"),
              (boost::json::value{{"old", "1.0"}, {"new", "2.0"}}))
        << revised;

    // The read SQL, with the description's effective_on condition, on these rows.
    const query::Column columns[] = {{"id"}, {"version", query::Render::plain, "policy_version"}};
    const auto& on = model::kPolicy.filters[1];
    const query::Filter filters[] = {{.parameter = on.parameter,
                                      .column = on.field,
                                      .cast = "date",
                                      .op = "on",
                                      .when_true = on.when_true}};
    const query::Resource policies{.entity_type = "policy",
                                   .table = "policies",
                                   .columns = columns,
                                   .tenant_column = "tenant_id",
                                   .filters = filters,
                                   .sort_column = "effective_date",
                                   .sort_cast = "date"};
    pqxx::connection c(url_);
    pqxx::read_transaction tx(c);
    const auto rows = [&](const pg::Statement& s) {
        std::vector<boost::json::value> out;
        for (const auto& r : tx.exec_params(s.sql, pqxx::prepare::make_dynamic_params(s.params)))
            out.push_back(boost::json::parse(r[0].c_str()));
        return out;
    };
    const auto item = rows(query::item_statement(policies, tenant_.to_string(), first));
    ASSERT_EQ(item.size(), 1u);
    EXPECT_EQ(item[0].at("policy_version"), "2.0");
    EXPECT_EQ(item[0].at("version"), 2);
    const auto in_force = [&](const std::string& day) {
        query::ListRequest request;
        request.tenant_id = tenant_.to_string();
        request.filters = {{"effective_on", day}};
        std::vector<std::string> ids;
        for (const auto& r : rows(query::list_statement(policies, request)))
            ids.emplace_back(r.at("id").as_string());
        return ids;
    };
    EXPECT_EQ(in_force("2026-02-15"), std::vector<std::string>{older});
    EXPECT_EQ(in_force("2026-03-01"), std::vector<std::string>{lone}) << "1 replaces 0.9";
    EXPECT_EQ(in_force("2026-06-01"), (std::vector<std::string>{lone, first}));
}

TEST_F(CareProjectionTest, InvoicesKeepExactAmountsTheirNumberAndPayment) {
    const auto invoice =
        create(model::kInvoice, R"({"patient_id":")" + patient_ +
                                    R"(","amount":"1234.50","issue_date":"2026-01-02",)"
                                    R"("due_date":"2026-02-01"})");
    act(model::kInvoice, invoice, "issue");
    act(model::kInvoice, invoice, "pay", R"({"paid_date":"2026-01-20"})");
    project();
    EXPECT_EQ(row("SELECT status, amount::text, invoice_number, paid_date::text "
                  "FROM invoices WHERE id = $1::uuid",
                  invoice),
              (std::vector<std::string>{"paid", "1234.50", "INV-000001", "2026-01-20"}));
    EXPECT_EQ(audit_actions(invoice),
              (std::vector<std::string>{"InvoiceRaised", "InvoiceIssued", "InvoicePaid"}));
}

// A document's row holds the server's findings about its bytes and the
// caller's metadata; its tags are a text[] that the query service's tag
// filter reads through the GIN index, live documents only.
TEST_F(CareProjectionTest, DocumentsKeepTheirFileTheirTagsAndAnAuditRowPerEvent) {
    const std::string letter = "%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n";
    const auto gp_letter = upload(letter, "application/pdf",
                                  R"({"name":"GP letter","patient_id":")" + patient_ +
                                      R"(","category":"post","tags":["gp"]})");
    const auto consent = upload("Consent to share, signed", "text/plain",
                                R"({"name":"Consent","tags":["consent","signed"]})");
    const auto withdrawn =
        upload("An old GP note", "text/plain", R"({"name":"Old note","tags":["gp"]})");
    patch(model::kDocument, gp_letter, 1,
          R"({"category":"correspondence","tags":["gp","signed, dated"]})");
    remove(model::kDocument, withdrawn);
    project();
    EXPECT_EQ(count("SELECT count(*) FROM dead_letters"), 0);

    const auto key = blob::key_for_digest(sha256_hex(letter));
    EXPECT_EQ(row("SELECT name, file_path, file_type, file_size::text, patient_id::text, "
                  "uploaded_by::text, category, tags::text, deleted_at IS NULL "
                  "FROM documents WHERE id = $1::uuid",
                  gp_letter),
              (std::vector<std::string>{"GP letter", key, "pdf", std::to_string(letter.size()),
                                        patient_, author_.to_string(), "correspondence",
                                        R"({gp,"signed, dated"})", "t"}));
    EXPECT_EQ(row("SELECT deleted_at IS NOT NULL, file_path FROM documents WHERE id = $1::uuid",
                  withdrawn),
              (std::vector<std::string>{"t", blob::key_for_digest(sha256_hex("An old GP note"))}))
        << "a soft delete keeps the key: gc must not take the blob";
    EXPECT_EQ(audit_actions(gp_letter),
              (std::vector<std::string>{"DocumentUploaded", "DocumentUpdated"}));
    EXPECT_EQ(audit_actions(withdrawn),
              (std::vector<std::string>{"DocumentUploaded", "DocumentDeleted"}));
    const auto uploaded = audit_details(gp_letter, "DocumentUploaded");
    EXPECT_EQ(uploaded.at("changes").at("file_path").at("new"), boost::json::value(key))
        << uploaded;
    const auto updated = audit_details(gp_letter, "DocumentUpdated");
    EXPECT_EQ(updated.at("changes").at("tags"),
              (boost::json::value{{"old", {"gp"}}, {"new", {"gp", "signed, dated"}}}))
        << updated;

    // The query service's list SQL for ?tag=: live documents holding the whole tag.
    pqxx::connection c(url_);
    pqxx::work tx(c);
    const auto tagged = [&](const std::string& tag) {
        query::ListRequest request;
        request.tenant_id = tenant_.to_string();
        request.filters = {{"tag", tag}};
        const auto s = query::list_statement(query::resource_of(model::kDocument), request);
        std::vector<std::string> ids;
        for (const auto& r : tx.exec_params(s.sql, pqxx::prepare::make_dynamic_params(s.params)))
            ids.emplace_back(boost::json::parse(r[0].c_str()).at("id").as_string());
        std::sort(ids.begin(), ids.end());
        return ids;
    };
    EXPECT_EQ(tagged("gp"), std::vector<std::string>{gp_letter}) << "not the deleted one";
    EXPECT_EQ(tagged("signed, dated"), std::vector<std::string>{gp_letter});
    EXPECT_EQ(tagged("consent"), std::vector<std::string>{consent});
    EXPECT_EQ(tagged("signed"), std::vector<std::string>{consent})
        << "a tag matches whole: \"signed\" is not \"signed, dated\"";

    // The plan the filter gets once a tenant has many documents: the GIN
    // index (rows made here and rolled back, statistics taken on them).
    tx.exec(
        "INSERT INTO documents (tenant_id, name, file_path, file_type, file_size, tags) "
        "SELECT '" +
        tenant_.to_string() +
        "', 'bulk ' || i, 'sha256/00/' || i, 'txt', 1, "
        "ARRAY['bulk-' || (i % 50)] FROM generate_series(1, 5000) AS i");
    tx.exec("ANALYZE documents");
    query::ListRequest request;
    request.tenant_id = tenant_.to_string();
    request.filters = {{"tag", "gp"}};
    const auto s = query::list_statement(query::resource_of(model::kDocument), request);
    std::string plan;
    for (const auto& r :
         tx.exec_params("EXPLAIN " + s.sql, pqxx::prepare::make_dynamic_params(s.params)))
        plan += std::string(r[0].c_str()) + "\n";
    EXPECT_NE(plan.find("idx_documents_tags"), std::string::npos) << plan;
}

// A feature's row has no deleted_at: its deletion removes it, and first the
// tenants' choices of it, while the audit trail keeps every step.
TEST_F(CareProjectionTest, ADeletedFeatureTakesTheTenantsChoicesOfItWithIt) {
    const auto feature = Uuid::random_v4();
    record(aggregate::decide(
        model_, aggregate::Create{{&model::kFeature, kPlatformTenant, feature, author_, now_, true},
                                  body_of(R"({"name":"telehealth"})")}));
    record(aggregate::decide(
        model_, aggregate::Put{target(model::kTenantFeature, Uuid{}), Uuid::random_v4(),
                               "telehealth", std::nullopt, body_of(R"({"is_enabled":false})")}));
    project();
    EXPECT_EQ(count("SELECT count(*) FROM tenant_features WHERE feature_id = '" +
                    feature.to_string() + "' AND NOT is_enabled"),
              1);
    record(aggregate::decide(
        model_, aggregate::Delete{{&model::kFeature, kPlatformTenant, feature, author_, now_, true},
                                  std::nullopt}));
    project();
    EXPECT_EQ(count("SELECT count(*) FROM features WHERE id = '" + feature.to_string() + "'"), 0);
    EXPECT_EQ(count("SELECT count(*) FROM tenant_features"), 0);
    EXPECT_EQ(count("SELECT count(*) FROM audit_logs WHERE action IN ('FeatureCreated', "
                    "'TenantFeatureSet', 'FeatureDeleted')"),
              3);
    EXPECT_EQ(count("SELECT count(*) FROM dead_letters"), 0);
}

// Events on the same rows in one batch (created, updated, stepped through
// their lifecycle, deleted; audit rows reading the old values; a feature
// removed with the tenants' choices of it; a membership revoked and granted
// again) leave exactly the rows, versions and audit rows that applying them
// one at a time leaves.
TEST_F(CareProjectionTest, ABatchLeavesExactlyWhatApplyingItsEventsOneByOneLeaves) {
    // The set-up's events (users in other partitions than their
    // memberships) are projected first, in both databases alike.
    const auto set_up_ends = eventlog::open_ends(config_)->end_offsets();
    ASSERT_TRUE(set_up_ends.ok());
    const auto set_up_events = events();
    patch(model::kPatient, patient_, 1, R"({"phone":"01632960001"})");
    patch(model::kPatient, patient_, 2, R"({"phone":"01632960002","address":"1 High St"})");
    const auto visit =
        create(model::kAppointment,
               R"({"patient_id":")" + patient_ + R"(","care_professional_id":")" + carer_ +
                   R"(","start_time":"2031-07-01T09:00:00+01:00",)"
                   R"("end_time":"2031-07-01T10:30:00+01:00","location":"Home"})");
    act(model::kAppointment, visit, "confirm");
    act(model::kAppointment, visit, "reschedule",
        R"({"start_time":"2031-07-02T14:00:00Z","end_time":"2031-07-02T15:00:00Z"})");
    patch(model::kAppointment, visit, 3, R"({"notes":"Key safe 1234"})");
    act(model::kAppointment, visit, "cancel", R"({"reason":"Patient in hospital"})");
    const auto plan =
        create(model::kCarePlan,
               R"({"patient_id":")" + patient_ + R"(","title":"Falls","start_date":"2031-07-01"})");
    act(model::kCarePlan, plan, "activate");
    patch(model::kCarePlan, plan, 2, R"({"title":"Falls prevention"})");
    act(model::kCarePlan, plan, "review");
    remove(model::kCarePlan, plan);
    const auto category = create(model::kClinicalNoteCategory, R"({"name":"Skin"})");
    const auto note =
        create(model::kClinicalNote, R"({"patient_id":")" + patient_ +
                                         R"(","care_professional_id":")" + carer_ +
                                         R"(","note_date":"2026-01-01T09:00:00+01:00",)"
                                         R"("content":"Red heel","category_id":")" +
                                         category + "\"}");
    act(model::kClinicalNote, note, "amend", R"({"content":"Red left heel","reason":"which"})");
    act(model::kClinicalNote, note, "entered-in-error", R"({"reason":"wrong patient"})");
    remove(model::kClinicalNoteCategory, category);
    const auto invoice =
        create(model::kInvoice, R"({"patient_id":")" + patient_ +
                                    R"(","amount":"99.95","issue_date":"2026-01-02",)"
                                    R"("due_date":"2026-02-01"})");
    act(model::kInvoice, invoice, "issue");
    act(model::kInvoice, invoice, "pay", R"({"paid_date":"2026-01-20"})");
    remove(model::kPatient,
           create(model::kPatient, R"({"first_name":"Brief","last_name":"Stay"})"));
    // A feature's events are filed under its own id: in the tenant's
    // partition here, so that its removal follows the tenant's choice of it
    // in one partition's order.
    auto feature = Uuid::random_v4();
    while (eventlog::partition_for(feature.to_string(), kPartitions) !=
           eventlog::partition_for(tenant_.to_string(), kPartitions)) {
        feature = Uuid::random_v4();
    }
    const aggregate::Target platform{
        &model::kFeature, kPlatformTenant, feature, author_, now_, true};
    record(aggregate::decide(model_,
                             aggregate::Create{platform, body_of(R"({"name":"telehealth"})")}));
    record(aggregate::decide(
        model_, aggregate::Put{target(model::kTenantFeature, Uuid{}), Uuid::random_v4(),
                               "telehealth", std::nullopt, body_of(R"({"is_enabled":false})")}));
    record(aggregate::decide(model_, aggregate::Delete{platform, std::nullopt}));
    // In the tenant's partition: none of the test's events waits for another.
    auto member = UserId::generate();
    while (eventlog::partition_for(member.to_string(), kPartitions) !=
           eventlog::partition_for(tenant_.to_string(), kPartitions)) {
        member = UserId::generate();
    }
    const auto membership = Uuid::random_v4();
    const auto granted = [&](std::int64_t version, const char* role) {
        auto e = identity_event(model::kMembership.created, model::kMembership.name, membership,
                                tenant_, {{"user_id", member.to_string()}, {"role", role}});
        e.aggregate_version = version;
        return e;
    };
    record(identity_event(model::kUser.created, model::kUser.name, member.uuid(), kPlatformTenant,
                          {{"email", member.to_string() + "@care.example.org"}}));
    record(granted(1, "carer"));
    auto revoked = identity_event(model::kMembership.deleted, model::kMembership.name, membership,
                                  tenant_, {{"user_id", member.to_string()}});
    revoked.aggregate_version = 2;
    record(std::move(revoked));
    record(granted(3, "manager"));

    std::map<int, std::vector<eventlog::LogRecord>> log;
    auto reader = eventlog::open_reader(config_, {});
    ASSERT_TRUE(eventlog::read_to_end(*reader, [&](const eventlog::LogRecord& r) {
                    log[r.partition].push_back(r);
                    return Status{};
                }).ok());
    // Each partition from its checkpoint, `batch` records at a time, up to
    // `ends` (none: the log's end), until every partition is through (a
    // membership waits for its user's). Returns the events applied in
    // batches that went through unsplit.
    const auto apply_all = [&](Projector& p, std::size_t batch,
                               const std::vector<std::int64_t>* ends) {
        std::size_t unsplit = 0;
        for (bool moved = true; moved;) {
            moved = false;
            for (const auto& [partition, records] : log) {
                const auto from = p.checkpoint(partition);
                const auto end = ends ? (*ends)[static_cast<std::size_t>(partition)]
                                      : std::numeric_limits<std::int64_t>::max();
                std::vector<eventlog::LogRecord> slice;
                for (const auto& r : records) {
                    if (r.offset >= from && r.offset < end && slice.size() < batch)
                        slice.push_back(r);
                }
                if (slice.empty()) continue;
                const auto result = p.apply_batch(partition, slice);
                EXPECT_EQ(result.dead_lettered, 0u);
                if (!result.split) unsplit += result.applied;
                moved = moved || result.next_offset > from;
            }
        }
        return unsplit;
    };
    const auto one_by_one = testing::postgres().create_database("care_one_by_one");
    const auto batched = testing::postgres().create_database("care_batched");
    Projector first(ProjectorOptions{.database_url = one_by_one, .topic = "event_log"});
    apply_all(first, 1, &*set_up_ends);
    apply_all(first, 1, nullptr);
    Projector second(ProjectorOptions{.database_url = batched, .topic = "event_log"});
    apply_all(second, 100000, &*set_up_ends);
    EXPECT_EQ(apply_all(second, 100000, nullptr),
              static_cast<std::size_t>(events() - set_up_events))
        << "the test's events went through in one batch, unsplit";

    const auto rows = [](const std::string& database, const std::string& sql) {
        pqxx::connection c(database);
        pqxx::read_transaction tx(c);
        std::vector<std::string> out;
        for (const auto& r : tx.exec(sql)) out.emplace_back(r[0].c_str());
        return out;
    };
    // Every column of every row the projector wrote (the platform tenant is
    // the migration's, with its own now()).
    std::vector<std::string> tables{"entity_versions", "audit_logs"};
    for (const auto* a : model::aggregates()) tables.emplace_back(a->table);
    for (const auto& table : tables) {
        const auto sql = "SELECT to_jsonb(t)::text FROM " + table +
                         " t WHERE to_jsonb(t) ->> 'id' " + "IS DISTINCT FROM '" +
                         kPlatformTenant.to_string() + "' ORDER BY 1";
        const auto expected = rows(one_by_one, sql);
        EXPECT_EQ(rows(batched, sql), expected) << table;
        if (table == "audit_logs") {
            EXPECT_EQ(expected.size(), static_cast<std::size_t>(events()));
        }
    }
    const std::string checkpoints =
        "SELECT partition || ':' || next_offset FROM projection_checkpoints ORDER BY 1";
    EXPECT_EQ(rows(batched, checkpoints), rows(one_by_one, checkpoints));
}

}  // namespace
}  // namespace cc::projector
