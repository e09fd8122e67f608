// complexcare: the operator's command line.
//   complexcare migrate [--database-url URL] [--dir DIR]
//   complexcare kafka-mock [--topic T] [--partitions N] [--brokers N]
//   complexcare token --user ID [--ttl 1h] [--platform-admin true]
//   complexcare seed [--command-url URL] [--tenants N] [--patients N] ...
//   complexcare blobs gc [--min-age 1h] [--dry-run true]
//   complexcare log export --out FILE [--stream all|domain|access]
//   complexcare log import --in FILE [--offsets preserve|renumber] [--batch N]
//   complexcare audit verify [--tenant T] [--against-log] [--json] [--projection P]
//   complexcare dead-letters list [--all] | show <id> | retry <id>|--all [--projection NAME]
//   complexcare rebuild [--name N] | replay --as-of T|P --name N
//   complexcare generations list | drop NAME | checksum NAME
#include <algorithm>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <pqxx/connection>
#include <string>

#include "cli/audit_verify.hpp"
#include "cli/blobs.hpp"
#include "cli/dead_letters.hpp"
#include "cli/generations.hpp"
#include "cli/log_transfer.hpp"
#include "cli/progress.hpp"
#include "cli/seed/plan.hpp"
#include "cli/seed/run.hpp"
#include "platform/auth/token.hpp"
#include "platform/blob/store_from_env.hpp"
#include "platform/config/env.hpp"
#include "platform/eventlog/factory.hpp"
#include "platform/eventlog/kafka_log.hpp"
#include "platform/http/server.hpp"
#include "platform/pg/migrator.hpp"

