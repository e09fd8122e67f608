#include "platform/eventlog/postgres_log.hpp"
#include "platform/eventlog/postgres_log_reads.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <stdexcept>

#include "platform/core/json.hpp"
#include "platform/pg/array_literal.hpp"
#include "platform/pg/prepared.hpp"

namespace cc::eventlog {
namespace {

Error unavailable(const std::string& detail) {
    return Error::make(ErrorKind::unavailable, "log-unavailable", detail);
}

std::string headers_json(const std::vector<Header>& headers) {
    boost::json::array array;
    for (const auto& h : headers)
        array.push_back(boost::json::object{{"key", h.key}, {"value", h.value}});
    return boost::json::serialize(array);
}

std::vector<Header> parse_headers(const std::string& text) {
    std::vector<Header> headers;
    auto parsed = json::parse(text);
    if (!parsed || !parsed->is_array()) return headers;
    for (const auto& item : parsed->as_array()) {
        if (!item.is_object()) continue;
        headers.push_back(Header{json::string_at(item.as_object(), "key").value_or(""),
                                 json::string_at(item.as_object(), "value").value_or("")});
    }
    return headers;
}

// An append as one statement. The records (one array per column, in the
// order given) take, per partition, the offsets after the partition's end,
// which moves past them; the partitions' new ends are returned and each
// notified. The partitions' rows are locked first, all of them, in
// partition order (the count is an InitPlan, done before any row is
// updated): writers of the access stream, many at once, then wait for each
// other instead of deadlocking. A fenced writer's append also needs its
// epoch still to be the writer row's, under FOR SHARE: a newer writer's
// epoch bump waits for this append to commit, and this append sees the
// bump if it came first, and then touches nothing and returns no row.
std::string append_statement(const std::string& table, bool fenced, bool wake_readers) {
    const auto param = [&](int n) { return "$" + std::to_string(n + (fenced ? 1 : 0)); };
    std::string sql =
        "WITH records AS (SELECT r.partition, r.key, r.headers, r.value, row_number() OVER "
        "(PARTITION BY r.partition ORDER BY r.n) AS nth FROM unnest(" +
        param(1) + "::int[], " + param(2) + "::text[], " + param(3) + "::jsonb[], " + param(4) +
        "::text[]) WITH ORDINALITY AS r(partition, key, headers, value, n)), "
        "counts AS (SELECT partition, count(*) AS n FROM records GROUP BY partition), "
        "locked AS (SELECT p.partition FROM " +
        table + "_partitions p WHERE p.partition IN (SELECT partition FROM counts) " +
        "ORDER BY p.partition FOR UPDATE), ";
    if (fenced) {
        sql += "fence AS (SELECT epoch FROM " + table + "_writer WHERE epoch = $1 FOR SHARE), ";
    }
    sql += "moved AS (UPDATE " + table +
           "_partitions p SET next_offset = p.next_offset + c.n FROM counts c" +
           (fenced ? ", fence" : "") +
           " WHERE p.partition = c.partition AND (SELECT count(*) FROM locked) > 0 "
           "RETURNING p.partition, p.next_offset, c.n), "
           "stored AS (INSERT INTO " +
           table +
           " (partition, \"offset\", key, headers, value) SELECT r.partition, "
           "m.next_offset - m.n + r.nth - 1, r.key, r.headers, r.value FROM records r JOIN moved "
           "m ON m.partition = r.partition) "
           "SELECT m.partition, m.next_offset" +
           (wake_readers ? ", pg_notify('" + table + "', m.partition::text)" : std::string()) +
           " FROM moved m";
    return sql;
}

class PostgresLogWriter final : public LogWriter {
  public:
    explicit PostgresLogWriter(const PostgresLogConfig& config)
        : conninfo_(config.conninfo),
          connection_(std::make_unique<pqxx::connection>(conninfo_)),
          partitions_(config.partitions),
          table_(config.table),
          fenced_(config.fenced) {
        if (partitions_ < 1) throw std::invalid_argument("partition count must be at least 1");
        pqxx::work tx(*connection_);
        tx.exec_params("INSERT INTO " + table_ +
                           "_partitions (partition) SELECT generate_series(0, $1 - 1) "
                           "ON CONFLICT DO NOTHING",
                       partitions_);
        const auto count =
            tx.exec("SELECT count(*) FROM " + table_ + "_partitions")[0][0].as<int>();
        if (count != partitions_) {
            throw std::runtime_error("the PostgreSQL log has " + std::to_string(count) +
                                     " partitions but " + std::to_string(partitions_) +
                                     " are configured; the partition count of a log is fixed");
        }
        if (fenced_) {
            epoch_ = tx.exec("INSERT INTO " + table_ +
                             "_writer (singleton, epoch) VALUES (TRUE, 1) "
                             "ON CONFLICT (singleton) DO UPDATE SET epoch = " +
                             table_ + "_writer.epoch + 1 RETURNING epoch")[0][0]
                         .as<std::int64_t>();
        }
        tx.commit();
        append_sql_ = append_statement(table_, fenced_, config.wake_readers);
    }

