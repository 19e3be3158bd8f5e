// Expander: repeat blocks (per-rep lists, skip_last) and fartlek blocks.
#include <algorithm>
#include <charconv>

#include "programs/expander.hpp"
#include "programs/step_class.hpp"

namespace treadmill::programs {

namespace {

bool all_digits(const std::string& s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::optional<int> Expander::read_count(const YAML::Node& node) {
    auto picked = pick(node, "repeat");
    if (!picked) return std::nullopt;
    auto text = scalar_text(*picked, sink_, "repeat");
    if (!text) return std::nullopt;
    int count = 0;
    const char* end = text->data() + text->size();
    const auto [ptr, ec] = std::from_chars(text->data(), end, count);
    if (!all_digits(*text) || ec != std::errc() || ptr != end || count < 1 ||
        count > max_repeat_count) {
        sink_.error(position_of(*picked), "'repeat': expected a whole count from 1 to " +
                                              std::to_string(max_repeat_count) +
                                              ", e.g. 'repeat: 8'; got '" + *text + "'");
        return std::nullopt;
    }
    return count;
}

void Expander::expand_repeat(const MapReader& map) {
    const auto* repeat = map.find("repeat");
    if (!repeat) return;
    const auto count = read_count(repeat->value);
    const auto* steps = map.find("steps");
    if (!steps) {
        sink_.error(position_of(repeat->key_node), "a repeat block needs 'steps:'");
        return;
    }
    const int n = count.value_or(1);
    const std::size_t block_start = timeline_.steps.size();
    for (int rep = 1; rep <= n; ++rep) {
        reps_.push_back({rep, n});
        expand_steps(steps->value, "steps");
        reps_.pop_back();
        if (saturated_) break;
    }
    if (const auto* skip = map.find("skip_last"); skip && count)
        apply_skip_last(skip->value, block_start);
}

void Expander::apply_skip_last(const YAML::Node& node, std::size_t block_start) {
    auto text = scalar_text(node, sink_, "skip_last");
    if (!text) return;
    const auto cls = step_class_from_name(*text);
    if (!cls) {
        sink_.error(position_of(node), "'skip_last': unknown step class '" + *text + "'" +
                                           did_you_mean(*text, step_class_names()) +
                                           "; expected warmup, run, recover, walk or cooldown");
        return;
    }
    if (timeline_.steps.size() <= block_start || saturated_) return;
    const TimelineStep& last = timeline_.steps.back();
    if (last.step_class != *cls) {
        sink_.error(position_of(node), "'skip_last: " + *text +
                                           "', but the final step of this repeat is a '" +
                                           std::string(to_string(last.step_class)) + "' (line " +
                                           std::to_string(last.source_line) + ")");
        return;
    }
    running_s_ -= last.duration_s;
    timeline_.steps.pop_back();
}

std::optional<std::int64_t> Expander::to_integer_extent(double value, Position at,
                                                        std::string_view key) {
    const double scaled = value * 1000.0;
    const std::string k(key);
    if (!(scaled >= 0.5)) {
        sink_.error(at, "'" + k + "': rounds to 0 (extents are whole milliseconds or millimetres)");
        return std::nullopt;
    }
    if (scaled > 1e15) {
        sink_.error(at, "'" + k + "': too large");
        return std::nullopt;
    }
    return std::llround(scaled);
}

std::uint64_t Expander::read_seed(const MapReader& map) {
    const auto* entry = map.find("seed");
    if (!entry) return options_.drawn_seed.value_or(0) + unseeded_blocks_++;
    auto picked = pick(entry->value, "seed");
    if (!picked) return 0;
    auto text = scalar_text(*picked, sink_, "seed");
    if (!text) return 0;
    std::uint64_t seed = 0;
    const char* end = text->data() + text->size();
    const auto [ptr, ec] = std::from_chars(text->data(), end, seed);
    if (!all_digits(*text) || ec != std::errc() || ptr != end)
        sink_.error(position_of(*picked),
                    "'seed': expected a whole number from 0 to 18446744073709551615");
    return seed;
}

std::optional<std::int64_t> Expander::read_quantum(const MapReader& map, ExtentKind kind) {
    const std::int64_t fallback = kind == ExtentKind::time ? 5000 : 10000;  // 5 s or 10 m
    const auto* entry = map.find("quantize");
    if (!entry) return fallback;
    bool open = false;
    auto extent = read_extent(entry->value, "quantize", open);
    const Position at = position_of(entry->value);
    if (open) sink_.error(at, "'quantize': give a time or a distance");
    if (!extent || open) return std::nullopt;
    if (extent->kind != kind) {
        sink_.error(at, kind == ExtentKind::time ? "'quantize': the block is timed; give a time"
                                                 : "'quantize': the block is a distance; give a "
                                                   "distance");
        return std::nullopt;
    }
    return to_integer_extent(extent->value, at, "quantize");
}

bool Expander::read_segment_extent(const YAML::Node& node, ExtentKind kind,
                                   FartlekSegmentSpec& spec) {
    auto picked = pick(node, "for");
    if (!picked) return false;
    auto text = quantity_text(*picked, sink_, "for", "'20 s..90 s'");
    if (!text) return false;
    const Position at = position_of(*picked);
    auto span = parse_extent_span(*text);
    if (!span) return sink_.error(at, "'for': " + span.error()), false;
    if (span->shape == Shape::ramp)
        return sink_.error(at, "'for': give a range (a..b) or a single extent, not a ramp"), false;
    if (span->from.kind != kind)
        return sink_.error(at, kind == ExtentKind::time ? "'for': the block is timed; give times"
                                                        : "'for': the block is a distance; give "
                                                          "distances"),
               false;
    auto lo = to_integer_extent(span->from.value, at, "for");
    auto hi = to_integer_extent(span->to.value, at, "for");
    if (!lo || !hi) return false;
    if (*lo > *hi) return sink_.error(at, "'for': the lower bound is above the upper one"), false;
    spec.extent_lo = *lo;
    spec.extent_hi = *hi;
    spec.extent_range = span->shape == Shape::range;
    return true;
}

}  // namespace treadmill::programs