namespace {

constexpr const char* kUsage =
    "usage: complexcare <command> [options]\n"
    "  migrate     apply migrations/*.sql in order (--database-url, --dir)\n"
    "  kafka-mock  host librdkafka's mock Kafka cluster until Ctrl-C and print its\n"
    "              bootstrap servers (--topic, --partitions, --brokers)\n"
    "  token       mint a development token signed with CC_JWT_SECRET\n"
    "              (--user ID, --ttl 1h|30m|3600s, --platform-admin true)\n"
    "  seed        load a demo agency through the command API: carers, patients, a\n"
    "              fortnight of rota, care plans, medications and tasks\n"
    "              (--command-url http://127.0.0.1:8081, --operator ID (default: the first\n"
    "              of CC_PLATFORM_ADMINS), --tenants 1, --carers 20, --patients 50,\n"
    "              --days 14, --tasks 40, --seed 1, --slug demo-care, --connections 8,\n"
    "              --plain true for progress lines instead of a bar); signs with CC_JWT_SECRET\n"
    "  blobs gc    remove the stored files (CC_BLOB_BACKEND: CC_BLOB_DIR or CC_S3_*) that no\n"
    "              document in the log's history names, once older than --min-age (1h;\n"
    "              0s for none);\n"
    "              --dry-run true lists them only\n"
    "  log export  the log in a portable file (--out FILE; --stream all (default: the domain\n"
    "              log and the access stream of reads and refusals), domain or access)\n"
    "  log import  a file from log export into new, empty logs of CC_LOG_BACKEND (--in FILE,\n"
    "              --offsets preserve|renumber, --batch 500); each section to its stream\n"
    "  audit verify  recompute the audit trail's hash chains and report the first broken\n"
    "              link of each (--tenant ID; --against-log also derives every row from its\n"
    "              event or access fact and checks the chain heads the log published; --json;\n"
    "              --projection main); exit 3 when broken. It reads audit_logs, audit_chain,\n"
    "              projection_checkpoints, dead_letters, the log and the access stream: run\n"
    "              it as the owner\n"
    "  dead-letters list [--all]          the events the projection parked (unresolved;\n"
    "                                     --all: resolved too)\n"
    "  dead-letters show <id>             one, with its reason and record\n"
    "  dead-letters retry <id>|--all      apply it (them) now, through this build's\n"
    "                                     projection code, and mark it resolved; one that\n"
    "                                     still fails stays parked (exit 1)\n"
    "              (--projection NAME: CC_PROJECTION or main; CC_DATABASE_URL)\n"
    "  rebuild     replay the whole log into a new projection generation (--name N), with\n"
    "              progress; readers switch to it once it has caught up\n"
    "  replay      --as-of <RFC 3339 time | partition:offset> --name N: the state at that\n"
    "              moment, in a generation of its own that readers never switch to\n"
    "              (auditors read it with ?as_of=N)\n"
    "  generations list | drop NAME | checksum NAME\n";

// --name value pairs; anything else is an error.
bool parse_flags(int argc, char** argv, std::map<std::string, std::string>& flags, int first) {
    for (int i = first; i < argc; i += 2) {
        const std::string name = argv[i];
        if (name.rfind("--", 0) != 0 || i + 1 >= argc) return false;
        flags[name.substr(2)] = argv[i + 1];
    }
    return true;
}

std::string flag(const std::map<std::string, std::string>& flags, const std::string& name,
                 const std::string& fallback) {
    auto it = flags.find(name);
    return it == flags.end() ? fallback : it->second;
}

std::string database_url() {
    return cc::config::env_or("CC_DATABASE_URL",
                              "postgresql://postgres@127.0.0.1:5432/complexcare");
}

int migrate(const std::map<std::string, std::string>& flags) {
    const auto url = flag(flags, "database-url", database_url());
    const auto dir = flag(flags, "dir", cc::config::env_or("CC_MIGRATIONS_DIR", "migrations"));
    auto report = cc::pg::migrate(url, dir);
    if (!report) {
        std::cerr << "migrate: " << report.error().detail << "\n";
        return 1;
    }
    for (const auto& name : report->applied) std::cout << "applied " << name << "\n";
    std::cout << report->applied.size() << " applied, " << report->already_applied.size()
              << " already applied\n";
    return 0;
}

int kafka_mock(const std::map<std::string, std::string>& flags) {
    cc::http::block_shutdown_signals();
    cc::eventlog::KafkaMockCluster cluster(std::stoi(flag(flags, "brokers", "1")),
                                           flag(flags, "topic", "complexcare.events"),
                                           std::stoi(flag(flags, "partitions", "8")));
    // The first line is machine-read by scripts/stack.
    std::cout << cluster.bootstrap_servers() << std::endl;
    cc::http::wait_for_shutdown_signal();
    return 0;
}

// "90s", "30m", "12h", "7d" or plain seconds.
std::chrono::seconds parse_ttl(const std::string& text) {
    std::size_t used = 0;
    const long value = std::stol(text, &used);
    const std::string unit = text.substr(used);
    long factor = 1;
    if (unit == "m")
        factor = 60;
    else if (unit == "h")
        factor = 3600;
    else if (unit == "d")
        factor = 86400;
    else if (!unit.empty() && unit != "s")
        throw std::invalid_argument("--ttl must be like 90s, 30m, 12h or 7d");
    if (value <= 0) throw std::invalid_argument("--ttl must be positive");
    return std::chrono::seconds(value * factor);
}

int token(const std::map<std::string, std::string>& flags) {
    const auto user = cc::UserId::parse(flag(flags, "user", ""));
    if (!user) {
        std::cerr << "token: --user must be a user id (UUID)\n";
        return 2;
    }
    const auto config = cc::auth::AuthConfig::from_env();
    if (config.hs256_secret.empty()) {
        std::cerr << "token: CC_JWT_SECRET is not set\n";
        return 2;
    }
    std::cout << cc::auth::mint_hs256(config, *user, parse_ttl(flag(flags, "ttl", "1h")),
                                      flag(flags, "platform-admin", "false") == "true")
              << "\n";
    return 0;
}

int blobs_gc(const std::map<std::string, std::string>& flags) {
    const auto url = database_url();
    cc::cli::GcOptions options;
    const auto min_age = flag(flags, "min-age", "1h");
    options.min_age =
        min_age == "0" || min_age == "0s" ? std::chrono::seconds(0) : parse_ttl(min_age);
    options.dry_run = flag(flags, "dry-run", "false") == "true";
    const auto blobs = cc::blob::blob_store_from_env();
    auto reader = cc::eventlog::open_reader(cc::eventlog::log_config_from_env(url), {});
    auto report = cc::cli::collect_garbage(*blobs.store, *reader, options);
    if (!report) {
        std::cerr << "blobs gc: " << report.error().detail << "\n";
        return 1;
    }
    for (const auto& blob : report->removed) {
        std::cout << (options.dry_run ? "would remove " : "removed ") << blob.key << " ("
                  << blob.size << " bytes)\n";
    }
    for (const auto& key : report->missing) {
        std::cerr << "blobs gc: missing " << key << " (a document names it)\n";
    }
    std::cout << report->stored << " stored, " << report->referenced << " referenced, "
              << report->removed.size() << (options.dry_run ? " to remove, " : " removed, ")
              << report->young << " unreferenced but younger than --min-age, "
              << report->missing.size() << " missing\n";
    return report->missing.empty() ? 0 : 3;
}

int count_flag(const std::map<std::string, std::string>& flags, const std::string& name,
               int fallback, int most) {
    const auto text = flag(flags, name, std::to_string(fallback));
    std::size_t used = 0;
    const int value = std::stoi(text, &used);
    if (used != text.size() || value < 0 || value > most)
        throw std::invalid_argument("--" + name + " must be a whole number from 0 to " +
                                    std::to_string(most));
    return value;
}

int seed(const std::map<std::string, std::string>& flags) {
    cc::seed::SeedSize size;
    size.tenants = count_flag(flags, "tenants", size.tenants, 500);
    size.carers = count_flag(flags, "carers", size.carers, 10000);
    size.patients = count_flag(flags, "patients", size.patients, 99999);
    size.days = count_flag(flags, "days", size.days, 366);
    size.tasks = count_flag(flags, "tasks", size.tasks, 100000);
    size.seed = static_cast<std::uint32_t>(count_flag(flags, "seed", 1, 1 << 30));
    size.slug = flag(flags, "slug", size.slug);

    cc::seed::RunOptions options;
    options.command_url = flag(flags, "command-url", options.command_url);
    options.connections = count_flag(flags, "connections", options.connections, 256);
    options.auth = cc::auth::AuthConfig::from_env();
    if (options.auth.hs256_secret.empty()) {
        std::cerr
            << "seed: CC_JWT_SECRET is not set (scripts/stack keeps it in .data/jwt-secret)\n";
        return 2;
    }
    auto admins = cc::config::env_or("CC_PLATFORM_ADMINS", "");
    const auto operator_id =
        cc::UserId::parse(flag(flags, "operator", admins.substr(0, admins.find(','))));
    if (!operator_id) {
        std::cerr << "seed: --operator must be a platform administrator's user id\n";
        return 2;
    }
    options.operator_id = *operator_id;

    const auto plan = cc::seed::plan_seed(size, cc::Timestamp::now());
    cc::cli::Progress progress(stderr, plan.size(), flag(flags, "plain", "false") == "true");
    auto report = cc::seed::run(plan, options, progress);
    if (!report) {
        std::cerr << "seed: " << report.error().detail << "\n"
                  << "seed: re-run the same command to go on from where it stopped\n";
        return 1;
    }
    std::printf(
        "seeded %zu commands in %.1f s (%.0f/s; p50 %.1f ms, p99 %.1f ms per command), "
        "%zu of them replayed from an earlier run\n",
        report->commands, report->seconds,
        static_cast<double>(report->commands) / std::max(report->seconds, 1e-9), report->p50_ms,
        report->p99_ms, report->replayed);
    for (int t = 1; t <= size.tenants; ++t) {
        const std::string n = "t" + std::to_string(t) + ":";
        std::printf("tenant %s  admin %s  (complexcare token --user %s)\n",
                    report->ids[n + "tenant"].c_str(), report->ids[n + "user:admin"].c_str(),
                    report->ids[n + "user:admin"].c_str());
    }
    return 0;
}

std::string backend_name(const cc::eventlog::LogConfig& config) {
    return config.backend == cc::eventlog::Backend::kafka ? "kafka" : "postgres";
}

void print_rate(const char* done, const cc::cli::TransferReport& report) {
    const double seconds = report.elapsed.count();
    std::string streams;
    for (const auto& [stream, records] : report.stream_records) {
        streams += (streams.empty() ? " (" : ", ") + stream + " " + std::to_string(records);
    }
    if (!streams.empty()) streams += ")";
    std::printf("%s %lld records%s (%.1f MB) in %.2f s: %.0f records/s\n", done,
                static_cast<long long>(report.records), streams.c_str(),
                static_cast<double>(report.bytes) / 1e6, seconds,
                static_cast<double>(report.records) / std::max(seconds, 1e-9));
}

int log_export(const std::map<std::string, std::string>& flags) {
    const auto out = flag(flags, "out", "");
    const auto stream = flag(flags, "stream", "all");
    if (out.empty() ||
        (stream != "all" && stream != cc::cli::kDomainStream && stream != cc::cli::kAccessStream)) {
        std::cerr << "log export: --out FILE is required; --stream is all, domain or access\n";
        return 2;
    }
    const auto config = cc::eventlog::log_config_from_env(database_url());
    const auto access = config.access_stream();
    std::unique_ptr<cc::eventlog::LogReader> domain_reader;
    std::unique_ptr<cc::eventlog::LogReader> access_reader;
    std::vector<cc::cli::ExportSection> sections;
    if (stream != cc::cli::kAccessStream) {
        domain_reader = cc::eventlog::open_reader(config, {});
        sections.push_back(
            {std::string(cc::cli::kDomainStream), domain_reader.get(), config.topic()});
    }
    if (stream != cc::cli::kDomainStream) {
        access_reader = cc::eventlog::open_reader(access, {});
        sections.push_back(
            {std::string(cc::cli::kAccessStream), access_reader.get(), access.topic()});
    }
    auto report = cc::cli::export_log(sections, backend_name(config), out);
    if (!report) {
        std::cerr << "log export: " << report.error().detail << "\n";
        return 1;
    }
    print_rate(("exported to " + out + ":").c_str(), *report);
    return 0;
}

int log_import(const std::map<std::string, std::string>& flags) {
    const auto in = flag(flags, "in", "");
    const auto offsets = flag(flags, "offsets", "preserve");
    if (in.empty() || (offsets != "preserve" && offsets != "renumber")) {
        std::cerr << "log import: --in FILE is required; --offsets is preserve or renumber\n";
        return 2;
    }
    cc::cli::ImportOptions options;
    options.offsets =
        offsets == "preserve" ? cc::cli::OffsetPolicy::preserve : cc::cli::OffsetPolicy::renumber;
    options.batch = static_cast<std::size_t>(count_flag(flags, "batch", 500, 100000));
    if (options.batch == 0) {
        std::cerr << "log import: --batch must be at least 1\n";
        return 2;
    }
    const auto config = cc::eventlog::log_config_from_env(database_url());
    auto writer = cc::eventlog::open_writer(config);
    auto target = cc::eventlog::open_reader(config, {});
    auto access_writer = cc::eventlog::open_writer(config.access_stream());
    auto access_target = cc::eventlog::open_reader(config.access_stream(), {});
    auto report = cc::cli::import_log(
        in,
        {{std::string(cc::cli::kDomainStream), {writer.get(), target.get()}},
         {std::string(cc::cli::kAccessStream), {access_writer.get(), access_target.get()}}},
        options);
    if (!report) {
        std::cerr << "log import: " << report.error().detail << "\n";
        return 1;
    }
    print_rate(
        ("imported into the " + backend_name(config) + " log " + config.topic() + " and read back:")
            .c_str(),
        *report);
    return 0;
}

}  // namespace

