// Authentication, roles and tenant isolation over HTTP: every endpoint of
// both services against every way a request can be wrong, then the roles
// that may pass. A refused command must append nothing.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <jwt/jwt.hpp>
#include <thread>
#include <tuple>
#include <vector>

#include "tests/support/eventually.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/jwks_server.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/rsa_key.hpp"
#include "tests/support/stack.hpp"

namespace cc::e2e {
namespace {

using namespace std::chrono_literals;
using testing::http_request;
using testing::HttpResponse;

enum class Service { command, query };

struct Endpoint {
    std::string name;
    Service service;
    std::string method;
    std::string path;
    std::string body;
    std::map<std::string, std::string> headers;
};

class AuthMatrix : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        auto& s = stack();
        tenant_a = create(s, "/v1/tenants", R"({"name":"A","slug":"auth-a"})");
        tenant_b = create(s, "/v1/tenants", R"({"name":"B","slug":"auth-b"})");
        const std::map<std::string, std::pair<std::string, std::string>> people{
            {"a_admin", {tenant_a, "admin"}},     {"a_carer", {tenant_a, "carer"}},
            {"a_auditor", {tenant_a, "auditor"}}, {"b_admin", {tenant_b, "admin"}},
            {"spare", {tenant_a, "viewer"}},      {"a_finance", {tenant_a, "finance"}},
        };
        for (const auto& [name, membership] : people) {
            users[name] = create(s, "/v1/users", R"({"email":")" + name + R"(@auth.example.org"})");
            put(s, membership.first, users[name], membership.second);
        }
        users["deleted"] = create(s, "/v1/users", R"({"email":"deleted@auth.example.org"})");
        EXPECT_EQ(
            call(s, Service::command, "DELETE", "/v1/users/" + users["deleted"], "", s.admin_token)
                .status,
            200);
        // The query service checks callers against the projections: wait for them.
        for (const auto& [name, id] : users) {
            if (name == "deleted") continue;
            wait_for(s, "/v1/tenants/" + people.at(name).first + "/members/" + id);
        }
        wait_for_deleted(s, users["deleted"]);
        patient = create(s, "/v1/tenants/" + tenant_a + "/patients",
                         R"({"first_name":"P","last_name":"Q"})");
        professional = create(s, "/v1/tenants/" + tenant_a + "/care-professionals",
                              R"({"first_name":"C","last_name":"P","role":"Nurse"})");
        wait_for(s, "/v1/tenants/" + tenant_a + "/patients/" + patient);
        wait_for(s, "/v1/tenants/" + tenant_a + "/care-professionals/" + professional);
        appointment = create(s, "/v1/tenants/" + tenant_a + "/appointments", visit_body(0));
        plan = create(s, "/v1/tenants/" + tenant_a + "/care-plans", plan_body());
        wait_for(s, "/v1/tenants/" + tenant_a + "/care-plans/" + plan);
        medication =
            create(s, "/v1/tenants/" + tenant_a + "/medications", medication_body("Aspirin"));
        wait_for(s, "/v1/tenants/" + tenant_a + "/medications/" + medication);
        wait_for(s, "/v1/tenants/" + tenant_a + "/appointments/" + appointment);
        task = create(s, "/v1/tenants/" + tenant_a + "/tasks",
                      R"({"title":"Check the hoist","patient_id":")" + patient + "\"}");
        wait_for(s, "/v1/tenants/" + tenant_a + "/tasks/" + task);
        invoice = create(s, "/v1/tenants/" + tenant_a + "/invoices", invoice_body());
        wait_for(s, "/v1/tenants/" + tenant_a + "/invoices/" + invoice);
        const std::string a = "/v1/tenants/" + tenant_a;
        category = create(s, a + "/clinical-note-categories", R"({"name":"General"})");
        wait_for(s, a + "/clinical-note-categories/" + category);
        // Authors and assessors are members: a_admin writes for the care professional.
        const auto admin = "Bearer " + s.token_for(UserId(*Uuid::parse(users["a_admin"])));
        note = id_of(call(s, Service::command, "POST", a + "/clinical-notes", note_body(), admin));
        risk =
            id_of(call(s, Service::command, "POST", a + "/risk-assessments", risk_body(), admin));
        wait_for(s, a + "/clinical-notes/" + note);
        wait_for(s, a + "/risk-assessments/" + risk);
        policy = create(s, a + "/policies", policy_body("1.0"));
        wait_for(s, a + "/policies/" + policy);
        const auto uploaded = call(s, Service::command, "POST",
                                   "/v1/tenants/" + tenant_a +
                                       "/documents?name=Consent&tags=consent&patient_id=" + patient,
                                   "Consent to share records, signed.",
                                   s.token_for_target("/v1/tenants/" + tenant_a + "/documents"),
                                   {{"Content-Type", "text/plain"}});
        EXPECT_EQ(uploaded.status, 201) << uploaded.body;
        document = std::string(uploaded.json().at("id").as_string());
        wait_for(s, "/v1/tenants/" + tenant_a + "/documents/" + document);
    }
    static std::string policy_body(const std::string& label) {
        return R"({"title":"Safeguarding","content":"Report concerns","policy_version":")" + label +
               R"(","effective_date":"2026-01-01"})";
    }
    static std::string invoice_body() {
        return R"({"patient_id":")" + patient +
               R"(","amount":"120.00","issue_date":"2026-01-01","due_date":"2036-01-31"})";
    }
    // A note by the tenant's care professional, which admins may enter for them.
    static std::string note_body() {
        return R"({"patient_id":")" + patient + R"(","care_professional_id":")" + professional +
               R"(","note_date":"2026-01-01T09:00:00Z","content":"Seen","category_id":")" +
               category + "\"}";
    }
    static std::string risk_body() {
        return R"({"title":"Stairs","description":"Steep","risk_level":"low",)"
               R"("assessment_date":"2026-01-01","next_review_date":"2026-02-01"})";
    }
    static std::string medication_body(const std::string& name) {
        return R"({"patient_id":")" + patient + R"(","name":")" + name +
               R"(","dosage":"75 mg","frequency":"daily","start_date":"2026-01-01"})";
    }
    static std::string plan_body() {
        return R"({"patient_id":")" + patient + R"(","title":"Falls","start_date":"2031-07-01"})";
    }
    // A visit of the tenant's care professional to its patient, on day `day` of 2031-07.
    static std::string visit_body(int day) {
        const std::string date =
            "2031-07-" + std::string(day < 9 ? "0" : "") + std::to_string(day + 1);
        return R"({"patient_id":")" + patient + R"(","care_professional_id":")" + professional +
               R"(","start_time":")" + date + R"(T09:00:00Z","end_time":")" + date +
               R"(T10:00:00Z"})";
    }
    static void TearDownTestSuite() { testing::stacks().clear(); }

    static testing::Stack& stack() { return testing::stack_for(eventlog::Backend::postgres); }

    static HttpResponse call(testing::Stack& s, Service service, const std::string& method,
                             const std::string& path, const std::string& body,
                             const std::string& token,
                             std::map<std::string, std::string> headers = {}) {
        if (!token.empty())
            headers["Authorization"] = token.rfind("Bearer", 0) == 0 ? token : "Bearer " + token;
        return http_request(service == Service::command ? s.command_port : s.query_port, method,
                            path, body, headers);
    }
    static std::string create(testing::Stack& s, const std::string& path, const std::string& body) {
        return id_of(call(s, Service::command, "POST", path, body, s.token_for_target(path)));
    }
    static std::string id_of(const HttpResponse& r) {
        EXPECT_EQ(r.status, 201) << r.body;
        return r.status == 201 ? std::string(r.json().at("id").as_string()) : "";
    }
    static void put(testing::Stack& s, const std::string& tenant, const std::string& user,
                    const std::string& role) {
        auto r = call(s, Service::command, "PUT", "/v1/tenants/" + tenant + "/members/" + user,
                      R"({"role":")" + role + "\"}", s.admin_token);
        EXPECT_EQ(r.status, 201) << r.body;
    }
    static void wait_for(testing::Stack& s, const std::string& path) {
        EXPECT_TRUE(testing::eventually([&] {
            return call(s, Service::query, "GET", path, "", s.token_for_target(path)).status == 200;
        })) << "never projected: "
            << path;
    }
    static void wait_for_deleted(testing::Stack& s, const std::string& user) {
        EXPECT_TRUE(testing::eventually([&] {
            return call(s, Service::query, "GET", "/v1/users/" + user, "", s.admin_token).status ==
                   404;
        })) << "deletion never projected";
    }

    std::string token(const std::string& who) {
        return stack().token_for(UserId(*Uuid::parse(users.at(who))));
    }

    // Every endpoint, with ids inside tenant A; bodies that would succeed.
    std::vector<Endpoint> endpoints() {
        const std::string a = "/v1/tenants/" + tenant_a;
        const std::string carer = users.at("a_carer");
        return {
            {"create tenant",
             Service::command,
             "POST",
             "/v1/tenants",
             R"({"name":"N","slug":"auth-new"})",
             {}},
            {"update tenant",
             Service::command,
             "PATCH",
             a,
             R"({"name":"A"})",
             {{"If-Match", "\"1\""}}},
            {"delete tenant", Service::command, "DELETE", a, "", {}},
            {"register user",
             Service::command,
             "POST",
             "/v1/users",
             R"({"email":"new@auth.example.org"})",
             {}},
            {"update user",
             Service::command,
             "PATCH",
             "/v1/users/" + carer,
             R"({"name":"Carer"})",
             {{"If-Match", "\"1\""}}},
            {"delete user", Service::command, "DELETE", "/v1/users/" + carer, "", {}},
            {"grant membership",
             Service::command,
             "PUT",
             a + "/members/" + carer,
             R"({"role":"carer"})",
             {}},
            {"revoke membership", Service::command, "DELETE", a + "/members/" + carer, "", {}},
            {"list tenants", Service::query, "GET", "/v1/tenants", "", {}},
            {"read tenant", Service::query, "GET", a, "", {}},
            {"list users", Service::query, "GET", "/v1/users", "", {}},
            {"read user", Service::query, "GET", "/v1/users/" + carer, "", {}},
            {"list members", Service::query, "GET", a + "/members", "", {}},
            {"read member", Service::query, "GET", a + "/members/" + carer, "", {}},
            {"read audit log", Service::query, "GET", a + "/audit-logs", "", {}},
            {"register patient",
             Service::command,
             "POST",
             a + "/patients",
             R"({"first_name":"N","last_name":"P"})",
             {}},
            {"update patient",
             Service::command,
             "PATCH",
             a + "/patients/" + patient,
             R"({"first_name":"P"})",
             {{"If-Match", "\"1\""}}},
            {"delete patient", Service::command, "DELETE", a + "/patients/" + patient, "", {}},
            {"create care professional",
             Service::command,
             "POST",
             a + "/care-professionals",
             R"({"first_name":"N","last_name":"P","role":"GP"})",
             {}},
            {"update care professional",
             Service::command,
             "PATCH",
             a + "/care-professionals/" + professional,
             R"({"role":"Nurse"})",
             {{"If-Match", "\"1\""}}},
            {"delete care professional",
             Service::command,
             "DELETE",
             a + "/care-professionals/" + professional,
             "",
             {}},
            {"list patients", Service::query, "GET", a + "/patients", "", {}},
            {"read patient", Service::query, "GET", a + "/patients/" + patient, "", {}},
            {"list care professionals", Service::query, "GET", a + "/care-professionals", "", {}},
            {"read care professional",
             Service::query,
             "GET",
             a + "/care-professionals/" + professional,
             "",
             {}},
            {"book appointment", Service::command, "POST", a + "/appointments", visit_body(1), {}},
            {"update appointment",
             Service::command,
             "PATCH",
             a + "/appointments/" + appointment,
             R"({"notes":"ring twice"})",
             {{"If-Match", "\"1\""}}},
            {"confirm appointment",
             Service::command,
             "POST",
             a + "/appointments/" + appointment + "/confirm",
             "",
             {}},
            {"start appointment",
             Service::command,
             "POST",
             a + "/appointments/" + appointment + "/start",
             "",
             {}},
            {"delete appointment",
             Service::command,
             "DELETE",
             a + "/appointments/" + appointment,
             "",
             {}},
            {"list appointments", Service::query, "GET", a + "/appointments", "", {}},
            {"draft care plan", Service::command, "POST", a + "/care-plans", plan_body(), {}},
            {"activate care plan",
             Service::command,
             "POST",
             a + "/care-plans/" + plan + "/activate",
             "",
             {}},
            {"list a patient's care plans",
             Service::query,
             "GET",
             a + "/patients/" + patient + "/care-plans",
             "",
             {}},
            {"read care plan", Service::query, "GET", a + "/care-plans/" + plan, "", {}},
            {"record medication",
             Service::command,
             "POST",
             a + "/medications",
             medication_body("Paracetamol"),
             {}},
            {"discontinue medication",
             Service::command,
             "POST",
             a + "/medications/" + medication + "/discontinue",
             R"({"reason":"review"})",
             {}},
            {"list current medications",
             Service::query,
             "GET",
             a + "/medications?current=true",
             "",
             {}},
            {"read medication", Service::query, "GET", a + "/medications/" + medication, "", {}},
            {"read appointment", Service::query, "GET", a + "/appointments/" + appointment, "", {}},
            {"create task", Service::command, "POST", a + "/tasks", R"({"title":"Call GP"})", {}},
            {"update task",
             Service::command,
             "PATCH",
             a + "/tasks/" + task,
             R"({"priority":"high"})",
             {{"If-Match", "\"1\""}}},
            {"assign task",
             Service::command,
             "POST",
             a + "/tasks/" + task + "/assign",
             R"({"assigned_to":")" + carer + "\"}",
             {}},
            {"delete task", Service::command, "DELETE", a + "/tasks/" + task, "", {}},
            {"list my tasks", Service::query, "GET", a + "/tasks?assigned_to=me", "", {}},
            {"list a patient's tasks",
             Service::query,
             "GET",
             a + "/patients/" + patient + "/tasks",
             "",
             {}},
            {"read task", Service::query, "GET", a + "/tasks/" + task, "", {}},
            {"raise invoice", Service::command, "POST", a + "/invoices", invoice_body(), {}},
            {"update invoice",
             Service::command,
             "PATCH",
             a + "/invoices/" + invoice,
             R"({"notes":"first visit"})",
             {{"If-Match", "\"1\""}}},
            {"issue invoice",
             Service::command,
             "POST",
             a + "/invoices/" + invoice + "/issue",
             "",
             {}},
            {"delete invoice", Service::command, "DELETE", a + "/invoices/" + invoice, "", {}},
            {"list invoices", Service::query, "GET", a + "/invoices?status=draft", "", {}},
            {"summarise invoices", Service::query, "GET", a + "/invoices/summary", "", {}},
            {"list a patient's invoices",
             Service::query,
             "GET",
             a + "/patients/" + patient + "/invoices",
             "",
             {}},
            {"read invoice", Service::query, "GET", a + "/invoices/" + invoice, "", {}},
            {"create note category",
             Service::command,
             "POST",
             a + "/clinical-note-categories",
             R"({"name":"Falls"})",
             {}},
            {"update note category",
             Service::command,
             "PATCH",
             a + "/clinical-note-categories/" + category,
             R"({"description":"Everyday notes"})",
             {{"If-Match", "\"1\""}}},
            {"delete note category",
             Service::command,
             "DELETE",
             a + "/clinical-note-categories/" + category,
             "",
             {}},
            {"list note categories",
             Service::query,
             "GET",
             a + "/clinical-note-categories",
             "",
             {}},
            {"write clinical note",
             Service::command,
             "POST",
             a + "/clinical-notes",
             note_body(),
             {}},
            {"amend clinical note",
             Service::command,
             "POST",
             a + "/clinical-notes/" + note + "/amend",
             R"({"content":"Seen twice","reason":"detail"})",
             {}},
            {"enter clinical note in error",
             Service::command,
             "POST",
             a + "/clinical-notes/" + note + "/entered-in-error",
             R"({"reason":"wrong patient"})",
             {}},
            {"list clinical notes", Service::query, "GET", a + "/clinical-notes", "", {}},
            {"list a patient's clinical notes",
             Service::query,
             "GET",
             a + "/patients/" + patient + "/clinical-notes",
             "",
             {}},
            {"read clinical note", Service::query, "GET", a + "/clinical-notes/" + note, "", {}},
            {"read clinical note history",
             Service::query,
             "GET",
             a + "/clinical-notes/" + note + "/history",
             "",
             {}},
            {"assess risk", Service::command, "POST", a + "/risk-assessments", risk_body(), {}},
            {"review risk assessment",
             Service::command,
             "POST",
             a + "/risk-assessments/" + risk + "/review",
             R"({"assessment_date":"2026-02-01","risk_level":"low",)"
             R"("next_review_date":"2026-08-01"})",
             {}},
            {"list overdue risk assessments",
             Service::query,
             "GET",
             a + "/risk-assessments?review_overdue=true",
             "",
             {}},
            {"read risk assessment",
             Service::query,
             "GET",
             a + "/risk-assessments/" + risk,
             "",
             {}},
            {"read risk assessment history",
             Service::query,
             "GET",
             a + "/risk-assessments/" + risk + "/history",
             "",
             {}},
            {"publish policy", Service::command, "POST", a + "/policies", policy_body("9"), {}},
            {"revise policy",
             Service::command,
             "PATCH",
             a + "/policies/" + policy,
             R"({"content":"New text","policy_version":"2.0"})",
             {{"If-Match", "\"1\""}}},
            {"withdraw policy", Service::command, "DELETE", a + "/policies/" + policy, "", {}},
            {"list policies in force",
             Service::query,
             "GET",
             a + "/policies?effective_on=2026-06-01",
             "",
             {}},
            {"read policy", Service::query, "GET", a + "/policies/" + policy, "", {}},
            {"read policy history",
             Service::query,
             "GET",
             a + "/policies/" + policy + "/history",
             "",
             {}},
            {"upload document",
             Service::command,
             "POST",
             a + "/documents?name=Note&patient_id=" + patient,
             "A plain note.",
             {{"Content-Type", "text/plain"}}},
            {"update document",
             Service::command,
             "PATCH",
             a + "/documents/" + document,
             R"({"category":"consent"})",
             {{"If-Match", "\"1\""}}},
            {"delete document", Service::command, "DELETE", a + "/documents/" + document, "", {}},
            {"list documents", Service::query, "GET", a + "/documents?tag=consent", "", {}},
            {"list a patient's documents",
             Service::query,
             "GET",
             a + "/patients/" + patient + "/documents",
             "",
             {}},
            {"read document", Service::query, "GET", a + "/documents/" + document, "", {}},
            {"download document",
             Service::query,
             "GET",
             a + "/documents/" + document + "/content",
             "",
             {}},
        };
    }

    // Signs claims with a chosen key, to break exactly one property.
    std::string signed_token(const std::string& key, const std::string& sub, const std::string& aud,
                             std::chrono::system_clock::time_point nbf,
                             std::chrono::system_clock::time_point exp) {
        jwt::jwt_object t{jwt::params::algorithm("HS256"), jwt::params::secret(key)};
        t.add_claim("iss", "complexcare").add_claim("aud", aud).add_claim("sub", sub);
        t.add_claim("nbf", nbf).add_claim("exp", exp);
        return t.signature();
    }

    // Requests no endpoint may accept, whoever would otherwise be asking.
    std::vector<std::pair<std::string, std::string>> bad_credentials() {
        const auto now = std::chrono::system_clock::now();
        const auto& secret = stack().auth_config.hs256_secret;
        const auto admin = stack().admin.to_string();
        return {
            {"no token", ""},
            {"malformed", "Bearer not.a.jwt"},
            {"wrong scheme", "Basic " + stack().admin_token},
            {"expired", signed_token(secret, admin, "complexcare-api", now - 2h, now - 1h)},
            {"not yet valid", signed_token(secret, admin, "complexcare-api", now + 1h, now + 2h)},
            {"wrong audience", signed_token(secret, admin, "another-api", now - 1min, now + 1h)},
            {"forged signature", signed_token("a-different-secret-of-sufficient-length", admin,
                                              "complexcare-api", now - 1min, now + 1h)},
            {"unknown user", stack().token_for(UserId::generate())},
            {"deleted user", token("deleted")},
        };
    }

    static inline std::string tenant_a, tenant_b, patient, professional, appointment, plan,
        medication, task, invoice, category, note, risk, policy, document;
    static inline std::map<std::string, std::string> users;
};

