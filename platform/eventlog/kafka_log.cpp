#include "platform/eventlog/kafka_log.hpp"

// rdkafka_mock.h refuses to be included before rdkafka.h.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <utility>

#include "platform/core/uuid.hpp"

namespace cc::eventlog {
namespace {

// Bounded waits everywhere: an append or an open must fail, not hang, when the
// brokers are gone.
constexpr int kMetadataTimeoutMs = 10'000;
constexpr int kInitTransactionsTimeoutMs = 30'000;
// What one append may take in all, whatever fails, is KafkaConfig::timeout:
// the broker calls share it, and the transaction timeout equals it.
// Deliveries time out a sixth earlier, so a stuck delivery fails the append
// before the coordinator aborts the transaction behind our back.
int message_timeout_ms(std::chrono::milliseconds append_budget) {
    return static_cast<int>(append_budget.count() - append_budget.count() / 6);
}
// Aborts that time out are resumed by the next append, so they get a short leash.
constexpr int kAbortTimeoutMs = 5'000;
constexpr int kMinCallTimeoutMs = 1'000;
constexpr int kSeekTimeoutMs = 5'000;
constexpr int kEndOffsetsTimeoutMs = 5'000;
constexpr auto kRetryWindow = std::chrono::seconds(5);

Error unavailable(const std::string& detail) {
    return Error::make(ErrorKind::unavailable, "log-unavailable", detail);
}

// Any fatal producer error ends this writer for good; fencing by a newer
// writer is by far the most likely cause, so it is reported as such.
Error fenced(const std::string& reason) {
    return Error::make(ErrorKind::unavailable, "writer-fenced",
                       "this writer can no longer append, most likely because a newer writer "
                       "with the same transactional id has opened the log (" +
                           reason + ")");
}

bool is_fencing(RdKafka::ErrorCode code) {
    return code == RdKafka::ERR__FENCED || code == RdKafka::ERR_PRODUCER_FENCED ||
           code == RdKafka::ERR_INVALID_PRODUCER_EPOCH;
}

// librdkafka hands out RdKafka::Error objects the caller must delete.
using ErrorPtr = std::unique_ptr<RdKafka::Error>;

void set(RdKafka::Conf& conf, const std::string& name, const std::string& value) {
    std::string errstr;
    if (conf.set(name, value, errstr) != RdKafka::Conf::CONF_OK) {
        throw std::runtime_error("kafka configuration '" + name + "': " + errstr);
    }
}

template <class Callback>
void set_callback(RdKafka::Conf& conf, const std::string& name, Callback* callback) {
    std::string errstr;
    if (conf.set(name, callback, errstr) != RdKafka::Conf::CONF_OK) {
        throw std::runtime_error("kafka configuration '" + name + "': " + errstr);
    }
}

std::unique_ptr<RdKafka::Conf> base_conf(const KafkaConfig& config, const std::string& client_id) {
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    set(*conf, "bootstrap.servers", config.bootstrap_servers);
    set(*conf, "client.id", client_id);
    // A request a broker never answers (it went away with the connection
    // left open) fails after this, and the connection is made anew; with
    // librdkafka's 60 s default a broker that is back stays unused that long.
    set(*conf, "socket.timeout.ms", std::to_string(config.timeout.count()));
    // A broker that is back is found within 2 s, not librdkafka's 10 s.
    set(*conf, "reconnect.backoff.max.ms", "2000");
    return conf;
}

// Lists all topics rather than asking for ours: a metadata request naming the
// topic may auto-create it on brokers that allow that, and a missing topic
// must be an error, not a new topic with the broker's default partition count.
int fetch_partition_count(RdKafka::Handle& handle, const std::string& topic) {
    RdKafka::Metadata* raw = nullptr;
    const auto err = handle.metadata(true, nullptr, &raw, kMetadataTimeoutMs);
    std::unique_ptr<RdKafka::Metadata> metadata(raw);
    if (err != RdKafka::ERR_NO_ERROR) {
        throw std::runtime_error("cannot fetch kafka metadata for topic '" + topic +
                                 "': " + RdKafka::err2str(err));
    }
    for (const auto* t : *metadata->topics()) {
        if (t->topic() != topic) continue;
        if (t->err() != RdKafka::ERR_NO_ERROR) {
            throw std::runtime_error("kafka topic '" + topic + "': " + RdKafka::err2str(t->err()));
        }
        const auto count = static_cast<int>(t->partitions()->size());
        if (count < 1) throw std::runtime_error("kafka topic '" + topic + "' has no partitions");
        return count;
    }
    throw std::runtime_error("kafka topic '" + topic + "' does not exist");
}

// Owns the TopicPartition objects of a list handed to or filled by librdkafka.
struct PartitionList {
    std::vector<RdKafka::TopicPartition*> items;

    PartitionList() = default;
    PartitionList(const PartitionList&) = delete;
    PartitionList& operator=(const PartitionList&) = delete;
    ~PartitionList() { RdKafka::TopicPartition::destroy(items); }

