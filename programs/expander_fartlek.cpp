// Expander: fartlek blocks (the draws themselves are in fartlek.cpp).
#include <algorithm>

#include "programs/expander.hpp"

namespace treadmill::programs {

namespace {

const std::vector<std::string> segment_keys{"for", "pace", "speed", "incline", "cue"};

}  // namespace

bool Expander::read_segment_targets(const MapReader& map, SegmentRead& out) {
    const auto* pace = map.find("pace");
    const auto* speed = map.find("speed");
    if (pace && speed)
        return sink_.error(position_of(speed->key_node),
                           "give either 'speed:' or 'pace:', not both"),
               false;
    const MapReader::Entry* entry = pace ? pace : speed;
    if (!entry) return false;  // reported by the caller
    auto value = pick(entry->value, entry->key);
    if (!value) return false;
    auto span = read_speed_span(*value, entry->key, true, out.provisional);
    if (!span) return false;
    out.spec.speed_lo = std::min(span->from, span->to);
    out.spec.speed_hi = std::max(span->from, span->to);
    out.spec.speed_range = span->shape == Shape::range;
    // (Never assign a YAML::Node to an engaged one: yaml-cpp then rewrites the document.)
    std::optional<YAML::Node> incline;
    const auto* incline_entry = map.find("incline");
    const bool allow_range = incline_entry != nullptr;
    if (incline_entry)
        incline = pick(incline_entry->value, "incline");
    else if (default_incline_)
        incline.emplace(*default_incline_);
    if (incline) {
        auto inc = read_incline_span(*incline, "incline", allow_range);
        if (!inc) return false;
        out.spec.incline_lo = std::min(inc->from, inc->to);
        out.spec.incline_hi = std::max(inc->from, inc->to);
        out.spec.incline_range = inc->shape == Shape::range;
        if (!allow_range) out.spec.incline_hi = out.spec.incline_lo = inc->from;
    }
    if (const auto* e = map.find("cue")) out.cue = e->value;
    return true;
}

std::optional<Expander::SegmentRead> Expander::read_segment(const YAML::Node& node,
                                                            std::string_view key, ExtentKind kind) {
    const std::string k(key);
    MapReader map(node, sink_, "'" + k + ":'", segment_keys);
    if (!node.IsMap()) return std::nullopt;
    SegmentRead out;
    bool ok = true;
    if (const auto* e = map.find("for")) {
        ok = read_segment_extent(e->value, kind, out.spec);
    } else {
        sink_.error(position_of(node), "'" + k + ":' needs 'for:' (an extent or a range)");
        ok = false;
    }
    if (!map.has("pace") && !map.has("speed")) {
        sink_.error(position_of(node), "'" + k + ":' needs 'pace:' or 'speed:'");
        ok = false;
    }
    ok = read_segment_targets(map, out) && ok;
    if (!ok) return std::nullopt;
    return out;
}

void Expander::expand_fartlek(const MapReader& map) {
    const auto* block = map.find("fartlek");
    if (!block) return;
    const Position at = position_of(block->key_node);
    bool open = false;
    auto extent = read_extent(block->value, "fartlek", open);
    if (open) sink_.error(position_of(block->value), "'fartlek': give a time or a distance");
    const ExtentKind kind = extent && !open ? extent->kind : ExtentKind::time;
    const auto quantum = read_quantum(map, kind);
    const std::uint64_t seed = read_seed(map);
    bool start_with_surge = false;
    if (const auto* e = map.find("start_with")) {
        auto text = scalar_text(e->value, sink_, "start_with");
        if (text && *text != "surge" && *text != "recover")
            sink_.error(position_of(e->value), "'start_with': expected 'surge' or 'recover'" +
                                                   did_you_mean(*text, {"surge", "recover"}));
        start_with_surge = text && *text == "surge";
    }
    std::optional<SegmentRead> surge, recover;
    for (const char* key : {"surge", "recover"}) {
        const auto* e = map.find(key);
        if (!e)
            sink_.error(at, std::string("a fartlek block needs '") + key + ":'");
        else
            (key[0] == 's' ? surge : recover) = read_segment(e->value, key, kind);
    }
    if (!extent || open || !quantum || !surge || !recover) return;
    auto total = to_integer_extent(extent->value, position_of(block->value), "fartlek");
    if (!total) return;
    FartlekSpec spec{*total, *quantum, surge->spec, recover->spec, start_with_surge, seed};
    const auto segments = draw_fartlek(spec, max_timeline_steps);
    if (segments.empty()) {
        sink_.error(at, "the fartlek block needs more than " + std::to_string(max_timeline_steps) +
                            " segments; give longer extents");
        saturated_ = true;
        return;
    }
    timeline_.seeds.push_back(seed);
    emit_fartlek(segments, kind, at, *surge, *recover);
}

void Expander::emit_fartlek(const std::vector<FartlekSegment>& segments, ExtentKind kind,
                            Position at, const SegmentRead& surge, const SegmentRead& recover) {
    for (const auto& seg : segments) {
        const SegmentRead& read = seg.surge ? surge : recover;
        TimelineStep s;
        s.step_class = seg.surge ? StepClass::run : StepClass::recover;
        s.extent_kind = kind;
        s.extent = static_cast<double>(seg.extent) / 1000.0;
        s.speed_kmh = s.speed_end_kmh = clamp_speed(seg.speed_kmh, read.provisional, at);
        s.incline_pct = s.incline_end_pct = clamp_incline(seg.incline_pct, at);
        if (auto rc = innermost()) s.rep = rc->rep, s.reps = rc->reps;
        if (read.cue) {
            auto cue = fill_cue(*read.cue, s);
            if (!cue) return;
            s.cue = *cue;
        }
        push_step(std::move(s), at, read.provisional);
    }
}

}  // namespace treadmill::programs
