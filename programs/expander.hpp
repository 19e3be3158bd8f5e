// Walks a parsed workout document and expands it into a Timeline: header, references,
// defaults, steps, repeats (per-rep lists, skip_last) and fartlek blocks. Every problem is
// reported to the sink; expansion goes on after an error to find the others. Internal.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "programs/fartlek.hpp"
#include "programs/program_loader.hpp"
#include "programs/quantity.hpp"
#include "programs/reference_resolver.hpp"
#include "programs/yaml_doc.hpp"

namespace treadmill::programs {

inline constexpr double max_program_s = 4 * 3600.0;
inline constexpr std::size_t max_timeline_steps = 10000;
inline constexpr int max_repeat_count = 1000;

class Expander {
  public:
    Expander(DiagnosticSink& sink, const ResolveOptions& options);
    // The timeline (also when errors were found: callers check the sink).
    Timeline run(const YAML::Node& root, std::string_view id);

  private:
    struct RepContext {
        int rep = 1;
        int reps = 1;
    };
    // A speed or incline target resolved to numbers (before clamping).
    struct Targets {
        bool manual = false;
        double speed_from = 0, speed_to = 0;
        bool provisional = false;
        double incline_from = 0, incline_to = 0;
    };

    // expander.cpp: the document and simple steps
    void read_header(const MapReader& top);
    void read_requires(const YAML::Node& node);
    void read_defaults(const YAML::Node& node);
    std::map<std::string, ReferenceDefinition> read_references(const YAML::Node& node);
    void expand_steps(const YAML::Node& steps, std::string_view key);
    void expand_step(const YAML::Node& step);
    void expand_simple(const MapReader& map, const YAML::Node& step, const std::string& cls);
    std::optional<Extent> read_extent(const YAML::Node& value, std::string_view key, bool& open);

    // expander_blocks.cpp: repeat and fartlek
    void expand_repeat(const MapReader& map);
    std::optional<int> read_count(const YAML::Node& node);
    void apply_skip_last(const YAML::Node& node, std::size_t block_start);
    void expand_fartlek(const MapReader& map);
    struct SegmentRead {
        FartlekSegmentSpec spec;
        bool provisional = false;
        std::optional<YAML::Node> cue;
    };
    std::optional<SegmentRead> read_segment(const YAML::Node& node, std::string_view key,
                                            ExtentKind kind);
    bool read_segment_extent(const YAML::Node& node, ExtentKind kind, FartlekSegmentSpec& spec);
    bool read_segment_targets(const MapReader& map, SegmentRead& out);
    std::optional<std::int64_t> read_quantum(const MapReader& map, ExtentKind kind);
    std::optional<std::int64_t> to_integer_extent(double value, Position at, std::string_view key);
    std::uint64_t read_seed(const MapReader& map);
    void emit_fartlek(const std::vector<FartlekSegment>& segments, ExtentKind kind, Position at,
                      const SegmentRead& surge, const SegmentRead& recover);

    // expander_targets.cpp: values, targets, clamping, cues and the timeline
    std::optional<YAML::Node> pick(const YAML::Node& value, std::string_view key);
    std::optional<Targets> read_targets(const MapReader& map, Position step_at);
    bool read_speed_target(const MapReader& map, Position step_at, Targets& t);
    std::optional<Span<double>> read_speed_span(const YAML::Node& node, std::string_view key,
                                                bool allow_range, bool& provisional);
    std::optional<Span<double>> read_incline_span(const YAML::Node& node, std::string_view key,
                                                  bool allow_range);
    double clamp_speed(double kmh, bool provisional, Position at);
    double clamp_incline(double pct, Position at);
    std::optional<std::string> fill_cue(const YAML::Node& node, const TimelineStep& step);
    // Appends the step with its estimates; `provisional` when its speed is a nominal stand-in.
    void push_step(TimelineStep step, Position at, bool provisional = false);
    std::optional<RepContext> innermost() const;

    DiagnosticSink& sink_;
    const ResolveOptions& options_;
    std::unique_ptr<ReferenceResolver> resolver_;
    Timeline timeline_;
    std::vector<RepContext> reps_;
    std::optional<YAML::Node> default_incline_;
    std::optional<MapReader::Entry> default_speed_;
    double running_s_ = 0;
    bool provisional_total_ = false;  // some estimate rests on a nominal stand-in pace
    bool saturated_ = false;          // over 4 h or the step cap: repeats stop after this rep
    std::uint64_t unseeded_blocks_ = 0;
    std::size_t work_ = 0;  // steps walked, capped against expansion bombs
};

}  // namespace treadmill::programs