    void add(const std::string& topic, int partition, std::int64_t offset) {
        std::unique_ptr<RdKafka::TopicPartition> tp(
            RdKafka::TopicPartition::create(topic, partition, offset));
        items.push_back(tp.get());
        tp.release();
    }
};

// Short, since a reader asks while it holds up others, and no longer than
// the log timeout (CC_LOG_TIMEOUT_MS).
int end_offsets_timeout_ms(const KafkaConfig& config) {
    return static_cast<int>(std::min<std::int64_t>(kEndOffsetsTimeoutMs, config.timeout.count()));
}

// A ListOffsets "latest" lookup for every partition in one request. Not
// query_watermark_offsets(): before librdkafka 2.3 it ignores its timeout
// and blocks until the partition leader is reachable again (#2588).
Result<std::vector<std::int64_t>> end_offsets_of(RdKafka::KafkaConsumer& consumer,
                                                 const std::string& topic, int partitions,
                                                 int timeout_ms) {
    PartitionList query;
    for (int p = 0; p < partitions; ++p) query.add(topic, p, RdKafka::Topic::OFFSET_END);
    const auto err = consumer.offsetsForTimes(query.items, timeout_ms);
    if (err != RdKafka::ERR_NO_ERROR) {
        return unavailable("cannot read the kafka end offsets: " + RdKafka::err2str(err));
    }
    std::vector<std::int64_t> ends(static_cast<std::size_t>(partitions), -1);
    for (const auto* tp : query.items) {
        if (tp->err() != RdKafka::ERR_NO_ERROR || tp->offset() < 0) {
            return unavailable("cannot read the kafka end offset of partition " +
                               std::to_string(tp->partition()) + ": " +
                               RdKafka::err2str(tp->err()));
        }
        ends[static_cast<std::size_t>(tp->partition())] = tp->offset();
    }
    return ends;
}

// An append of a batch spanning partitions sends one ProduceRequest per
// partition. Pipelined, a broker that leaves Nagle on (the mock cluster
// does) holds its last answer until our delayed ACK: 40 ms an append. One
// request in flight at a time, without Nagle, costs a round trip per
// partition instead (bench/log_append.cpp: 2 ms for 8 partitions on the
// mock, 44 ms pipelined).
void send_one_request_at_a_time(RdKafka::Conf& conf) {
    set(conf, "socket.nagle.disable", "true");
    set(conf, "max.in.flight.requests.per.connection", "1");
}

// One batch of records produced and the delivery report of each, for a
// writer that appends a batch at a time (the reports are served on the
// appending thread, by flush and the transaction calls, under its lock).
// The opaque carries the batch's generation next to the record index, so
// that a late report of an earlier, failed batch can never be taken for
// one of the current batch.
class BatchDeliveries final : public RdKafka::DeliveryReportCb {
  public:
    struct Delivery {
        bool done = false;
        RdKafka::ErrorCode err = RdKafka::ERR_NO_ERROR;
        std::int64_t offset = -1;
    };

    // Produces every record of `parts` (`total` of them, at most 2^32) as a
    // new batch; the first refusal, if any, after which nothing more is
    // produced.
    RdKafka::ErrorCode produce(RdKafka::Producer& producer, const std::string& topic,
                               std::span<const PartitionRecords> parts, std::size_t total) {
        ++generation_;
        reports_.assign(total, Delivery{});
        std::uint32_t index = 0;
        for (const auto& part : parts) {
            for (const auto& record : part.records) {
                std::unique_ptr<RdKafka::Headers> headers(RdKafka::Headers::create());
                for (const auto& h : record.headers) {
                    headers->add(h.key, h.value.data(), h.value.size());
                }
                const auto tag = (std::uint64_t{generation_} << 32) | index++;
                const auto err =
                    producer.produce(topic, part.partition, RdKafka::Producer::RK_MSG_COPY,
                                     const_cast<char*>(record.value.data()), record.value.size(),
                                     record.key.data(), record.key.size(), 0, headers.get(),
                                     reinterpret_cast<void*>(static_cast<std::uintptr_t>(tag)));
                if (err != RdKafka::ERR_NO_ERROR) return err;
                // librdkafka owns the headers once produce succeeded.
                headers.release();
            }
        }
        return RdKafka::ERR_NO_ERROR;
    }

    // The current batch's reports, in the order its records were produced.
    const std::vector<Delivery>& reports() const { return reports_; }

    void dr_cb(RdKafka::Message& message) override {
        const auto tag =
            static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(message.msg_opaque()));
        const auto generation = static_cast<std::uint32_t>(tag >> 32);
        const auto index = static_cast<std::uint32_t>(tag & 0xffffffffu);
        if (generation != generation_ || index >= reports_.size()) return;
        auto& delivery = reports_[index];
        delivery.done = true;
        delivery.err = message.err();
        delivery.offset = message.offset();
    }

