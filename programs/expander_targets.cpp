// Expander: per-rep values, speed and incline targets, clamping, cues and appending steps.
#include <algorithm>
#include <cmath>

#include "programs/expander.hpp"

namespace treadmill::programs {

namespace {

// Ranges (a..b) belong inside a fartlek block and ramps (a -> b) outside it: false, reported,
// when `shape` is in the wrong place.
bool shape_allowed(DiagnosticSink& sink, Shape shape, bool allow_range, Position at,
                   const std::string& key) {
    if (shape == Shape::range && !allow_range) {
        sink.error(at, "'" + key + "': a range (a..b) is only allowed inside a fartlek block");
        return false;
    }
    if (shape == Shape::ramp && allow_range) {
        sink.error(at, "'" + key + "': a ramp (a -> b) is not allowed inside a fartlek block");
        return false;
    }
    return true;
}

}  // namespace

std::optional<Expander::RepContext> Expander::innermost() const {
    if (reps_.empty()) return std::nullopt;
    return reps_.back();
}

std::optional<YAML::Node> Expander::pick(const YAML::Node& value, std::string_view key) {
    if (!value.IsSequence()) return value;
    const std::string k(key);
    const auto rc = innermost();
    if (!rc) {
        sink_.error(position_of(value), "'" + k +
                                            "': a list gives one value per rep, so it needs an "
                                            "enclosing 'repeat:'");
        return std::nullopt;
    }
    if (value.size() != static_cast<std::size_t>(rc->reps)) {
        sink_.error(position_of(value),
                    "'" + k + "': the list has " + std::to_string(value.size()) +
                        " entries but the innermost repeat has " + std::to_string(rc->reps) +
                        " reps; give exactly " + std::to_string(rc->reps));
        return std::nullopt;
    }
    return value[static_cast<std::size_t>(rc->rep - 1)];
}

std::optional<Span<double>> Expander::read_speed_span(const YAML::Node& node, std::string_view key,
                                                      bool allow_range, bool& provisional) {
    auto text = quantity_text(node, sink_, key, "'12 km/h' or '4:30/km'");
    if (!text) return std::nullopt;
    const Position at = position_of(node);
    const std::string k(key);
    auto span = parse_speed_span(*text);
    if (!span) {
        sink_.error(at, "'" + k + "': " + span.error());
        return std::nullopt;
    }
    if (!shape_allowed(sink_, span->shape, allow_range, at, k)) return std::nullopt;
    auto from = resolver_->evaluate(span->from, at);
    auto to = resolver_->evaluate(span->to, at);
    if (!from || !to) return std::nullopt;
    provisional = from->provisional || to->provisional;
    return Span<double>{span->shape, from->kmh, to->kmh};
}

std::optional<Span<double>> Expander::read_incline_span(const YAML::Node& node,
                                                        std::string_view key, bool allow_range) {
    auto text = quantity_text(node, sink_, key, "'2%'");
    if (!text) return std::nullopt;
    const Position at = position_of(node);
    const std::string k(key);
    auto span = parse_incline_span(*text);
    if (!span) {
        sink_.error(at, "'" + k + "': " + span.error());
        return std::nullopt;
    }
    if (!shape_allowed(sink_, span->shape, allow_range, at, k)) return std::nullopt;
    return *span;
}

bool Expander::read_speed_target(const MapReader& map, Position step_at, Targets& t) {
    const auto* pace = map.find("pace");
    const auto* speed = map.find("speed");
    if (pace && speed) {
        sink_.error(position_of(speed->key_node), "give either 'speed:' or 'pace:', not both");
        return false;
    }
    const MapReader::Entry* entry = pace ? pace : speed;
    if (!entry && default_speed_) entry = &*default_speed_;
    if (!entry) {
        sink_.error(step_at, "a step needs 'pace:' or 'speed:' (or 'speed: manual')");
        return false;
    }
    auto value = pick(entry->value, entry->key);
    if (!value) return false;
    if (value->IsScalar() && value->Scalar() == "manual") {
        t.manual = true;
        t.speed_from = t.speed_to = timeline_.steps.empty() ? options_.limits.min_speed_kmh
                                                            : timeline_.steps.back().speed_end_kmh;
        return true;
    }
    auto span = read_speed_span(*value, entry->key, false, t.provisional);
    if (!span) return false;
    t.speed_from = clamp_speed(span->from, t.provisional, position_of(*value));
    t.speed_to = clamp_speed(span->to, t.provisional, position_of(*value));
    return true;
}

std::optional<Expander::Targets> Expander::read_targets(const MapReader& map, Position step_at) {
    Targets t;
    const bool speed_ok = read_speed_target(map, step_at, t);
    // (Never assign a YAML::Node to an engaged one: yaml-cpp then rewrites the document.)
    std::optional<YAML::Node> incline;
    if (const auto* e = map.find("incline")) {
        incline = pick(e->value, "incline");
        if (!incline) return std::nullopt;  // a bad per-rep list, already reported
    } else if (default_incline_) {
        incline.emplace(*default_incline_);
    }
    if (incline) {
        auto span = read_incline_span(*incline, "incline", false);
        if (!span) return std::nullopt;
        t.incline_from = clamp_incline(span->from, position_of(*incline));
        t.incline_to = clamp_incline(span->to, position_of(*incline));
    }
    if (!speed_ok) return std::nullopt;
    return t;
}

double Expander::clamp_speed(double kmh, bool provisional, Position at) {
    const MachineLimits& m = options_.limits;
    double lo = m.min_speed_kmh, hi = m.max_speed_kmh;
    const char* lo_who = "the machine's";
    const char* hi_who = "the machine's";
    if (options_.profile) {
        const RunnerLimits& r = options_.profile->limits;
        if (r.min_speed_kmh && *r.min_speed_kmh > lo)
            lo = *r.min_speed_kmh, lo_who = "the runner's";
        if (r.max_speed_kmh && *r.max_speed_kmh < hi)
            hi = *r.max_speed_kmh, hi_who = "the runner's";
    }
    // What requires: names is never clamped: the machine meets it, or refuses to start.
    if (const auto& req = timeline_.requires_.max_speed_kmh; req && *req > hi)
        hi = *req, hi_who = "the required";
    double v = kmh;
    if (v > hi) {
        if (!provisional)
            sink_.warning(at, "speed " + format_speed(v) + " is above " + hi_who + " maximum " +
                                  format_speed(hi) + "; clamped");
        v = hi;
    }
    if (v < lo) {
        if (!provisional)
            sink_.warning(at, "speed " + format_speed(v) + " is below " + lo_who + " minimum " +
                                  format_speed(lo) + "; clamped");
        v = lo;
    }
    const double step = m.speed_step_kmh > 0 ? m.speed_step_kmh : 0.1;
    return std::round(std::round(v / step) * step * 1e6) / 1e6;  // no 14.100000000000001
}

double Expander::clamp_incline(double pct, Position at) {
    double lo = options_.limits.min_incline_pct, hi = options_.limits.max_incline_pct;
    if (options_.profile) {
        const RunnerLimits& r = options_.profile->limits;
        if (r.min_incline_pct) lo = std::max(lo, *r.min_incline_pct);
        if (r.max_incline_pct) hi = std::min(hi, *r.max_incline_pct);
    }
    // What requires: names is never clamped: the machine meets it, or refuses to start.
    if (const auto& req = timeline_.requires_.max_incline_pct; req && *req > hi) hi = *req;
    if (pct > hi || pct < lo) {
        const double clamped = std::clamp(pct, std::min(lo, hi), hi);
        sink_.warning(at, "incline " + format_incline(pct) + " is outside " + format_incline(lo) +
                              ".." + format_incline(hi) + "; clamped to " +
                              format_incline(clamped));
        return clamped;
    }
    return pct;
}

void Expander::push_step(TimelineStep step, Position at, bool provisional) {
    const double mean_kmh = std::max((step.speed_kmh + step.speed_end_kmh) / 2.0, 0.1);
    if (step.extent_kind == ExtentKind::time) {
        step.duration_s = step.extent;
        step.distance_m = step.extent * mean_kmh / 3.6;
    } else {
        step.distance_m = step.extent;
        step.duration_s = step.extent / (mean_kmh / 3.6);
        provisional_total_ = provisional_total_ || provisional;
    }
    step.index = timeline_.steps.size();
    step.source_line = at.line;
    running_s_ += step.duration_s;
    if (running_s_ > max_program_s && !saturated_) {
        saturated_ = true;
        std::string message = "the program passes 4 h at this " +
                              std::string(to_string(step.step_class)) + " step (step " +
                              std::to_string(step.index + 1) + ", running total " +
                              format_duration(running_s_) + "); programs are limited to 4 h";
        // Without a profile, distance steps are timed at nominal paces: only a warning then.
        if (provisional_total_)
            sink_.warning(at, message + " (at nominal paces)");
        else
            sink_.error(at, message);
    }
    if (timeline_.steps.size() >= max_timeline_steps) {
        if (!saturated_)
            sink_.error(at, "the program expands to more than " +
                                std::to_string(max_timeline_steps) + " steps");
        saturated_ = true;
        return;
    }
    timeline_.steps.push_back(std::move(step));
}

}  // namespace treadmill::programs