// Flags without values (--against-log, --json) as well as --tenant ID.
int audit_verify(int argc, char** argv) {
    cc::audit::VerifyOptions options;
    bool against_log = false;
    bool json = false;
    for (int i = 3; i < argc; ++i) {
        const std::string name = argv[i];
        if (name == "--against-log") {
            against_log = true;
        } else if (name == "--json") {
            json = true;
        } else if (name == "--tenant" && i + 1 < argc) {
            options.tenant = argv[++i];
        } else if (name == "--projection" && i + 1 < argc) {
            options.projection = argv[++i];
        } else {
            std::cerr << "audit verify: unknown option " << name << "\n" << kUsage;
            return 2;
        }
    }
    pqxx::connection database(database_url());
    const auto config = cc::eventlog::log_config_from_env(database_url());
    options.topic = config.topic();
    options.access_topic = config.access_stream().topic();
    std::unique_ptr<cc::eventlog::LogReader> log;
    std::unique_ptr<cc::eventlog::LogReader> access_log;
    if (against_log) {
        log = cc::eventlog::open_reader(config, {});
        access_log = cc::eventlog::open_reader(config.access_stream(), {});
    }
    const auto report = cc::audit::verify(database, options, log.get(), access_log.get());
    if (!report) {
        std::cerr << "audit verify: " << report.error().detail << "\n";
        return report.error().kind == cc::ErrorKind::malformed ? 2 : 1;
    }
    if (json) {
        std::cout << boost::json::serialize(cc::audit::to_json(*report)) << "\n";
    } else {
        std::cout << cc::audit::to_text(*report);
    }
    return report->intact() ? 0 : 3;
}

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << kUsage;
        return 2;
    }
    const std::string command = argv[1];
    if (command == "audit") {
        if (argc < 3 || std::string(argv[2]) != "verify") {
            std::cerr << kUsage;
            return 2;
        }
        try {
            return audit_verify(argc, argv);
        } catch (const std::exception& e) {
            std::cerr << "audit verify: " << e.what() << "\n";
            return 1;
        }
    }
    if (command == "dead-letters") {
        try {
            return cc::cli::dead_letters(database_url(), {argv + 2, argv + argc});
        } catch (const std::exception& e) {
            std::cerr << command << ": " << e.what() << "\n";
            return 1;
        }
    }
    // "blobs gc" and "log export|import" are commands of two words; the flags follow.
    // "generations drop|checksum NAME" take three.
    const bool two_words = command == "blobs" || command == "log" || command == "generations";
    const std::string second = argc >= 3 ? argv[2] : "";
    const bool known_second = command == "blobs" ? second == "gc"
                              : command == "generations"
                                  ? second == "list" || second == "drop" || second == "checksum"
                                  : second == "export" || second == "import";
    const bool named = command == "generations" && second != "list";
    const int first_flag = named ? 4 : two_words ? 3 : 2;
    std::map<std::string, std::string> flags;
    if ((two_words && !known_second) || (named && argc < 4) ||
        !parse_flags(argc, argv, flags, first_flag)) {
        std::cerr << kUsage;
        return 2;
    }
    try {
        if (command == "migrate") return migrate(flags);
        if (command == "kafka-mock") return kafka_mock(flags);
        if (command == "token") return token(flags);
        if (command == "seed") return seed(flags);
        if (command == "blobs") return blobs_gc(flags);
        if (command == "log") return second == "export" ? log_export(flags) : log_import(flags);
        const cc::cli::GenerationCommand generation{
            database_url(), cc::config::env_or("CC_MIGRATIONS_DIR", "migrations"), flags};
        if (command == "rebuild") return cc::cli::rebuild(generation);
        if (command == "replay") return cc::cli::replay(generation);
        if (command == "generations") {
            if (second == "list") return cc::cli::generations_list(generation);
            if (second == "drop") return cc::cli::generations_drop(generation, argv[3]);
            return cc::cli::generations_checksum(generation, argv[3]);
        }
    } catch (const std::exception& e) {
        std::cerr << command << ": " << e.what() << "\n";
        return 1;
    }
    std::cerr << kUsage;
    return 2;
}