  private:
    std::uint32_t generation_ = 0;
    std::vector<Delivery> reports_;
};

// ---------------------------------------------------------------------------
// Writer

class KafkaLogWriter final : public LogWriter {
  public:
    explicit KafkaLogWriter(const KafkaConfig& config)
        : topic_(config.topic), append_budget_(config.timeout) {
        if (config.timeout < std::chrono::milliseconds(kMinCallTimeoutMs)) {
            throw std::runtime_error("the kafka log timeout must be at least 1000 ms");
        }
        auto conf = base_conf(config, "cc-log-writer");
        set(*conf, "transactional.id", config.transactional_id);
        set(*conf, "enable.idempotence", "true");
        set(*conf, "acks", "all");
        set(*conf, "transaction.timeout.ms", std::to_string(append_budget_.count()));
        set(*conf, "message.timeout.ms", std::to_string(message_timeout_ms(append_budget_)));
        send_one_request_at_a_time(*conf);
        set_callback(*conf, "dr_cb", static_cast<RdKafka::DeliveryReportCb*>(&deliveries_));

        std::string errstr;
        producer_.reset(RdKafka::Producer::create(conf.get(), errstr));
        if (!producer_) throw std::runtime_error("cannot create kafka producer: " + errstr);

        // Metadata first: with no reachable broker this fails after the
        // metadata timeout instead of the longer init_transactions one.
        partitions_ = fetch_partition_count(*producer_, topic_);

        // Registers this transactional id with a new epoch: the coordinator
        // fences every older producer using the same id and aborts whatever
        // transaction it left open.
        if (ErrorPtr error{producer_->init_transactions(kInitTransactionsTimeoutMs)}) {
            throw std::runtime_error("kafka init_transactions failed: " + error->str());
        }
    }

    int partition_count() const override { return partitions_; }

    Result<std::vector<std::vector<std::int64_t>>> append_all(
        std::span<const PartitionRecords> parts) override {
        for (const auto& part : parts) {
            if (part.partition < 0 || part.partition >= partitions_) {
                return Error::make(ErrorKind::internal, "bad-partition", "no such partition");
            }
        }
        std::lock_guard lock(mutex_);
        try {
            const auto started = std::chrono::steady_clock::now();
            deadline_ = started + append_budget_;
            auto result = append_locked(parts);
            // A message the broker refused leaves a gap in the idempotent
            // producer's sequence numbers, and librdkafka only repairs it (by
            // bumping the epoch) when the *next* transaction fails and is
            // aborted. One more attempt after a quick, cleanly aborted failure
            // absorbs that, and read_committed readers never see an aborted
            // transaction. Slow failures (timeouts) are not retried: an append
            // must stay bounded.
            if (!result.ok() && aborted_ && !fenced_ &&
                std::chrono::steady_clock::now() - started < kRetryWindow) {
                result = append_locked(parts);
            }
            return result;
        } catch (const std::exception& e) {
            // Only allocation failures can land here; the transaction state is
            // unknown, so the next append aborts whatever is open first.
            state_ = TxnState::needs_abort;
            return unavailable(e.what());
        }
    }

  private:
    enum class TxnState {
        idle,             // no transaction open
        needs_abort,      // a failed append left its transaction open
        commit_in_doubt,  // commit_transaction timed out: it may still complete
    };

    Result<std::vector<std::vector<std::int64_t>>> append_locked(
        std::span<const PartitionRecords> parts) {
        if (auto failure = check_fatal()) return *failure;
        if (auto failure = settle_previous_transaction()) return *failure;
        aborted_ = false;
        std::size_t total = 0;
        for (const auto& part : parts) total += part.records.size();
        std::vector<std::vector<std::int64_t>> offsets(parts.size());
        if (total == 0) return offsets;
        if (total > 0xffffffffu) return unavailable("batch too large");

        if (ErrorPtr error{producer_->begin_transaction()}) {
            return transaction_failure("begin_transaction", *error);
        }

        if (const auto err = deliveries_.produce(*producer_, topic_, parts, total);
            err != RdKafka::ERR_NO_ERROR) {
            return abort_after(err, "produce");
        }

        const auto flushed = producer_->flush(call_timeout_ms());
        auto delivery = deliveries_.reports().begin();
        for (std::size_t i = 0; i < parts.size(); ++i) {
            offsets[i].reserve(parts[i].records.size());
            for (std::size_t r = 0; r < parts[i].records.size(); ++r, ++delivery) {
                if (!delivery->done) {
                    return abort_after(
                        flushed != RdKafka::ERR_NO_ERROR ? flushed : RdKafka::ERR__TIMED_OUT,
                        "delivery");
                }
                if (delivery->err != RdKafka::ERR_NO_ERROR) {
                    return abort_after(delivery->err, "delivery");
                }
                offsets[i].push_back(delivery->offset);
            }
        }

        if (ErrorPtr error{producer_->commit_transaction(call_timeout_ms())}) {
            if (error->is_fatal() || is_fencing(error->code())) return mark_fenced(error->str());
            if (error->txn_requires_abort()) {
                abort_open_transaction();
                if (fenced_) return fenced(fenced_reason_);
                return unavailable("kafka commit_transaction failed, aborted: " + error->str());
            }
            // The commit may still go through; the next append resumes it.
            state_ = TxnState::commit_in_doubt;
            return unavailable("kafka commit_transaction outcome unknown: " + error->str());
        }
        return offsets;
    }