TEST_F(AuthMatrix, EveryEndpointRefusesEveryBadCredentialWith401AndAppendsNothing) {
    auto& s = stack();
    const auto before = s.log_size();
    for (const auto& endpoint : endpoints()) {
        for (const auto& [why, credential] : bad_credentials()) {
            const auto r = call(s, endpoint.service, endpoint.method, endpoint.path, endpoint.body,
                                credential, endpoint.headers);
            EXPECT_EQ(r.status, 401) << endpoint.name << " / " << why << ": " << r.body;
            EXPECT_EQ(r.header("content-type"), "application/problem+json")
                << endpoint.name << " / " << why;
            EXPECT_FALSE(r.header("www-authenticate").empty()) << endpoint.name << " / " << why;
        }
    }
    EXPECT_EQ(s.log_size(), before) << "no refused command appended an event";
    EXPECT_EQ(http_request(s.command_port, "GET", "/healthz").status, 200)
        << "health needs no token";
    EXPECT_EQ(http_request(s.query_port, "GET", "/metrics").status, 200) << "metrics need no token";
}

TEST_F(AuthMatrix, OtherTenantsAndInsufficientRolesAreRefusedAndAppendNothing) {
    auto& s = stack();
    // expected status per endpoint, for a member of tenant B and for A's carer.
    const std::map<std::string, std::pair<int, int>> expected{
        {"create tenant", {403, 403}},
        {"update tenant", {404, 403}},
        {"delete tenant", {404, 403}},
        {"register user", {201, 403}},
        {"update user", {404, 200}},
        {"delete user", {404, 403}},
        {"grant membership", {404, 403}},
        {"revoke membership", {404, 403}},
        {"list tenants", {200, 200}},
        {"read tenant", {404, 200}},
        {"list users", {403, 403}},
        {"read user", {404, 200}},
        {"list members", {404, 403}},
        {"read member", {404, 403}},
        {"read audit log", {404, 403}},
        {"register patient", {404, 403}},
        {"update patient", {404, 403}},
        {"delete patient", {404, 403}},
        {"create care professional", {404, 403}},
        {"update care professional", {404, 403}},
        {"delete care professional", {404, 403}},
        {"list patients", {404, 200}},
        {"read patient", {404, 200}},
        {"list care professionals", {404, 200}},
        {"read care professional", {404, 200}},
        // Carers read the rota and mark their visits started; booking is not theirs.
        {"book appointment", {404, 403}},
        {"update appointment", {404, 403}},
        {"confirm appointment", {404, 403}},
        {"start appointment", {404, 200}},
        {"delete appointment", {404, 403}},
        {"list appointments", {404, 200}},
        {"read appointment", {404, 200}},
        {"draft care plan", {404, 403}},
        {"activate care plan", {404, 403}},
        {"list a patient's care plans", {404, 200}},
        {"read care plan", {404, 200}},
        {"record medication", {404, 403}},
        {"discontinue medication", {404, 403}},
        {"list current medications", {404, 200}},
        {"read medication", {404, 200}},
        // Carers keep the team's list moving; deleting a task is not theirs.
        {"create task", {404, 201}},
        {"update task", {404, 200}},
        {"assign task", {404, 200}},
        {"delete task", {404, 403}},
        {"list my tasks", {404, 200}},
        {"list a patient's tasks", {404, 200}},
        {"read task", {404, 200}},
        // Billing is finance's and admins'; carers (and clinicians) do not even read it.
        {"raise invoice", {404, 403}},
        {"update invoice", {404, 403}},
        {"issue invoice", {404, 403}},
        {"delete invoice", {404, 403}},
        {"list invoices", {404, 403}},
        {"summarise invoices", {404, 403}},
        {"list a patient's invoices", {404, 403}},
        {"read invoice", {404, 403}},
        // Categories are kept by admins and managers; a carer linked to no
        // care professional writes no note, nor amends another's.
        {"create note category", {404, 403}},
        {"update note category", {404, 403}},
        {"delete note category", {404, 403}},
        {"list note categories", {404, 200}},
        {"write clinical note", {404, 403}},
        {"amend clinical note", {404, 403}},
        {"enter clinical note in error", {404, 403}},
        {"list clinical notes", {404, 200}},
        {"list a patient's clinical notes", {404, 200}},
        {"read clinical note", {404, 200}},
        {"read clinical note history", {404, 200}},
        {"assess risk", {404, 403}},
        {"review risk assessment", {404, 403}},
        {"list overdue risk assessments", {404, 200}},
        {"read risk assessment", {404, 200}},
        {"read risk assessment history", {404, 200}},
        // Policies are the organisation's: everyone reads them, admins and managers publish.
        {"publish policy", {404, 403}},
        {"revise policy", {404, 403}},
        {"withdraw policy", {404, 403}},
        {"list policies in force", {404, 200}},
        {"read policy", {404, 200}},
        {"read policy history", {404, 200}},
        // Carers read a patient's documents (care instructions, consent); filing
        // and removing them is clinical staff's and managers'.
        {"upload document", {404, 403}},
        {"update document", {404, 403}},
        {"delete document", {404, 403}},
        {"list documents", {404, 200}},
        {"list a patient's documents", {404, 200}},
        {"read document", {404, 200}},
        {"download document", {404, 200}},
    };
    for (const auto& endpoint : endpoints()) {
        if (endpoint.name == "register user")
            continue;  // b_admin may onboard staff: a success, covered below
        const auto [other_tenant, carer] = expected.at(endpoint.name);
        for (const auto& [who, status] :
             {std::pair{"b_admin", other_tenant}, std::pair{"a_carer", carer}}) {
            const auto before = s.log_size();
            const auto r = call(s, endpoint.service, endpoint.method, endpoint.path, endpoint.body,
                                token(who), endpoint.headers);
            EXPECT_EQ(r.status, status) << endpoint.name << " as " << who << ": " << r.body;
            if (r.status >= 400) {
                EXPECT_EQ(s.log_size(), before) << endpoint.name << " as " << who;
            }
        }
    }
    // A tenant's list shows only the caller's tenants.
    auto listed = call(s, Service::query, "GET", "/v1/tenants", "", token("b_admin"));
    ASSERT_EQ(listed.status, 200);
    const auto items = listed.json().at("items").as_array();
    ASSERT_EQ(items.size(), 1u);
    EXPECT_EQ(items[0].at("id").as_string(), tenant_b);
}