    int partition_count() const override { return partitions_; }

    Result<std::vector<std::vector<std::int64_t>>> append_all(
        std::span<const PartitionRecords> parts) override {
        std::size_t total = 0;
        for (const auto& part : parts) {
            if (part.partition < 0 || part.partition >= partitions_) {
                return Error::make(ErrorKind::internal, "bad-partition", "no such partition");
            }
            total += part.records.size();
        }
        std::vector<std::vector<std::int64_t>> offsets(parts.size());
        if (total == 0) return offsets;
        pg::ArrayLiteral record_partitions, keys, headers, values;
        for (const auto& part : parts) {
            for (const auto& record : part.records) {
                record_partitions.add(part.partition);
                keys.add(record.key);
                headers.add(headers_json(record.headers));
                values.add(record.value);
            }
        }
        std::vector<std::optional<std::string>> params;
        if (fenced_) params.emplace_back(std::to_string(epoch_));
        params.emplace_back(std::move(record_partitions).take());
        params.emplace_back(std::move(keys).take());
        params.emplace_back(std::move(headers).take());
        params.emplace_back(std::move(values).take());
        std::lock_guard lock(mutex_);
        try {
            if (!connection_) connection_ = std::make_unique<pqxx::connection>(conninfo_);
            // One statement in autocommit: the batch is one round trip and
            // one commit, however many records and partitions it holds.
            const auto moved = pg::run_single(*connection_, statements_, {append_sql_, params});
            // Only a fenced writer's append moves nothing (every partition
            // has its row from the constructor on).
            if (moved.empty()) {
                return Error::make(ErrorKind::unavailable, "writer-fenced",
                                   "a newer writer has opened the log; this writer is fenced");
            }
            // The partitions' ends after the append: each partition's
            // records took the offsets just before, in the order given.
            std::map<int, std::int64_t> next;
            for (const auto& row : moved) next[row[0].as<int>()] = row[1].as<std::int64_t>();
            for (const auto& part : parts) {
                next[part.partition] -= static_cast<std::int64_t>(part.records.size());
            }
            for (std::size_t i = 0; i < parts.size(); ++i) {
                for (std::size_t r = 0; r < parts[i].records.size(); ++r) {
                    offsets[i].push_back(next[parts[i].partition]++);
                }
            }
            return offsets;
        } catch (const pqxx::broken_connection& e) {
            // The statement may have committed before the session broke.
            connection_.reset();
            return unavailable(std::string("append outcome unknown: ") + e.what());
        } catch (const std::exception& e) {
            // A broken session is replaced on the next append.
            if (connection_ && !connection_->is_open()) connection_.reset();
            return unavailable(e.what());
        }
    }

  private:
    std::string conninfo_;
    std::unique_ptr<pqxx::connection> connection_;
    int partitions_;
    std::string table_;
    bool fenced_;
    std::int64_t epoch_ = 0;
    std::string append_sql_;
    pg::PreparedNames statements_{"log_append_", 4};
    std::mutex mutex_;
};

// A partition no append has reached yet has no row: it ends at 0.
std::vector<std::int64_t> end_offsets_of(pqxx::connection_base& connection,
                                         const std::string& table, int partitions) {
    // One statement, one snapshot: no transaction around it (a round trip
    // instead of four; readers ask often).
    pqxx::nontransaction tx(connection);
    std::vector<std::int64_t> ends(static_cast<std::size_t>(partitions), 0);
    for (const auto& row : tx.exec("SELECT partition, next_offset FROM " + table + "_partitions")) {
        const int p = row[0].as<int>();
        if (p >= 0 && p < partitions) ends[static_cast<std::size_t>(p)] = row[1].as<std::int64_t>();
    }
    return ends;
}

class PostgresLogEnds final : public LogEnds {
  public:
    explicit PostgresLogEnds(const PostgresLogConfig& config)
        : conninfo_(config.conninfo), partitions_(config.partitions), table_(config.table) {
        if (partitions_ < 1) throw std::invalid_argument("partition count must be at least 1");
    }