    // What is left of the append's budget, within [kMinCallTimeoutMs, cap].
    int call_timeout_ms(int cap = std::numeric_limits<int>::max()) const {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                              deadline_ - std::chrono::steady_clock::now())
                              .count();
        return static_cast<int>(
            std::clamp<std::int64_t>(left, kMinCallTimeoutMs, std::max(cap, kMinCallTimeoutMs)));
    }

    std::optional<Error> check_fatal() {
        if (fenced_) return fenced(fenced_reason_);
        std::string errstr;
        if (producer_->fatal_error(errstr) != RdKafka::ERR_NO_ERROR) return mark_fenced(errstr);
        return std::nullopt;
    }

    // Brings the producer back to "no transaction open" after an earlier
    // append failed half way.
    std::optional<Error> settle_previous_transaction() {
        if (state_ == TxnState::commit_in_doubt) {
            // A timed-out commit is resumable; whether it then commits or
            // aborts, that batch was already reported as failed.
            ErrorPtr error{producer_->commit_transaction(call_timeout_ms())};
            if (!error) {
                state_ = TxnState::idle;
            } else if (error->is_fatal() || is_fencing(error->code())) {
                return mark_fenced(error->str());
            } else if (error->txn_requires_abort()) {
                state_ = TxnState::needs_abort;
            } else {
                return unavailable("previous kafka transaction still unresolved: " + error->str());
            }
        }
        if (state_ == TxnState::needs_abort) {
            abort_open_transaction();
            if (fenced_) return fenced(fenced_reason_);
            if (state_ != TxnState::idle) {
                return unavailable("cannot abort the previous kafka transaction");
            }
        }
        return std::nullopt;
    }

    void abort_open_transaction() {
        ErrorPtr error{producer_->abort_transaction(call_timeout_ms(kAbortTimeoutMs))};
        if (!error) {
            state_ = TxnState::idle;
            aborted_ = true;
        } else if (error->is_fatal() || is_fencing(error->code())) {
            mark_fenced(error->str());
        } else {
            state_ = TxnState::needs_abort;
        }
    }

    Error abort_after(RdKafka::ErrorCode err, const std::string& step) {
        std::string reason = RdKafka::err2str(err);
        if (err == RdKafka::ERR__FATAL) {
            std::string errstr;
            const auto fatal = producer_->fatal_error(errstr);
            return mark_fenced(fatal != RdKafka::ERR_NO_ERROR ? errstr : reason);
        }
        if (is_fencing(err)) return mark_fenced(reason);
        abort_open_transaction();
        if (fenced_) return fenced(fenced_reason_);
        return unavailable("kafka " + step + " failed: " + reason);
    }

    Error transaction_failure(const std::string& step, const RdKafka::Error& error) {
        if (error.is_fatal() || is_fencing(error.code())) return mark_fenced(error.str());
        if (error.txn_requires_abort()) state_ = TxnState::needs_abort;
        return unavailable("kafka " + step + " failed: " + error.str());
    }

    // Fatal errors are final for a transactional producer: librdkafka refuses
    // every later call, and the usual cause is a newer producer with our id.
    Error mark_fenced(const std::string& reason) {
        fenced_ = true;
        fenced_reason_ = reason;
        return fenced(reason);
    }

    std::string topic_;
    std::chrono::milliseconds append_budget_;
    int partitions_ = 0;
    std::mutex mutex_;
    TxnState state_ = TxnState::idle;
    bool fenced_ = false;
    bool aborted_ = false;  // the last attempt ended in a successful abort
    std::chrono::steady_clock::time_point deadline_{};  // of the append under way
    std::string fenced_reason_;
    BatchDeliveries deliveries_;
    // Last member: destroyed first, while the delivery state above still exists.
    std::unique_ptr<RdKafka::Producer> producer_;
};

// ---------------------------------------------------------------------------
// Unfenced writer: a stream with no single writer (access facts). Idempotent
// and acks=all, so an acknowledged append is durable and a retry never
// doubles a record; no transaction, so any number of writers append at once.

class KafkaStreamWriter final : public LogWriter {
  public:
    explicit KafkaStreamWriter(const KafkaConfig& config) : config_(config) { connect(); }

    int partition_count() const override { return partitions_; }

