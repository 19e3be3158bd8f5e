#include "mqtt/bridge.hpp"

#include <algorithm>
#include <iostream>

#include <mqtt_protocol.h>

#include "common/json_text.hpp"
#include "common/strict_json.hpp"

namespace treadmill::mqtt {

using nlohmann::json;

namespace {

// A flood of commands from the broker becomes at most this many connections to the daemon.
constexpr int kMaxCallsInFlight = 4;

}  // namespace

Bridge::Bridge(boost::asio::io_context& io, const BridgeConfig& config)
    : config_(config),
      topics_(config.prefix),
      policy_(config.allow_adjust),
      daemon_(
          io, config.socket, [this](const json& s) { on_status(s); },
          [this](const std::string& why) { on_daemon_down(why); }),
      broker_(
          io, config, topics_.availability(), "offline", [this] { on_broker_connected(); },
          [this](const Incoming& m) { on_message(m); }),
      metrics_timer_(io) {}

void Bridge::start() {
    daemon_.start();
    broker_.start();
    schedule_metrics();
}

void Bridge::stop() {
    metrics_timer_.cancel();
    if (broker_.connected()) broker_.publish(topics_.availability(), "offline", true);
    broker_.stop();
}

void Bridge::schedule_metrics() {
    metrics_timer_.expires_after(std::chrono::seconds(config_.metrics_interval_s));
    metrics_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        publish_metrics();
        schedule_metrics();
    });
}

// One request at a time: a daemon slow to answer is not sent a pile of them.
void Bridge::publish_metrics() {
    if (!broker_.connected() || metrics_call_pending_) return;
    metrics_call_pending_ = true;
    daemon_.call({{"cmd", "metrics"}}, [this](const json& reply) {
        metrics_call_pending_ = false;
        if (!reply.value("ok", false)) return;  // the daemon is away: the next tick tries again
        const auto payload = metrics_payload(reply.value("metrics", json()));
        if (payload && broker_.connected()) publish_json(topics_.metrics(), *payload, true);
    });
}

// A new broker session knows nothing of us: subscribe, and publish everything retained again.
void Bridge::on_broker_connected() {
    // Retain-As-Published: a retained command keeps its flag on live delivery too (MQTT 5
    // clears it otherwise), so the policy can ignore it.
    broker_.subscribe(topics_.command_filter(), MQTT_SUB_OPT_RETAIN_AS_PUBLISHED);
    broker_.subscribe("homeassistant/status");
    availability_sent_ = false;
    publish_availability();
    publish_discovery();
    publish_state(true);
    publish_metrics();
    telemetry_gate_.reset();
    if (status_) {
        const json telemetry = telemetry_payload(*status_);
        telemetry_gate_.should_publish(telemetry, belt_moving(*status_), Clock::now());
        publish_json(topics_.telemetry(), telemetry, false, 0);
    }
}

void Bridge::on_status(const json& status) {
    status_ = status;
    if (!daemon_up_) {
        std::cerr << "treadmill-mqtt: watching treadmilld on " << config_.socket << std::endl;
        daemon_up_ = true;
        publish_metrics();
    }
    publish_availability();
    publish_events(events_.update(status));
    publish_state(false);
    const json telemetry = telemetry_payload(status);
    if (telemetry_gate_.should_publish(telemetry, belt_moving(status), Clock::now())) {
        publish_json(topics_.telemetry(), telemetry, false, 0);
    }
}

void Bridge::publish_events(std::vector<json> events) {
    const auto ended = std::find_if(events.begin(), events.end(), [](const json& e) {
        return e.value("event", "") == "session_ended";
    });
    if (ended == events.end()) {
        for (const auto& event : events) publish_json(topics_.event(), event, false);
        return;
    }
    // The daemon has the summary once its status leaves the session (the same control cycle).
    daemon_.call({{"cmd", "session"}}, [this, events](const json& reply) {
        for (const auto& event : events) {
            publish_json(topics_.event(),
                         event.value("event", "") == "session_ended"
                             ? with_session_summary(event, reply)
                             : event,
                         false);
        }
    });
}

void Bridge::on_daemon_down(const std::string& why) {
    if (daemon_up_) std::cerr << "treadmill-mqtt: lost treadmilld: " << why << std::endl;
    daemon_up_ = false;
    status_.reset();
    publish_availability();
}

void Bridge::on_message(const Incoming& message) {
    if (message.topic == "homeassistant/status") {
        if (message.payload == "online") {
            publish_discovery();
            publish_state(true);
        }
        return;
    }
    if (const auto name = topics_.command_name(message.topic)) on_command(*name, message);
}

void Bridge::on_command(const std::string& name, const Incoming& message) {
    CommandMessage command{name, message.payload, message.retained, message.expired,
                           status_ ? status_->value("state", "") : ""};
    const auto decision = policy_.decide(command, Clock::now());
    if (!decision.forward) {
        std::cerr << "treadmill-mqtt: " << name << " not forwarded: " << decision.reason
                  << std::endl;
        return publish_result(name, refusal_reply(decision.code, decision.reason), message);
    }
    if (calls_in_flight_ >= kMaxCallsInFlight) {
        return publish_result(
            name, refusal_reply("refused", "too many commands waiting for the daemon; try again"),
            message);
    }
    ++calls_in_flight_;
    daemon_.call(decision.request, [this, name, message](const json& reply) {
        --calls_in_flight_;
        publish_result(name, reply, message);
    });
}

void Bridge::publish_result(const std::string& name, const json& reply, const Incoming& message) {
    json payload = result_payload(name, reply);
    // MQTT 3 clients can correlate through the payload: a "correlation_id" is echoed.
    const auto body = parse_strict_json(message.payload);
    if (body && body->is_object() && body->contains("correlation_id")) {
        payload["correlation_id"] = (*body)["correlation_id"];
    }
    const std::string topic = message.response_topic.value_or(topics_.result());
    broker_.publish(topic, json_text(payload), false, message.correlation_data);
}

void Bridge::publish_discovery() {
    for (const auto& d : discovery_configs(topics_, config_.name)) {
        publish_json(d.topic, d.config, true);
    }
}

// Online when both the broker and the daemon are there; the will says offline otherwise.
void Bridge::publish_availability() {
    if (!broker_.connected()) return;
    if (availability_sent_ && published_online_ == daemon_up_) return;
    if (broker_.publish(topics_.availability(), daemon_up_ ? "online" : "offline", true)) {
        availability_sent_ = true;
        published_online_ = daemon_up_;
    }
}

void Bridge::publish_state(bool force) {
    if (!status_) return;
    const json state = state_payload(*status_);
    if (!force && published_state_ && *published_state_ == state) return;
    if (!broker_.connected()) return;
    publish_json(topics_.state(), state, true);
    published_state_ = state;
}

// Telemetry goes at QoS 0 (the next one supersedes it a second later); everything else at 1.
void Bridge::publish_json(const std::string& topic, const json& payload, bool retain, int qos) {
    broker_.publish(topic, json_text(payload), retain, std::nullopt, qos);
}

}  // namespace treadmill::mqtt