    int partition_count() const override { return partitions_; }

    Result<std::vector<std::int64_t>> end_offsets() override {
        try {
            if (!connection_ || !connection_->is_open()) {
                connection_ = std::make_unique<pqxx::connection>(conninfo_);
            }
            return end_offsets_of(*connection_, table_, partitions_);
        } catch (const std::exception& e) {
            connection_.reset();
            return unavailable(e.what());
        }
    }

  private:
    std::string conninfo_;
    int partitions_;
    std::string table_;
    std::unique_ptr<pqxx::connection> connection_;
};

class Wakeup final : public pqxx::notification_receiver {
  public:
    Wakeup(pqxx::connection_base& connection, const std::string& channel)
        : pqxx::notification_receiver(connection, channel) {}
    void operator()(const std::string&, int) override {}
};

class PostgresLogReader final : public LogReader {
  public:
    PostgresLogReader(const PostgresLogConfig& config, ReaderOptions options)
        : conninfo_(config.conninfo),
          partitions_(config.partitions),
          table_(config.table),
          wake_readers_(config.wake_readers),
          options_(std::move(options)),
          fetch_sql_(postgres_reads::fetch_statement(table_)) {
        if (partitions_ < 1) throw std::invalid_argument("partition count must be at least 1");
        connect();
    }

    int partition_count() const override { return partitions_; }

    Result<std::vector<LogRecord>> poll(std::size_t max_records,
                                        std::chrono::milliseconds timeout) override {
        try {
            if (!connection_ || !connection_->is_open()) connect();
            claim_partitions();
            if (past_the_end_) return *past_the_end_;
            connection_->get_notifs();
            auto records = fetch(max_records);
            if (records.empty() && timeout.count() > 0) {
                const auto ms = timeout.count();
                connection_->await_notification(ms / 1000, (ms % 1000) * 1000);
                claim_partitions();
                records = fetch(max_records);
            }
            return records;
        } catch (const std::exception& e) {
            // Locks held by a broken session are gone: give the partitions up.
            if (connection_ && !connection_->is_open()) {
                connection_.reset();
                if (!options_.group.empty()) next_.clear();
            }
            return unavailable(e.what());
        }
    }

    void seek(int partition, std::int64_t offset) override {
        auto it = next_.find(partition);
        if (it != next_.end()) it->second = offset;
    }

    Result<std::vector<std::int64_t>> end_offsets() override {
        try {
            if (!connection_ || !connection_->is_open()) connect();
            return end_offsets_of(*connection_, table_, partitions_);
        } catch (const std::exception& e) {
            return unavailable(e.what());
        }
    }

    std::map<int, std::int64_t> positions() override { return next_; }

    std::vector<int> owned_partitions() const override {
        std::vector<int> owned;
        for (const auto& [partition, next] : next_) owned.push_back(partition);
        return owned;
    }

  private:
    void connect() {
        wakeup_.reset();
        connection_ = std::make_unique<pqxx::connection>(conninfo_);
        // Before anything runs on it: the plans of its fetch (postgres_log_reads.hpp).
        pqxx::nontransaction(*connection_).exec(std::string(postgres_reads::kSessionSettings));
        if (wake_readers_) wakeup_ = std::make_unique<Wakeup>(*connection_, table_);
        if (options_.group.empty()) {
            std::vector<int> started;
            for (int p = 0; p < partitions_; ++p) {
                if (next_.contains(p)) continue;
                next_[p] = options_.start_offset(p);
                started.push_back(p);
            }
            check_not_past_the_end(started);
        }
        last_claim_ = {};
    }

