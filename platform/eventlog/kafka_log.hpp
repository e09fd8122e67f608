#pragma once
// The production log: librdkafka against Kafka (compose/) or, in tests and the
// `--log kafka-mock` stack, against librdkafka's own mock cluster.
#include <chrono>
#include <memory>
#include <string>

#include "platform/eventlog/event_log.hpp"

namespace cc::eventlog {

struct KafkaConfig {
    std::string bootstrap_servers;
    std::string topic = "complexcare.events";
    // Producer fencing: a newer producer with the same transactional.id fences
    // the older one (init_transactions). The mock cluster accepts but does not
    // enforce this (see README "Kafka mock cluster limits").
    std::string transactional_id = "complexcare-command-service";
    // The most an append (and a read of the end offsets, capped at 5 s)
    // waits for the brokers before it fails: a command is answered 503
    // rather than held while the cluster is out of reach.
    std::chrono::milliseconds timeout{30'000};
};

// The topic of the access stream that goes with the domain log `topic`.
inline std::string access_topic_of(const std::string& topic) {
    return topic + ".access";
}

// Throws std::runtime_error when the client cannot be configured or the topic
// metadata cannot be fetched.
std::unique_ptr<LogWriter> open_kafka_writer(const KafkaConfig& config);
// No transactional id, no fencing: for a stream that any number of writers
// append to (access facts).
std::unique_ptr<LogWriter> open_kafka_stream_writer(const KafkaConfig& config);
std::unique_ptr<LogReader> open_kafka_reader(const KafkaConfig& config, ReaderOptions options);
std::unique_ptr<LogEnds> open_kafka_ends(const KafkaConfig& config);

// librdkafka's mock cluster, hosted by this process: its brokers listen on
// real loopback sockets that other processes can reach.
class KafkaMockCluster {
  public:
    KafkaMockCluster(int brokers, const std::string& topic, int partitions);
    ~KafkaMockCluster();
    KafkaMockCluster(const KafkaMockCluster&) = delete;
    KafkaMockCluster& operator=(const KafkaMockCluster&) = delete;

    const std::string& bootstrap_servers() const { return bootstraps_; }
    // Disconnects every broker and refuses new connections (an outage of the
    // cluster, as the fault tests make it), or lets them be reached again.
    // Throws std::runtime_error when the mock refuses.
    void set_brokers_up(bool up);
    // Holds every transaction's append in flight until released: the
    // coordinator answers AddPartitionsToTxn with a retriable error, which
    // the producer retries. A test lines commands up behind one append.
    void hold_transactions(bool held);
    // The next `count` produce requests, of any producer, fail with a
    // non-retriable error; 0 clears what is left. A test makes an append
    // fail deterministically.
    void fail_produce_requests(int count);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::string bootstraps_;
};

}  // namespace cc::eventlog