// Platform administration is not access to care records: the operator, no
// member of A, gets the 404 of a missing tenant on every endpoint of A's
// records, and appends nothing; A's profile and members stay theirs to keep.
TEST_F(AuthMatrix, APlatformAdministratorWhoIsNoMemberSeesNoCareRecords) {
    auto& s = stack();
    const std::string a = "/v1/tenants/" + tenant_a;
    int records = 0;
    for (const auto& endpoint : endpoints()) {
        if (!endpoint.path.starts_with(a + "/") || endpoint.path.starts_with(a + "/members"))
            continue;
        ++records;
        const auto before = s.log_size();
        const auto r = call(s, endpoint.service, endpoint.method, endpoint.path, endpoint.body,
                            s.admin_token, endpoint.headers);
        EXPECT_EQ(r.status, 404) << endpoint.name << ": " << r.body;
        EXPECT_EQ(r.json().at("detail"), "tenant not found") << endpoint.name;
        EXPECT_EQ(s.log_size(), before) << endpoint.name;
    }
    EXPECT_GE(records, 30) << "every tenant-scoped record endpoint";
    EXPECT_EQ(call(s, Service::query, "GET", a, "", s.admin_token).status, 200);
    EXPECT_EQ(call(s, Service::query, "GET", a + "/members", "", s.admin_token).status, 200);
    EXPECT_EQ(call(s, Service::query, "GET", a + "/features", "", s.admin_token).status, 200);
}

