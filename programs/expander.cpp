// Expander: the document header, references, defaults and simple steps.
#include "programs/expander.hpp"

#include <algorithm>

#include "programs/step_class.hpp"

namespace treadmill::programs {

namespace {

const std::vector<std::string> top_keys{"schema",   "name",     "description", "tags",
                                        "requires", "defaults", "references",  "steps"};
const std::vector<std::string> repeat_keys{"repeat", "steps", "skip_last"};
const std::vector<std::string> fartlek_keys{"fartlek", "seed",     "surge",
                                            "recover", "quantize", "start_with"};

std::vector<std::string> simple_step_keys() {
    std::vector<std::string> keys = step_class_names();
    for (const char* k : {"pace", "speed", "incline", "cue", "max"}) keys.emplace_back(k);
    return keys;
}

Position or_start(Position p) {
    return p.line > 0 ? p : Position{1, 1};
}

}  // namespace

Expander::Expander(DiagnosticSink& sink, const ResolveOptions& options)
    : sink_(sink), options_(options) {}

Timeline Expander::run(const YAML::Node& root, std::string_view id) {
    timeline_.id = std::string(id);
    MapReader top(root, sink_, "the program", top_keys);
    std::map<std::string, ReferenceDefinition> references;
    if (const auto* e = top.find("references")) references = read_references(e->value);
    resolver_ = std::make_unique<ReferenceResolver>(options_, std::move(references), sink_);
    if (!root.IsMap()) return timeline_;
    read_header(top);
    if (const auto* e = top.find("defaults")) read_defaults(e->value);
    if (const auto* e = top.find("steps"))
        expand_steps(e->value, "steps");
    else
        sink_.error(or_start(position_of(root)), "missing 'steps:' (the list of steps)");
    for (const auto& step : timeline_.steps) {
        timeline_.total_s += step.duration_s;
        timeline_.total_m += step.distance_m;
    }
    return timeline_;
}

void Expander::read_header(const MapReader& top) {
    const auto* schema = top.find("schema");
    if (!schema) {
        sink_.error({1, 1}, "missing 'schema: treadmill-workout/1'");
    } else if (auto text = scalar_text(schema->value, sink_, "schema");
               text && *text != "treadmill-workout/1") {
        sink_.error(position_of(schema->value),
                    "unknown schema '" + *text + "'; expected 'treadmill-workout/1'");
    }
    if (const auto* name = top.find("name")) {
        if (auto text = scalar_text(name->value, sink_, "name")) timeline_.name = *text;
    } else {
        sink_.error({1, 1}, "missing 'name:' (the program's title)");
    }
    if (const auto* d = top.find("description"))
        if (auto text = scalar_text(d->value, sink_, "description")) timeline_.description = *text;
    if (const auto* tags = top.find("tags")) {
        if (!tags->value.IsSequence()) {
            sink_.error(position_of(tags->value),
                        "'tags': expected a list like [intervals, speed]");
        } else {
            for (const auto& tag : tags->value)
                if (auto text = scalar_text(tag, sink_, "tags")) timeline_.tags.push_back(*text);
        }
    }
    if (const auto* r = top.find("requires")) read_requires(r->value);
}

void Expander::read_requires(const YAML::Node& node) {
    MapReader map(node, sink_, "requires:", {"max_speed", "max_incline"});
    auto& req = timeline_.requires_;
    if (const auto* e = map.find("max_speed")) {
        if (auto text = quantity_text(e->value, sink_, "max_speed", "'20 km/h'")) {
            auto v = parse_speed_kmh(*text);
            if (v)
                req.max_speed_kmh = *v;
            else
                sink_.error(position_of(e->value), "'max_speed': " + v.error());
        }
    }
    if (const auto* e = map.find("max_incline")) {
        if (auto text = quantity_text(e->value, sink_, "max_incline", "'15%'")) {
            auto v = parse_incline_pct(*text);
            if (v)
                req.max_incline_pct = *v;
            else
                sink_.error(position_of(e->value), "'max_incline': " + v.error());
        }
    }
    for (const auto& unmet : unmet_requirements(req, options_.limits))
        sink_.warning(position_of(node),
                      "requires: " + unmet + "; this machine will refuse to start the program");
}

void Expander::read_defaults(const YAML::Node& node) {
    MapReader map(node, sink_, "defaults:", {"incline", "pace", "speed"});
    if (const auto* e = map.find("incline")) {
        default_incline_ = e->value;
        read_incline_span(e->value, "incline", false);
    }
    const auto* pace = map.find("pace");
    const auto* speed = map.find("speed");
    if (pace && speed)
        sink_.error(position_of(speed->key_node), "give either 'speed:' or 'pace:', not both");
    if (pace || speed) default_speed_ = pace ? *pace : *speed;
}

std::map<std::string, ReferenceDefinition> Expander::read_references(const YAML::Node& node) {
    std::map<std::string, ReferenceDefinition> refs;
    MapReader map(node, sink_, "references:", {});
    for (const auto& e : map.entries()) {
        if (!is_reference_name(e.key) || parse_speed_kmh(e.key)) {
            sink_.error(position_of(e.key_node),
                        "'" + e.key + "' cannot name a reference (letters, digits, '_', '-')");
            continue;
        }
        auto text = quantity_text(e.value, sink_, e.key, "'4:00/km' or '15 km/h'");
        if (!text) continue;
        const Position at = position_of(e.value);
        if (auto expr = parse_speed_expr(*text); !expr) {
            sink_.error(at, "reference '" + e.key + "': " + expr.error());
            continue;
        }
        refs[e.key] = ReferenceDefinition{*text, sink_.file(), at.line, at.column};
    }
    return refs;
}

void Expander::expand_steps(const YAML::Node& steps, std::string_view key) {
    if (!steps.IsSequence()) {
        sink_.error(position_of(steps),
                    "'" + std::string(key) + "': expected a list of steps ('- run: 400 m')");
        return;
    }
    if (steps.size() == 0) sink_.error(position_of(steps), "'" + std::string(key) + "' is empty");
    for (const auto& step : steps) expand_step(step);
}

void Expander::expand_step(const YAML::Node& step) {
    if (++work_ > max_timeline_steps * 20) {
        if (!saturated_) sink_.error(position_of(step), "the program is too large to expand");
        saturated_ = true;
        return;
    }
    if (!step.IsMap()) {
        sink_.error(position_of(step), "a step is a mapping like '- run: 400 m'");
        return;
    }
    if (step["repeat"]) return expand_repeat(MapReader(step, sink_, "a repeat block", repeat_keys));
    if (step["fartlek"])
        return expand_fartlek(MapReader(step, sink_, "a fartlek block", fartlek_keys));
    MapReader map(step, sink_, "a step", simple_step_keys());
    std::vector<const MapReader::Entry*> classes;
    for (const auto& e : map.entries())
        if (step_class_from_name(e.key)) classes.push_back(&e);
    if (classes.empty()) {
        sink_.error(position_of(step),
                    "a step needs one class key: warmup, run, recover, walk or cooldown "
                    "(or repeat:, fartlek:)");
        return;
    }
    if (classes.size() > 1) {
        sink_.error(position_of(classes[1]->key_node), "a step has exactly one class key; found '" +
                                                           classes[0]->key + "' and '" +
                                                           classes[1]->key + "'");
        return;
    }
    expand_simple(map, step, classes[0]->key);
}

std::optional<Extent> Expander::read_extent(const YAML::Node& value, std::string_view key,
                                            bool& open) {
    auto picked = pick(value, key);
    if (!picked) return std::nullopt;
    const std::string k(key);
    if (picked->IsScalar() && picked->Scalar() == "open") {
        open = true;
        return Extent{};
    }
    auto text = quantity_text(*picked, sink_, key, "'400 m' or '2 min'");
    if (!text) return std::nullopt;
    auto extent = parse_extent(*text);
    if (!extent) {
        sink_.error(position_of(*picked), "'" + k + "': " + extent.error());
        return std::nullopt;
    }
    if (!(extent->value > 0)) {
        sink_.error(position_of(*picked), "'" + k + "': must be more than 0");
        return std::nullopt;
    }
    return *extent;
}

void Expander::expand_simple(const MapReader& map, const YAML::Node& step, const std::string& cls) {
    const auto* class_entry = map.find(cls);
    bool open = false;
    auto extent = read_extent(class_entry->value, cls, open);
    const auto* max = map.find("max");
    if (max && !open) {
        sink_.error(position_of(max->key_node),
                    "'max:' applies only to an open step ('" + cls + ": open')");
    } else if (max) {
        bool max_open = false;
        extent = read_extent(max->value, "max", max_open);
        if (max_open) sink_.error(position_of(max->value), "'max': give a time or a distance");
        if (max_open) extent.reset();
    } else if (open) {
        sink_.error(position_of(class_entry->value),
                    "an open step needs 'max:' (a time or a distance), e.g. 'max: 10 min'");
        extent.reset();
    }
    const auto targets = read_targets(map, position_of(step));
    TimelineStep s;
    s.step_class = *step_class_from_name(cls);
    if (extent) s.extent_kind = extent->kind, s.extent = extent->value;
    s.open = open;
    if (targets) {
        s.manual_speed = targets->manual;
        s.speed_kmh = targets->speed_from;
        s.speed_end_kmh = targets->speed_to;
        s.incline_pct = targets->incline_from;
        s.incline_end_pct = targets->incline_to;
    }
    if (auto rc = innermost()) s.rep = rc->rep, s.reps = rc->reps;
    std::optional<std::string> cue = "";
    if (const auto* entry = map.find("cue")) cue = fill_cue(entry->value, s);  // checked anyway
    if (!extent || !targets || !cue) return;
    s.cue = *cue;
    push_step(std::move(s), position_of(step), targets->provisional);
}

}  // namespace treadmill::programs