    Result<std::vector<std::vector<std::int64_t>>> append_all(
        std::span<const PartitionRecords> parts) override {
        std::lock_guard lock(mutex_);
        std::size_t total = 0;
        for (const auto& part : parts) {
            if (part.partition < 0 || part.partition >= partitions_) {
                return Error::make(ErrorKind::internal, "bad-partition", "no such partition");
            }
            total += part.records.size();
        }
        std::vector<std::vector<std::int64_t>> offsets(parts.size());
        if (total == 0) return offsets;
        if (total > 0xffffffffu) return unavailable("batch too large");
        try {
            // After a failed append the producer may keep what made it fail
            // (a fatal idempotence error ends a producer for good; a refused
            // topic stays refused until the next metadata refresh, minutes
            // away): the next append starts a new one instead.
            if (broken_) {
                producer_.reset();
                connect();
                broken_ = false;
            }
            broken_ = true;  // until this append has succeeded
            const auto failed = deliveries_.produce(*producer_, config_.topic, parts, total);
            // Whatever was produced is waited for, so that no report of this
            // batch is left behind for the next one.
            producer_->flush(kStreamMessageTimeoutMs + 1000);
            if (failed != RdKafka::ERR_NO_ERROR) {
                return unavailable("kafka produce failed: " + RdKafka::err2str(failed));
            }
            auto delivery = deliveries_.reports().begin();
            for (std::size_t i = 0; i < parts.size(); ++i) {
                for (std::size_t r = 0; r < parts[i].records.size(); ++r, ++delivery) {
                    if (!delivery->done) return unavailable("kafka delivery timed out");
                    if (delivery->err != RdKafka::ERR_NO_ERROR) {
                        return unavailable("kafka delivery failed: " +
                                           RdKafka::err2str(delivery->err));
                    }
                    offsets[i].push_back(delivery->offset);
                }
            }
            broken_ = false;
            return offsets;
        } catch (const std::exception& e) {
            return unavailable(e.what());
        }
    }

  private:
    // A read waits for its access record: a stuck broker fails it in
    // seconds (503), not in the domain log's half minute.
    static constexpr int kStreamMessageTimeoutMs = 5'000;

    void connect() {
        auto conf = base_conf(config_, "cc-stream-writer");
        set(*conf, "enable.idempotence", "true");
        set(*conf, "acks", "all");
        set(*conf, "message.timeout.ms", std::to_string(kStreamMessageTimeoutMs));
        // As for the domain log: an access batch spans the partitions of
        // the tenants read from (pipelined, 70 to 90 ms an append on the
        // mock as soon as two tenants are read at once).
        send_one_request_at_a_time(*conf);
        // A batch is flushed at once: nothing gains from lingering.
        set(*conf, "linger.ms", "0");
        set_callback(*conf, "dr_cb", static_cast<RdKafka::DeliveryReportCb*>(&deliveries_));
        std::string errstr;
        producer_.reset(RdKafka::Producer::create(conf.get(), errstr));
        if (!producer_) throw std::runtime_error("cannot create kafka producer: " + errstr);
        partitions_ = fetch_partition_count(*producer_, config_.topic);
    }

    KafkaConfig config_;
    int partitions_ = 0;
    std::mutex mutex_;
    bool broken_ = false;
    BatchDeliveries deliveries_;
    std::unique_ptr<RdKafka::Producer> producer_;  // last: destroyed first
};

// ---------------------------------------------------------------------------
// Reader