TEST_F(AuthMatrix, PermittedRolesSucceedAndTheirActionsAreAttributed) {
    auto& s = stack();
    const std::string a = "/v1/tenants/" + tenant_a;
    const auto spare = users.at("spare");
    EXPECT_EQ(call(s, Service::command, "PATCH", a, R"({"name":"A"})", token("a_admin"),
                   {{"If-Match", "\"1\""}})
                  .status,
              200);
    EXPECT_EQ(call(s, Service::command, "POST", "/v1/users",
                   R"({"email":"onboarded@auth.example.org"})", token("a_admin"))
                  .status,
              201);
    EXPECT_EQ(call(s, Service::command, "PUT", a + "/members/" + spare, R"({"role":"clinician"})",
                   token("a_admin"))
                  .status,
              200);
    EXPECT_EQ(
        call(s, Service::command, "DELETE", a + "/members/" + spare, "", token("a_admin")).status,
        200);
    for (const auto& path :
         {a + "/members", a + "/members/" + users.at("a_carer"), a + "/audit-logs"}) {
        EXPECT_EQ(call(s, Service::query, "GET", path, "", token("a_auditor")).status, 200) << path;
    }
    EXPECT_EQ(call(s, Service::query, "GET", a, "", token("a_carer")).status, 200);
    EXPECT_EQ(call(s, Service::command, "POST", a + "/patients",
                   R"({"first_name":"By","last_name":"Clinician"})", token("a_admin"))
                  .status,
              201);
    EXPECT_EQ(
        call(s, Service::query, "GET", a + "/patients/" + patient, "", token("a_carer")).status,
        200);
    EXPECT_EQ(call(s, Service::query, "GET", "/v1/users", "", s.admin_token).status, 200);
    // Finance manages invoices; an auditor reads them and changes nothing.
    const auto raised =
        call(s, Service::command, "POST", a + "/invoices", invoice_body(), token("a_finance"));
    ASSERT_EQ(raised.status, 201) << raised.body;
    const std::string raised_id(raised.json().at("id").as_string());
    EXPECT_EQ(call(s, Service::command, "POST", a + "/invoices/" + raised_id + "/issue", "",
                   token("a_finance"))
                  .status,
              200);
    EXPECT_EQ(
        call(s, Service::query, "GET", a + "/invoices/summary", "", token("a_auditor")).status,
        200);
    EXPECT_EQ(call(s, Service::command, "POST", a + "/invoices/" + raised_id + "/void",
                   R"({"reason":"x"})", token("a_auditor"))
                  .status,
              403);
    // Finance reads neither the clinical record nor risk assessments.
    for (const auto& [path, status] : {std::pair{a + "/clinical-notes", 403},
                                       std::pair{a + "/clinical-notes/" + note + "/history", 403},
                                       std::pair{a + "/risk-assessments", 403},
                                       std::pair{a + "/clinical-note-categories", 403}}) {
        EXPECT_EQ(call(s, Service::query, "GET", path, "", token("a_finance")).status, status)
            << path;
    }
    // Policies are everyone's to read, finance's too.
    EXPECT_EQ(call(s, Service::query, "GET", a + "/policies", "", token("a_finance")).status, 200);
    // An admin enters a note for the care professional; the audit row names the admin.
    const auto entered =
        call(s, Service::command, "POST", a + "/clinical-notes", note_body(), token("a_admin"));
    ASSERT_EQ(entered.status, 201) << entered.body;
    const auto entered_audit =
        call(s, Service::query, "GET",
             a + "/audit-logs?entity_id=" + std::string(entered.json().at("id").as_string()) +
                 "&min_position=" + std::string(entered.json().at("position").as_string()),
             "", token("a_auditor"));
    ASSERT_EQ(entered_audit.status, 200);
    EXPECT_EQ(entered_audit.json().at("items").as_array().at(0).at("user_id").as_string(),
              users.at("a_admin"));

    // The revocation is in A's audit trail under a_admin's id.
    HttpResponse audit;
    testing::eventually([&] {
        audit = call(s, Service::query, "GET", a + "/audit-logs?action=MembershipRevoked", "",
                     token("a_auditor"));
        return audit.status == 200 && !audit.json().at("items").as_array().empty();
    });
    const auto audit_json = audit.json();
    ASSERT_FALSE(audit_json.at("items").as_array().empty());
    EXPECT_EQ(audit_json.at("items").as_array()[0].at("user_id").as_string(), users.at("a_admin"));
}

