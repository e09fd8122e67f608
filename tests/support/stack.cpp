#include "tests/support/stack.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "tests/support/eventually.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/postgres_server.hpp"

namespace cc::testing {

using eventlog::Backend;

namespace {

// Its own default rather than the others' CC_HTTP_THREADS: a handler
// waits for its batch, so the workers bound how many commands one
// append carries (and concurrency tests line up more than 4).
const std::map<std::string, std::string> kCommandServiceOverrides{{"CC_HTTP_WORKERS", "32"}};

// Waits for a service's /readyz on `port`, then says whose server answered.
enum class Started { its_own, another, not_ready };
Started started(const Process& process, int port) {
    if (!wait_until_ready(port, "/readyz", 30000)) return Started::not_ready;
    return listens_on(process.pid(), port) ? Started::its_own : Started::another;
}

}  // namespace

std::string backend_name(Backend b) {
    return b == Backend::postgres ? "postgres" : "kafka";
}

std::string stack_name(const StackKind& kind) {
    return backend_name(kind.log) + (kind.blobs == BlobBackend::s3 ? "_s3" : "");
}

void PrintTo(const StackKind& kind, std::ostream* out) {
    *out << stack_name(kind);
}

Stack::Stack(StackKind kind, const std::map<std::string, std::string>& settings) {
    const Backend backend = kind.log;
    auth_config.hs256_secret = "e2e-secret-long-enough-for-hs256-signing";
    admin_token = auth::mint_hs256(auth_config, admin, std::chrono::hours(1));
    database_url = postgres().create_database("e2e_" + stack_name(kind));
    log.backend = backend;
    log.postgres = {database_url, 4};
    env = {{"CC_DATABASE_URL", database_url},
           {"CC_LOG_BACKEND", backend_name(backend)},
           {"CC_LOG_PARTITIONS", "4"},
           {"CC_LOG_LEVEL", "warn"},
           {"CC_HTTP_THREADS", "4"},
           {"CC_JWT_SECRET", auth_config.hs256_secret},
           {"CC_PLATFORM_ADMINS", admin.to_string()},
           {"CC_CONSISTENCY_TIMEOUT_MS", "1500"},
           // Sweeps often, so that an overdue test waits on its answer, not a minute.
           {"CC_OVERDUE_INTERVAL_MS", "200"},
           {"CC_CORS_ORIGINS", cors_origins},
           // Small, so the limit's edges are cheap to test.
           {"CC_DOCUMENT_MAX_BYTES", std::to_string(document_max_bytes)}};
    // A blob directory of this stack's own, shared by its command and query services.
    blob_dir = "/tmp/cc-e2e-blobs-" + backend_name(backend) + "-" + std::to_string(::getpid());
    std::filesystem::remove_all(blob_dir);
    env["CC_BLOB_DIR"] = blob_dir;
    // Write-model snapshots of this stack's log only.
    const auto snapshots =
        "/tmp/cc-e2e-snapshots-" + backend_name(backend) + "-" + std::to_string(::getpid());
    std::filesystem::remove_all(snapshots);
    env["CC_SNAPSHOT_DIR"] = snapshots;
    if (kind.blobs == BlobBackend::s3) {
        s3 = std::make_unique<S3Server>();
        for (auto& [name, value] : s3->env()) env[name] = value;
    }
    for (const auto& [name, value] : settings) env[name] = value;
    if (backend == Backend::kafka) {
        cluster = std::make_unique<eventlog::KafkaMockCluster>(1, "complexcare.events", 4);
        log.kafka.bootstrap_servers = cluster->bootstrap_servers();
        env["CC_KAFKA_BOOTSTRAP"] = cluster->bootstrap_servers();
    }
    command = start_on_a_free_port("command-service/command-service", command_port,
                                   kCommandServiceOverrides);
    projector = start_on_a_free_port("projector/projector", projector_port);
    query = start_on_a_free_port("query-service/query-service", query_port);
}

std::unique_ptr<Process> Stack::start_on_a_free_port(
    const std::string& binary, int& port, const std::map<std::string, std::string>& overrides) {
    for (int attempt = 1;; ++attempt) {
        port = free_port();
        auto process = start(binary, port, overrides, false);
        const auto how = started(*process, port);
        // Another's server answered: this one could not bind; on another port.
        if (how == Started::another && attempt < 5) continue;
        EXPECT_EQ(how, Started::its_own)
            << binary
            << (how == Started::another ? ": another process took its port" : " not ready");
        return process;
    }
}

std::unique_ptr<Process> Stack::start(const std::string& binary, int port,
                                      const std::map<std::string, std::string>& overrides,
                                      bool wait_ready) {
    auto service_env = env;
    for (const auto& [name, value] : overrides) service_env[name] = value;
    service_env["CC_HTTP_PORT"] = std::to_string(port);
    // Each service as its own least-privilege database role (migration 0003).
    const auto service = binary.substr(binary.rfind('/') + 1);
    const std::string role = service == "command-service" ? "complexcare_command"
                             : service == "projector"     ? "complexcare_projector"
                                                          : "complexcare_query";
    service_env["CC_DATABASE_URL"] = database_url + " user=" + role;
    auto process =
        std::make_unique<Process>(::cc::testing::binary(binary), service_env, log_file());
    if (wait_ready) {
        const auto how = started(*process, port);
        EXPECT_EQ(how, Started::its_own)
            << binary
            << (how == Started::another ? ": another process answers on port "
                                        : " not ready on port ")
            << port;
    }
    return process;
}

void Stack::start_command_service() {
    command = start("command-service/command-service", command_port, kCommandServiceOverrides);
}

std::int64_t Stack::log_size() {
    auto reader = eventlog::open_reader(log, {});
    auto ends = reader->end_offsets();
    EXPECT_TRUE(ends.ok());
    std::int64_t total = 0;
    for (auto end : *ends) total += end;
    return total;
}

std::string Stack::token_for(const UserId& user, std::chrono::seconds ttl) const {
    return auth::mint_hs256(auth_config, user, ttl);
}

std::optional<UserId> Stack::tenant_admin(const std::string& tenant_id) {
    std::lock_guard lock(tenant_admins_mutex_);
    if (auto it = tenant_admins_.find(tenant_id); it != tenant_admins_.end()) return it->second;
    const std::map<std::string, std::string> as_operator{
        {"Authorization", "Bearer " + admin_token}};
    const auto user =
        http_request(command_port, "POST", "/v1/users",
                     R"({"email":"admin-)" + tenant_id + R"(@tenant.invalid"})", as_operator);
    std::optional<UserId> admin_of;
    if (user.status == 201) {
        const auto id = UserId(*Uuid::parse(std::string(user.json().at("id").as_string())));
        const auto granted = http_request(command_port, "PUT",
                                          "/v1/tenants/" + tenant_id + "/members/" + id.to_string(),
                                          R"({"role":"admin"})", as_operator);
        if (granted.status == 201) {
            const auto position = std::string(granted.json().at("position").as_string());
            const auto token = token_for(id);
            EXPECT_TRUE(eventually([&] {
                return http_request(query_port, "GET",
                                    "/v1/tenants/" + tenant_id + "?min_position=" + position, "",
                                    {{"Authorization", "Bearer " + token}})
                           .status == 200;
            })) << "the tenant admin of "
                << tenant_id << " was never projected";
            admin_of = id;
        }
    }
    tenant_admins_[tenant_id] = admin_of;
    return admin_of;
}

std::string Stack::token_for_target(const std::string& target) {
    constexpr std::string_view prefix = "/v1/tenants/";
    if (!target.starts_with(prefix) || target.size() < prefix.size() + 37 ||
        target[prefix.size() + 36] != '/') {
        return admin_token;
    }
    const auto tenant = target.substr(prefix.size(), 36);
    const auto rest = std::string_view(target).substr(prefix.size() + 37);
    if (!Uuid::parse(tenant) || rest.starts_with("members") || rest.starts_with("features")) {
        return admin_token;
    }
    const auto admin_of = tenant_admin(tenant);
    return admin_of ? token_for(*admin_of) : admin_token;
}

std::filesystem::path Stack::blob_file(const std::string& key) const {
    return s3 ? s3->object_file(key) : std::filesystem::path(blob_dir) / key;
}

std::size_t Stack::stored_blobs() const {
    if (s3) return s3->objects();
    std::size_t count = 0;
    std::error_code ec;
    const auto top = std::filesystem::path(blob_dir) / "sha256";
    if (!std::filesystem::exists(top, ec)) return 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(top))
        if (entry.is_regular_file()) ++count;
    return count;
}

std::map<std::pair<Backend, BlobBackend>, std::unique_ptr<Stack>>& stacks() {
    static std::map<std::pair<Backend, BlobBackend>, std::unique_ptr<Stack>> all;
    return all;
}

Stack& stack_for(const StackKind& kind) {
    auto& s = stacks()[{kind.log, kind.blobs}];
    if (!s) s = std::make_unique<Stack>(kind);
    return *s;
}

}  // namespace cc::testing