class KafkaLogReader final : public LogReader, private RdKafka::RebalanceCb {
  public:
    KafkaLogReader(const KafkaConfig& config, ReaderOptions options)
        : topic_(config.topic),
          options_(std::move(options)),
          end_offsets_timeout_ms_(end_offsets_timeout_ms(config)) {
        const bool standalone = options_.group.empty();
        auto conf = base_conf(config, "cc-log-reader");
        // A standalone reader never joins its group (it assigns partitions
        // itself), but the consumer API insists on a group id.
        set(*conf, "group.id",
            standalone ? "cc-standalone-" + Uuid::random_v4().to_string() : options_.group);
        // Positions live in PostgreSQL next to the projections they describe;
        // nothing is committed to Kafka.
        set(*conf, "enable.auto.commit", "false");
        set(*conf, "enable.auto.offset.store", "false");
        // Every position asked for is one the reader's owner holds (a
        // checkpoint, a snapshot's): a log that no longer has it deleted
        // records no one read (retention, or the mock's size bound), and a
        // log that never had it is older than the position. Reset to the
        // earliest record, the reader would skip the records between (its
        // owner takes a gap for transaction markers); it fails instead.
        set(*conf, "auto.offset.reset", "error");
        set(*conf, "isolation.level", "read_committed");
        set(*conf, "enable.partition.eof", "false");
        // Kafka answers a fetch as soon as data arrives, but the mock cluster
        // holds every fetch for the full wait: this bounds the tail latency
        // there, at a few idle fetches a second against real brokers.
        set(*conf, "fetch.wait.max.ms", "100");
        // Kafka's 45 s default session would keep a restarted member's
        // partitions idle that long before the group hands them out again.
        set(*conf, "session.timeout.ms", "6000");
        set(*conf, "heartbeat.interval.ms", "1000");
        if (!standalone) {
            set_callback(*conf, "rebalance_cb", static_cast<RdKafka::RebalanceCb*>(this));
        }

        std::string errstr;
        consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), errstr));
        if (!consumer_) throw std::runtime_error("cannot create kafka consumer: " + errstr);
        partitions_ = fetch_partition_count(*consumer_, topic_);

        if (standalone) {
            for (int p = 0; p < partitions_; ++p) next_[p] = options_.start_offset(p);
            const auto err = assign_next();
            if (err != RdKafka::ERR_NO_ERROR) {
                throw std::runtime_error("kafka assign failed: " + RdKafka::err2str(err));
            }
        } else {
            const auto err = consumer_->subscribe({topic_});
            if (err != RdKafka::ERR_NO_ERROR) {
                throw std::runtime_error("kafka subscribe failed: " + RdKafka::err2str(err));
            }
        }
    }

    ~KafkaLogReader() override {
        // Leaves the group at once (its partitions move on without waiting
        // for the session timeout); the rebalance callback is still valid here.
        consumer_->close();
    }

    KafkaLogReader(const KafkaLogReader&) = delete;
    KafkaLogReader& operator=(const KafkaLogReader&) = delete;

    int partition_count() const override { return partitions_; }

    Result<std::vector<LogRecord>> poll(std::size_t max_records,
                                        std::chrono::milliseconds timeout) override {
        try {
            return poll_records(max_records, timeout);
        } catch (const std::exception& e) {
            return unavailable(e.what());
        }
    }

    void seek(int partition, std::int64_t offset) override {
        std::lock_guard lock(mutex_);
        // A partition not owned yet starts where start_offset says once it
        // is assigned; there is nothing to reposition.
        if (!next_.contains(partition)) return;
        next_[partition] = offset;
        std::unique_ptr<RdKafka::TopicPartition> tp(
            RdKafka::TopicPartition::create(topic_, partition, offset));
        if (consumer_->seek(*tp, kSeekTimeoutMs) == RdKafka::ERR_NO_ERROR) return;
        // seek() only works once fetching has started; re-assigning at the
        // tracked positions works in every state and loses nothing, since
        // next_ holds exactly what has been delivered.
        if (assign_next() != RdKafka::ERR_NO_ERROR) {
            // The next poll cannot deliver from the wanted place: say so
            // rather than silently skipping or repeating records.
            pending_error_ =
                unavailable("kafka seek of partition " + std::to_string(partition) + " failed");
        }
    }

    // A ListOffsets "latest" lookup for every partition in one request. Not
    // query_watermark_offsets(): before librdkafka 2.3 it ignores its timeout
    // and blocks until the partition leader is reachable again (#2588).
    Result<std::vector<std::int64_t>> end_offsets() override {
        return end_offsets_of(*consumer_, topic_, partitions_, end_offsets_timeout_ms_);
    }

    std::map<int, std::int64_t> positions() override {
        std::lock_guard lock(mutex_);
        std::map<int, std::int64_t> out = next_;
        PartitionList list;
        for (const auto& [partition, offset] : next_) list.add(topic_, partition, offset);
        if (consumer_->position(list.items) == RdKafka::ERR_NO_ERROR) {
            // The fetch position moves past transaction markers; it is
            // invalid (negative) until the first fetch of a partition.
            for (const auto* tp : list.items) {
                auto& known = out[tp->partition()];
                if (tp->offset() > known) known = tp->offset();
            }
        }
        return out;
    }

    std::vector<int> owned_partitions() const override {
        PartitionList assignment;
        std::vector<int> owned;
        if (consumer_->assignment(assignment.items) != RdKafka::ERR_NO_ERROR) return owned;
        for (const auto* tp : assignment.items) {
            if (tp->topic() == topic_) owned.push_back(tp->partition());
        }
        std::sort(owned.begin(), owned.end());
        return owned;
    }

  private:
    Result<std::vector<LogRecord>> poll_records(std::size_t max_records,
                                                std::chrono::milliseconds timeout) {
        {
            std::lock_guard lock(mutex_);
            if (lost_) return *lost_;
            if (pending_error_) {
                auto error = std::move(*pending_error_);
                pending_error_.reset();
                return error;
            }
            if (!pending_assignment_.empty()) {
                if (auto failure = assign_pending()) return *failure;
            }
        }
        std::vector<LogRecord> records;
        if (max_records == 0) return records;

        using Clock = std::chrono::steady_clock;
        const auto deadline = Clock::now() + timeout;
        while (records.size() < max_records) {
            // Wait only while empty-handed; with records in hand take what is
            // already queued and return.
            int wait_ms = 0;
            if (records.empty()) {
                const auto left =
                    std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
                wait_ms = static_cast<int>(std::max<std::int64_t>(0, left.count()));
            }
            // The rebalance callback runs inside consume(), so mutex_ must not
            // be held here.
            std::unique_ptr<RdKafka::Message> message(consumer_->consume(wait_ms));
            const auto err = message->err();
            if (err == RdKafka::ERR_NO_ERROR) {
                records.push_back(to_record(*message));
                std::lock_guard lock(mutex_);
                next_[records.back().partition] = records.back().offset + 1;
                continue;
            }
            if (err == RdKafka::ERR__TIMED_OUT || err == RdKafka::ERR__PARTITION_EOF) {
                if (!records.empty() || Clock::now() >= deadline) break;
                continue;
            }
            if (err == RdKafka::ERR__AUTO_OFFSET_RESET) {
                // Sticky: no later poll may deliver past the records lost.
                // Which side of the log the position fell off is asked
                // (ListOffsets) before the lock is taken.
                const int partition = message->partition();
                const auto ends =
                    end_offsets_of(*consumer_, topic_, partitions_, end_offsets_timeout_ms_);
                std::lock_guard lock(mutex_);
                const auto wanted = next_.find(partition);
                const auto offset = wanted == next_.end() ? message->offset() : wanted->second;
                const auto end = ends ? (*ends)[static_cast<std::size_t>(partition)] : -1;
                lost_ = end >= 0 && offset > end
                            ? position_past_end(topic_, partition, end, offset)
                            : records_lost(topic_, partition, offset, message->errstr());
                if (records.empty()) return *lost_;
                break;
            }
            auto error = unavailable("kafka consume failed: " + message->errstr());
            if (records.empty()) return error;
            // The records are consumed already: hand them over, report the
            // error on the next poll.
            std::lock_guard lock(mutex_);
            pending_error_ = std::move(error);
            break;
        }
        {
            std::lock_guard lock(mutex_);
            if (pending_assignment_error_ && records.empty()) {
                auto error = std::move(*pending_assignment_error_);
                pending_assignment_error_.reset();
                return error;
            }
        }
        return records;
    }

    static LogRecord to_record(RdKafka::Message& message) {
        LogRecord record;
        record.partition = message.partition();
        record.offset = message.offset();
        if (message.key_pointer() != nullptr) {
            record.key.assign(static_cast<const char*>(message.key_pointer()), message.key_len());
        }
        if (message.payload() != nullptr) {
            record.value.assign(static_cast<const char*>(message.payload()), message.len());
        }
        if (const auto* headers = message.headers()) {
            for (const auto& h : headers->get_all()) {
                Header header{h.key(), {}};
                if (h.value() != nullptr) {
                    header.value.assign(static_cast<const char*>(h.value()), h.value_size());
                }
                record.headers.push_back(std::move(header));
            }
        }
        return record;
    }

    void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                      std::vector<RdKafka::TopicPartition*>& partitions) override {
        std::lock_guard lock(mutex_);
        if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
            pending_assignment_.clear();
            for (const auto* tp : partitions) {
                if (tp->topic() == topic_) pending_assignment_.push_back(tp->partition());
            }
            if (auto failure = assign_pending()) pending_assignment_error_ = std::move(*failure);
            return;
        }
        // Revoked, or an assignment error: own nothing until the next assignment.
        pending_assignment_.clear();
        pending_assignment_error_.reset();
        next_.clear();
        consumer->unassign();
    }

    // Start offsets come from the caller's store (PostgreSQL), which can fail;
    // the partitions then stay pending (the group still considers them ours)
    // and every poll retries until the store answers.
    std::optional<Error> assign_pending() {
        std::map<int, std::int64_t> starts;
        try {
            for (int p : pending_assignment_) starts[p] = options_.start_offset(p);
        } catch (const std::exception& e) {
            return unavailable(std::string("cannot read the start offset of a kafka partition: ") +
                               e.what());
        }
        next_ = std::move(starts);
        const auto err = assign_next();
        if (err != RdKafka::ERR_NO_ERROR) {
            next_.clear();
            return unavailable("kafka assign failed: " + RdKafka::err2str(err));
        }
        pending_assignment_.clear();
        pending_assignment_error_.reset();
        return std::nullopt;
    }

    RdKafka::ErrorCode assign_next() {
        PartitionList list;
        for (const auto& [partition, offset] : next_) list.add(topic_, partition, offset);
        return consumer_->assign(list.items);
    }

    std::string topic_;
    ReaderOptions options_;
    int end_offsets_timeout_ms_;
    int partitions_ = 0;
    std::mutex mutex_;
    std::map<int, std::int64_t> next_;  // owned partition -> next offset to deliver
    std::vector<int> pending_assignment_;
    std::optional<Error> pending_assignment_error_;
    std::optional<Error> pending_error_;
    // Set once the log is found to lack the next record to read (deleted,
    // or never reached): every poll returns it from then on.
    std::optional<Error> lost_;
    std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
};

}  // namespace