// Issue 14 item 2: a tenant admin cannot learn which user ids exist by
// enrolling them. Only accounts the admin already shares a tenant with (or
// registered, before they belong anywhere) can be enrolled; any other is
// answered exactly as an id that names no one, and nothing is appended.
TEST_F(AuthMatrix, EnrollingAnotherTenantsUserAnswersLikeAMissingIdAndAppendsNothing) {
    auto& s = stack();
    const std::string a = "/v1/tenants/" + tenant_a;
    const std::string b = "/v1/tenants/" + tenant_b;
    const auto enrol = [&](const std::string& tenant, const std::string& user,
                           const std::string& who,
                           const std::string& body = R"({"role":"carer"})") {
        return call(s, Service::command, "PUT", tenant + "/members/" + user, body, who);
    };
    // What a client sees of a refusal, less what names the request itself.
    const auto seen = [](const HttpResponse& r) {
        auto body = r.json().as_object();
        body.erase("instance");
        body.erase("request_id");
        return std::tuple{r.status, r.header("content-type"), boost::json::serialize(body)};
    };
    const auto refused_like_a_missing_id = [&](const std::string& tenant, const std::string& user,
                                               const std::string& who) {
        const auto missing = Uuid::random_v4().to_string();
        for (const auto* body : {R"({"role":"carer"})", R"({"role":"superuser"})", "{}"}) {
            const auto before = s.log_size();
            const auto foreign = enrol(tenant, user, who, body);
            const auto unknown = enrol(tenant, missing, who, body);
            EXPECT_EQ(foreign.status, 404) << body << ": " << foreign.body;
            EXPECT_EQ(foreign.json().at("type"), "urn:complexcare:problem:not-found");
            EXPECT_EQ(seen(foreign), seen(unknown)) << body;
            EXPECT_EQ(s.log_size(), before) << "a refused enrolment appends nothing";
        }
    };
    const auto x = create(s, "/v1/users", R"({"email":"enrol-x@auth.example.org"})");
    put(s, tenant_a, x, "viewer");

    // B's admin shares no tenant with A's viewer.
    refused_like_a_missing_id(b, x, token("b_admin"));
    // A platform administrator enrols anyone.
    EXPECT_EQ(enrol(b, x, s.admin_token).status, 201);

    // A's admin, made admin of a third tenant, enrols A's members there, not B's.
    const auto tenant_c = create(s, "/v1/tenants", R"({"name":"C","slug":"auth-c"})");
    const std::string c = "/v1/tenants/" + tenant_c;
    put(s, tenant_c, users.at("a_admin"), "admin");
    EXPECT_EQ(enrol(c, users.at("a_carer"), token("a_admin")).status, 201);
    refused_like_a_missing_id(c, users.at("b_admin"), token("a_admin"));

    // An admin onboards the account they registered; another tenant's admin cannot.
    const auto onboarded = id_of(call(s, Service::command, "POST", "/v1/users",
                                      R"({"email":"enrol-z@auth.example.org"})", token("b_admin")));
    refused_like_a_missing_id(a, onboarded, token("a_admin"));
    EXPECT_EQ(enrol(b, onboarded, token("b_admin")).status, 201);
    refused_like_a_missing_id(a, onboarded, token("a_admin"));
}