    // A position past a partition's end is one the log never reached: the
    // log is older than whoever kept the position (a restore of one without
    // the other). Waiting there would skip the records appended before it,
    // so every poll fails instead, as the Kafka reader's do.
    void check_not_past_the_end(const std::vector<int>& started) {
        if (started.empty() || past_the_end_) return;
        const auto ends = end_offsets_of(*connection_, table_, partitions_);
        for (const int p : started) {
            const auto end = ends.at(static_cast<std::size_t>(p));
            if (next_.at(p) <= end) continue;
            past_the_end_ = position_past_end(table_, p, end, next_.at(p));
            return;
        }
    }

    // Group members share partitions through session-level advisory locks:
    // a partition belongs to whoever holds its lock, and a crashed member's
    // locks vanish with its session, so a standby takes over.
    void claim_partitions() {
        if (options_.group.empty() || static_cast<int>(next_.size()) == partitions_) return;
        const auto now = std::chrono::steady_clock::now();
        if (now - last_claim_ < std::chrono::milliseconds(500)) return;
        last_claim_ = now;
        std::vector<int> started;
        {
            pqxx::nontransaction tx(*connection_);
            for (int p = 0; p < partitions_; ++p) {
                if (next_.contains(p)) continue;
                // The stream's name keeps one group's locks on two streams apart.
                const bool got = tx.exec_params("SELECT pg_try_advisory_lock(hashtext($1), $2)",
                                                lock_name(), p)[0][0]
                                     .as<bool>();
                if (!got) continue;
                next_[p] = options_.start_offset(p);
                started.push_back(p);
            }
        }
        check_not_past_the_end(started);
    }

    std::vector<LogRecord> fetch(std::size_t max_records) {
        std::vector<LogRecord> records;
        if (next_.empty()) return records;
        std::vector<int> partitions;
        std::vector<std::int64_t> offsets;
        for (const auto& [partition, next] : next_) {
            partitions.push_back(partition);
            offsets.push_back(next);
        }
        const auto rows = pg::run_single(
            *connection_, statements_,
            {fetch_sql_,
             {pg::array_literal(partitions), pg::array_literal(offsets),
              // Share the batch among partitions so a busy one cannot starve the rest.
              std::to_string((max_records + next_.size() - 1) / next_.size())}});
        for (const auto& row : rows) {
            if (records.size() == max_records) break;
            LogRecord record;
            record.partition = row[0].as<int>();
            record.offset = row[1].as<std::int64_t>();
            record.key = row[2].as<std::string>();
            record.headers = parse_headers(row[3].as<std::string>());
            record.value = row[4].as<std::string>();
            next_[record.partition] = record.offset + 1;
            records.push_back(std::move(record));
        }
        return records;
    }

    // The domain log keeps the lock names it always had.
    std::string lock_name() const {
        return table_ == "event_log" ? options_.group : options_.group + "/" + table_;
    }

    std::string conninfo_;
    int partitions_;
    std::string table_;
    bool wake_readers_;
    ReaderOptions options_;
    std::string fetch_sql_;
    pg::PreparedNames statements_{"log_fetch_", 1};
    std::unique_ptr<pqxx::connection> connection_;
    std::unique_ptr<Wakeup> wakeup_;    // none when appends notify no one
    std::map<int, std::int64_t> next_;  // owned partition -> next offset to deliver
    std::chrono::steady_clock::time_point last_claim_{};
    std::optional<Error> past_the_end_;  // once set, every poll's answer
};

}  // namespace

namespace postgres_reads {

std::string fetch_statement(const std::string& table) {
    return "SELECT l.partition, l.\"offset\", l.key, l.headers::text, l.value "
           "FROM unnest($1::int[], $2::bigint[]) AS c(partition, next_offset) "
           "CROSS JOIN LATERAL (SELECT * FROM " +
           table +
           " e WHERE e.partition = c.partition AND e.\"offset\" >= c.next_offset "
           "ORDER BY e.\"offset\" LIMIT $3) l ORDER BY l.partition, l.\"offset\"";
}

}  // namespace postgres_reads

std::unique_ptr<LogWriter> open_postgres_writer(const PostgresLogConfig& config) {
    return std::make_unique<PostgresLogWriter>(config);
}

std::unique_ptr<LogEnds> open_postgres_ends(const PostgresLogConfig& config) {
    return std::make_unique<PostgresLogEnds>(config);
}

std::unique_ptr<LogReader> open_postgres_reader(const PostgresLogConfig& config,
                                                ReaderOptions options) {
    return std::make_unique<PostgresLogReader>(config, std::move(options));
}

}  // namespace cc::eventlog