std::unique_ptr<LogWriter> open_kafka_writer(const KafkaConfig& config) {
    return std::make_unique<KafkaLogWriter>(config);
}

std::unique_ptr<LogReader> open_kafka_reader(const KafkaConfig& config, ReaderOptions options) {
    return std::make_unique<KafkaLogReader>(config, std::move(options));
}

namespace {

// A consumer that is never assigned anything: it fetches no records, and
// only answers ListOffsets lookups.
class KafkaLogEnds final : public LogEnds {
  public:
    explicit KafkaLogEnds(const KafkaConfig& config)
        : topic_(config.topic), timeout_ms_(end_offsets_timeout_ms(config)) {
        auto conf = base_conf(config, "cc-log-ends");
        set(*conf, "group.id", "cc-ends-" + Uuid::random_v4().to_string());
        set(*conf, "enable.auto.commit", "false");
        std::string errstr;
        consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), errstr));
        if (!consumer_) throw std::runtime_error("cannot create kafka consumer: " + errstr);
        partitions_ = fetch_partition_count(*consumer_, topic_);
    }
    ~KafkaLogEnds() override { consumer_->close(); }
    KafkaLogEnds(const KafkaLogEnds&) = delete;
    KafkaLogEnds& operator=(const KafkaLogEnds&) = delete;

    int partition_count() const override { return partitions_; }

    Result<std::vector<std::int64_t>> end_offsets() override {
        // Transactional appends end with a commit marker, which takes an
        // offset: "latest" is past it, never short of a record's offset.
        return end_offsets_of(*consumer_, topic_, partitions_, timeout_ms_);
    }

  private:
    std::string topic_;
    int timeout_ms_;
    int partitions_ = 0;
    std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
};

}  // namespace