// Issue 14 item 15: a service configured with CC_JWT_JWKS_URL takes RS256
// tokens signed with its provider's published keys, beside the HS256 secret.
TEST_F(AuthMatrix, RsaTokensAreVerifiedWithTheKeysOfTheConfiguredJwksUrl) {
    auto& s = stack();
    const auto key = testing::RsaKey::generate();
    testing::JwksServer provider({key.jwk("provider-1")});
    const int port = testing::free_port();
    const auto reader =
        s.start("query-service/query-service", port,
                {{"CC_JWT_JWKS_URL", provider.url()}, {"CC_JWT_JWKS_REFRESH_SECONDS", "3600"}});
    const auto read = [&](const std::string& token) {
        return http_request(port, "GET", "/v1/users/" + users.at("a_carer"), "",
                            {{"Authorization", "Bearer " + token}});
    };
    const auto carer = UserId(*Uuid::parse(users.at("a_carer")));
    const auto own = read(key.token("provider-1", carer, s.auth_config));
    EXPECT_EQ(own.status, 200) << own.body;
    EXPECT_EQ(read(s.token_for(carer)).status, 200) << "HS256 tokens still pass";
    for (const auto* kid : {"provider-2", "unknown"}) {
        const auto refused = read(key.token(kid, carer, s.auth_config));
        EXPECT_EQ(refused.status, 401) << kid;
        EXPECT_EQ(refused.json().at("type"), "urn:complexcare:problem:token-invalid") << kid;
    }
    EXPECT_EQ(provider.fetches(), 1) << "unknown kids are refused without a fetch each";
}

