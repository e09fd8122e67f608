#include "platform/eventlog/postgres_log.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <mutex>
#include <pqxx/pqxx>
#include <stdexcept>

#include "platform/core/json.hpp"

namespace cc::eventlog {
namespace {

// 5 parameters a row, well under PostgreSQL's 65535 per statement.
constexpr std::size_t kRowsPerInsert = 1000;

std::string placeholder(std::size_t n) {
    return "$" + std::to_string(n);
}

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

template <class Container>
std::string pg_array(const Container& values) {
    std::string out = "{";
    for (const auto& v : values) {
        if (out.size() > 1) out += ',';
        out += std::to_string(v);
    }
    return out + "}";
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
    }

    int partition_count() const override { return partitions_; }

    Result<std::vector<std::vector<std::int64_t>>> append_all(
        std::span<const PartitionRecords> parts) override {
        std::vector<std::int64_t> partitions, counts;
        std::size_t total = 0;
        for (const auto& part : parts) {
            if (part.partition < 0 || part.partition >= partitions_) {
                return Error::make(ErrorKind::internal, "bad-partition", "no such partition");
            }
            partitions.push_back(part.partition);
            counts.push_back(static_cast<std::int64_t>(part.records.size()));
            total += part.records.size();
        }
        std::vector<std::vector<std::int64_t>> offsets(parts.size());
        if (total == 0) return offsets;
        std::lock_guard lock(mutex_);
        try {
            if (!connection_) connection_ = std::make_unique<pqxx::connection>(conninfo_);
            pqxx::work tx(*connection_);
            if (fenced_) {
                // FOR SHARE: a newer writer's epoch bump waits for this append
                // to commit, and this append sees the bump if it came first.
                const auto epoch =
                    tx.exec("SELECT epoch FROM " + table_ + "_writer FOR SHARE")[0][0]
                        .as<std::int64_t>();
                if (epoch != epoch_) {
                    return Error::make(ErrorKind::unavailable, "writer-fenced",
                                       "a newer writer has opened the log; this writer is fenced");
                }
            } else {
                // Many writers: each locks its partitions in one order, so two
                // appends wait for each other instead of deadlocking.
                tx.exec_params("SELECT 1 FROM " + table_ +
                                   "_partitions WHERE partition = ANY($1::int[]) "
                                   "ORDER BY partition FOR UPDATE",
                               pg_array(partitions));
            }
            // Every partition's offsets in one statement: a batch costs the
            // same round trips whatever number of partitions it touches. A
            // partition named twice takes both counts, in order.
            std::map<int, std::int64_t> next;
            for (const auto& row : tx.exec_params(
                     "UPDATE " + table_ +
                         "_partitions p SET next_offset = p.next_offset + c.n "
                         "FROM (SELECT partition, sum(n)::bigint AS n FROM unnest($1::int[], "
                         "$2::bigint[]) AS u(partition, n) GROUP BY partition) c "
                         "WHERE p.partition = c.partition RETURNING p.partition, p.next_offset",
                     pg_array(partitions), pg_array(counts))) {
                next[row[0].as<int>()] = row[1].as<std::int64_t>();
            }
            for (std::size_t i = 0; i < parts.size(); ++i) {
                next[parts[i].partition] -= static_cast<std::int64_t>(parts[i].records.size());
            }
            // Many rows per statement: a round trip per record is what made a
            // large append (an import) slow.
            std::string sql;
            std::vector<std::string> params;
            std::size_t rows = 0;
            const auto flush = [&] {
                if (rows == 0) return;
                tx.exec_params(sql, pqxx::prepare::make_dynamic_params(params));
                sql.clear();
                params.clear();
                rows = 0;
            };
            for (std::size_t i = 0; i < parts.size(); ++i) {
                const auto partition = parts[i].partition;
                for (const auto& record : parts[i].records) {
                    if (rows == kRowsPerInsert) flush();
                    const auto n = params.size();
                    sql += rows == 0 ? "INSERT INTO " + table_ +
                                           " (partition, \"offset\", key, headers, value) VALUES ("
                                     : ", (";
                    sql += placeholder(n + 1) + "::integer, " + placeholder(n + 2) + "::bigint, " +
                           placeholder(n + 3) + ", " + placeholder(n + 4) + "::jsonb, " +
                           placeholder(n + 5) + ")";
                    const auto offset = next[partition]++;
                    params.push_back(std::to_string(partition));
                    params.push_back(std::to_string(offset));
                    params.push_back(record.key);
                    params.push_back(headers_json(record.headers));
                    params.push_back(record.value);
                    offsets[i].push_back(offset);
                    ++rows;
                }
            }
            flush();
            tx.exec_params("SELECT pg_notify($1, p::text) FROM unnest($2::int[]) AS p", table_,
                           pg_array(partitions));
            tx.commit();
            return offsets;
        } catch (const pqxx::in_doubt_error& e) {
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
          options_(std::move(options)) {
        if (partitions_ < 1) throw std::invalid_argument("partition count must be at least 1");
        connect();
    }

    int partition_count() const override { return partitions_; }

    Result<std::vector<LogRecord>> poll(std::size_t max_records,
                                        std::chrono::milliseconds timeout) override {
        try {
            if (!connection_ || !connection_->is_open()) connect();
            claim_partitions();
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
        wakeup_ = std::make_unique<Wakeup>(*connection_, table_);
        if (options_.group.empty()) {
            for (int p = 0; p < partitions_; ++p) {
                if (!next_.contains(p)) next_[p] = options_.start_offset(p);
            }
        }
        last_claim_ = {};
    }

    // Group members share partitions through session-level advisory locks:
    // a partition belongs to whoever holds its lock, and a crashed member's
    // locks vanish with its session, so a standby takes over.
    void claim_partitions() {
        if (options_.group.empty() || static_cast<int>(next_.size()) == partitions_) return;
        const auto now = std::chrono::steady_clock::now();
        if (now - last_claim_ < std::chrono::milliseconds(500)) return;
        last_claim_ = now;
        pqxx::nontransaction tx(*connection_);
        for (int p = 0; p < partitions_; ++p) {
            if (next_.contains(p)) continue;
            // The stream's name keeps one group's locks on two streams apart.
            const bool got = tx.exec_params("SELECT pg_try_advisory_lock(hashtext($1), $2)",
                                            lock_name(), p)[0][0]
                                 .as<bool>();
            if (got) next_[p] = options_.start_offset(p);
        }
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
        pqxx::nontransaction tx(*connection_);
        const auto rows = tx.exec_params(
            "SELECT l.partition, l.\"offset\", l.key, l.headers::text, l.value "
            "FROM unnest($1::int[], $2::bigint[]) AS c(partition, next_offset) "
            "CROSS JOIN LATERAL (SELECT * FROM " +
                table_ +
                " e WHERE e.partition = c.partition "
                "  AND e.\"offset\" >= c.next_offset ORDER BY e.\"offset\" LIMIT $3) l "
                "ORDER BY l.partition, l.\"offset\"",
            pg_array(partitions), pg_array(offsets),
            // Share the batch among partitions so a busy one cannot starve the rest.
            static_cast<std::int64_t>((max_records + next_.size() - 1) / next_.size()));
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
    ReaderOptions options_;
    std::unique_ptr<pqxx::connection> connection_;
    std::unique_ptr<Wakeup> wakeup_;
    std::map<int, std::int64_t> next_;  // owned partition -> next offset to deliver
    std::chrono::steady_clock::time_point last_claim_{};
};

}  // namespace

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