std::unique_ptr<LogWriter> open_kafka_stream_writer(const KafkaConfig& config) {
    return std::make_unique<KafkaStreamWriter>(config);
}

std::unique_ptr<LogEnds> open_kafka_ends(const KafkaConfig& config) {
    return std::make_unique<KafkaLogEnds>(config);
}

// ---------------------------------------------------------------------------
// Mock cluster

struct KafkaMockCluster::Impl {
    struct HandleDeleter {
        void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
    };
    struct ClusterDeleter {
        void operator()(rd_kafka_mock_cluster_t* cluster) const {
            rd_kafka_mock_cluster_destroy(cluster);
        }
    };
    // Members die in reverse order: the cluster before the handle hosting it.
    std::unique_ptr<rd_kafka_t, HandleDeleter> handle;
    std::unique_ptr<rd_kafka_mock_cluster_t, ClusterDeleter> cluster;
    int brokers = 0;
};

void KafkaMockCluster::hold_transactions(bool held) {
    constexpr std::int16_t kAddPartitionsToTxn = 24;  // the Kafka protocol's API key
    if (!held) {
        rd_kafka_mock_clear_request_errors(impl_->cluster.get(), kAddPartitionsToTxn);
        return;
    }
    // Retried every retry.backoff.ms (100 ms): enough for minutes.
    const std::vector<rd_kafka_resp_err_t> retriable(
        10'000, RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS);
    rd_kafka_mock_push_request_errors_array(impl_->cluster.get(), kAddPartitionsToTxn,
                                            retriable.size(), retriable.data());
}

KafkaMockCluster::KafkaMockCluster(int brokers, const std::string& topic, int partitions)
    : impl_(std::make_unique<Impl>()) {
    if (brokers < 1 || partitions < 1) {
        throw std::runtime_error("a kafka mock cluster needs at least one broker and partition");
    }
    char errstr[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    // The host handle never talks to a broker; without this it would warn
    // that no bootstrap.servers are configured.
    if (rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        throw std::runtime_error(std::string("kafka mock configuration: ") + errstr);
    }
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (rk == nullptr) {
        rd_kafka_conf_destroy(conf);  // only taken over on success
        throw std::runtime_error(std::string("cannot create the kafka mock host handle: ") +
                                 errstr);
    }
    impl_->handle.reset(rk);

    impl_->cluster.reset(rd_kafka_mock_cluster_new(rk, brokers));
    if (!impl_->cluster) throw std::runtime_error("cannot create the kafka mock cluster");
    impl_->brokers = brokers;

    const auto err = rd_kafka_mock_topic_create(impl_->cluster.get(), topic.c_str(), partitions,
                                                std::min(brokers, 3));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        throw std::runtime_error("cannot create kafka mock topic '" + topic +
                                 "': " + rd_kafka_err2str(err));
    }
    // The access stream beside it (LogConfig::access_stream), as Kafka
    // deployments create it up front.
    const auto access = access_topic_of(topic);
    if (rd_kafka_mock_topic_create(impl_->cluster.get(), access.c_str(), partitions,
                                   std::min(brokers, 3)) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        throw std::runtime_error("cannot create kafka mock topic '" + access + "'");
    }
    bootstraps_ = rd_kafka_mock_cluster_bootstraps(impl_->cluster.get());
}

void KafkaMockCluster::fail_produce_requests(int count) {
    constexpr std::int16_t kProduce = 0;  // the Kafka protocol's API key
    if (count <= 0) {
        rd_kafka_mock_clear_request_errors(impl_->cluster.get(), kProduce);
        return;
    }
    // Not retriable: the append fails at once instead of after its timeout.
    const std::vector<rd_kafka_resp_err_t> errors(static_cast<std::size_t>(count),
                                                  RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
    rd_kafka_mock_push_request_errors_array(impl_->cluster.get(), kProduce, errors.size(),
                                            errors.data());
}

KafkaMockCluster::~KafkaMockCluster() = default;

void KafkaMockCluster::set_brokers_up(bool up) {
    // Broker by broker: "-1 for all" is not understood by every librdkafka
    // version. The mock numbers its brokers from 1.
    for (std::int32_t id = 1; id <= impl_->brokers; ++id) {
        const auto err = up ? rd_kafka_mock_broker_set_up(impl_->cluster.get(), id)
                            : rd_kafka_mock_broker_set_down(impl_->cluster.get(), id);
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            throw std::runtime_error("kafka mock broker " + std::to_string(id) +
                                     (up ? " up: " : " down: ") + rd_kafka_err2str(err));
        }
    }
}

}  // namespace cc::eventlog