TEST_F(AuthMatrix, DocumentsAreReadByCareStaffAndNotByFinance) {
    auto& s = stack();
    const std::string content = "/v1/tenants/" + tenant_a + "/documents/" + document + "/content";
    for (const auto* who : {"a_carer", "a_auditor", "a_admin"}) {
        const auto r = call(s, Service::query, "GET", content, "", token(who));
        EXPECT_EQ(r.status, 200) << who << ": " << r.body;
        EXPECT_EQ(r.body, "Consent to share records, signed.") << who;
    }
    const auto before = s.log_size();
    EXPECT_EQ(call(s, Service::query, "GET", content, "", token("a_finance")).status, 403);
    EXPECT_EQ(call(s, Service::query, "GET", "/v1/tenants/" + tenant_a + "/documents", "",
                   token("a_finance"))
                  .status,
              403);
    EXPECT_EQ(call(s, Service::command, "POST", "/v1/tenants/" + tenant_a + "/documents?name=x",
                   "x", token("a_finance"), {{"Content-Type", "text/plain"}})
                  .status,
              403);
    EXPECT_EQ(s.log_size(), before);
}

TEST_F(AuthMatrix, IdsOfAnotherTenantAnswerExactlyLikeMissingOnes) {
    auto& s = stack();
    const std::string b = "/v1/tenants/" + tenant_b;
    const auto b_admin = token("b_admin");
    const auto missing = Uuid::random_v4().to_string();
    // A's member under B's path, and A's ids under B's filters, look like nothing at all.
    for (const auto& path : {b + "/members/" + users.at("a_carer"),
                             b + "/members/" + missing,
                             "/v1/users/" + users.at("a_admin"),
                             "/v1/users/" + missing,
                             "/v1/tenants/" + tenant_a,
                             "/v1/tenants/" + missing,
                             b + "/patients/" + patient,
                             b + "/care-professionals/" + professional,
                             b + "/patients/" + missing,
                             b + "/appointments/" + appointment,
                             b + "/care-plans/" + plan,
                             b + "/medications/" + medication,
                             b + "/tasks/" + task,
                             b + "/tasks/" + missing,
                             b + "/invoices/" + invoice,
                             b + "/invoices/" + missing,
                             b + "/clinical-note-categories/" + category,
                             b + "/clinical-notes/" + note,
                             b + "/clinical-notes/" + note + "/history",
                             b + "/clinical-notes/" + missing + "/history",
                             b + "/risk-assessments/" + risk,
                             b + "/risk-assessments/" + risk + "/history",
                             b + "/policies/" + policy,
                             b + "/policies/" + policy + "/history",
                             b + "/policies/" + missing + "/history",
                             b + "/documents/" + document,
                             b + "/documents/" + document + "/content",
                             b + "/documents/" + missing + "/content"}) {
        const auto r = call(s, Service::query, "GET", path, "", b_admin);
        EXPECT_EQ(r.status, 404) << path;
        EXPECT_EQ(r.json().at("type").as_string(), "urn:complexcare:problem:not-found") << path;
    }
    // Commands on A's ids under B's path: the same 404 as a random id, and nothing appended.
    const std::vector<std::tuple<std::string, std::string, std::string>> commands{
        {"PATCH", b + "/tasks/" + task, R"({"title":"x"})"},
        {"PATCH", b + "/tasks/" + missing, R"({"title":"x"})"},
        {"POST", b + "/tasks/" + task + "/complete", ""},
        {"POST", b + "/appointments/" + appointment + "/cancel", R"({"reason":"x"})"},
        {"POST", b + "/care-plans/" + plan + "/cancel", ""},
        {"POST", b + "/medications/" + medication + "/discontinue", R"({"reason":"x"})"},
        {"DELETE", b + "/patients/" + patient, ""},
        {"DELETE", b + "/tasks/" + task, ""},
        {"PATCH", b + "/invoices/" + invoice, R"({"notes":"x"})"},
        {"POST", b + "/invoices/" + invoice + "/issue", ""},
        {"POST", b + "/invoices/" + invoice + "/void", R"({"reason":"x"})"},
        {"DELETE", b + "/invoices/" + invoice, ""},
        {"POST", b + "/clinical-notes/" + note + "/amend", R"({"content":"x","reason":"y"})"},
        {"POST", b + "/clinical-notes/" + note + "/entered-in-error", R"({"reason":"y"})"},
        {"PATCH", b + "/clinical-note-categories/" + category, R"({"name":"x"})"},
        {"POST", b + "/risk-assessments/" + risk + "/review",
         R"({"assessment_date":"2026-02-01","risk_level":"low","next_review_date":"2026-08-01"})"},
        {"PATCH", b + "/policies/" + policy, R"({"content":"x","policy_version":"x"})"},
        {"DELETE", b + "/policies/" + policy, ""},
        {"PATCH", b + "/documents/" + document, R"({"name":"x"})"},
        {"DELETE", b + "/documents/" + document, ""},
    };
    for (const auto& [method, path, body] : commands) {
        const auto before = s.log_size();
        const auto r =
            call(s, Service::command, method, path, body, b_admin, {{"If-Match", "\"1\""}});
        EXPECT_EQ(r.status, 404) << method << " " << path << ": " << r.body;
        EXPECT_EQ(r.json().at("type").as_string(), "urn:complexcare:problem:not-found") << path;
        EXPECT_EQ(s.log_size(), before) << method << " " << path;
    }
    // A's patient under B's path names no row of B: its nested lists are empty.
    for (const auto& nested : {"/appointments", "/care-plans", "/medications", "/tasks",
                               "/invoices", "/clinical-notes", "/documents"}) {
        const auto r =
            call(s, Service::query, "GET", b + "/patients/" + patient + nested, "", b_admin);
        ASSERT_EQ(r.status, 200) << nested << ": " << r.body;
        EXPECT_TRUE(r.json().at("items").as_array().empty()) << nested;
    }
    auto filtered =
        call(s, Service::query, "GET", b + "/audit-logs?entity_id=" + tenant_a, "", b_admin);
    ASSERT_EQ(filtered.status, 200);
    EXPECT_TRUE(filtered.json().at("items").as_array().empty())
        << "A's history never shows under B";
    auto members = call(s, Service::query, "GET", b + "/members", "", b_admin);
    ASSERT_EQ(members.status, 200);
    const auto members_json = members.json();
    for (const auto& m : members_json.at("items").as_array())
        EXPECT_EQ(m.at("tenant_id").as_string(), tenant_b);
}

}  // namespace
}  // namespace cc::e2e
