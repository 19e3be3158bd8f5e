#include "history/bests.hpp"

#include <algorithm>
#include <cstddef>

namespace treadmill::history {

namespace {

double meters_at(const Sample& s) {
    return static_cast<double>(s.distance_mm) / 1000.0;
}

// The earliest time the run reaches `target` meters (samples[i] is the first at or past it).
double time_reaching(std::span<const Sample> samples, std::size_t i, double target) {
    if (i == 0) return samples[0].elapsed_s;
    const Sample& a = samples[i - 1];
    const Sample& b = samples[i];
    const double span_m = meters_at(b) - meters_at(a);
    if (span_m <= 0) return b.elapsed_s;
    return a.elapsed_s + (b.elapsed_s - a.elapsed_s) * (target - meters_at(a)) / span_m;
}

// The latest time the run was still at or before `target` meters (samples[i] is the last at or
// before it).
double time_leaving(std::span<const Sample> samples, std::size_t i, double target) {
    if (i + 1 >= samples.size()) return samples[i].elapsed_s;
    const Sample& a = samples[i];
    const Sample& b = samples[i + 1];
    const double span_m = meters_at(b) - meters_at(a);
    if (span_m <= 0) return a.elapsed_s;
    return a.elapsed_s + (b.elapsed_s - a.elapsed_s) * (target - meters_at(a)) / span_m;
}

void keep_faster(std::optional<Stretch>& best, double start_s, double end_s) {
    const double time = end_s - start_s;
    if (time <= 0) return;
    if (!best || time < best->time_s) best = Stretch{time, start_s};
}

}  // namespace

// Distance is piecewise linear in time, so the fastest stretch starts or ends at a sample:
// try each sample as a start (interpolate the end) and as an end (interpolate the start).
std::optional<Stretch> fastest_stretch(std::span<const Sample> samples, double meters) {
    std::optional<Stretch> best;
    if (samples.size() < 2 || meters_at(samples.back()) - meters_at(samples.front()) < meters) {
        return best;
    }
    const auto by_distance = [](const Sample& s, double m) { return meters_at(s) < m; };
    const auto distance_above = [](double m, const Sample& s) { return m < meters_at(s); };
    for (std::size_t i = 0; i < samples.size(); ++i) {
        const double start_m = meters_at(samples[i]);
        const auto at_i = samples.begin() + static_cast<std::ptrdiff_t>(i);
        const auto end = std::lower_bound(at_i, samples.end(), start_m + meters, by_distance);
        if (end != samples.end()) {
            const auto j = static_cast<std::size_t>(end - samples.begin());
            keep_faster(best, samples[i].elapsed_s, time_reaching(samples, j, start_m + meters));
        }
        const double from_m = meters_at(samples[i]) - meters;
        if (from_m < meters_at(samples.front())) continue;
        const auto after = std::upper_bound(samples.begin(), at_i + 1, from_m, distance_above);
        const auto k = static_cast<std::size_t>(after - samples.begin()) - 1;
        keep_faster(best, time_leaving(samples, k, from_m), samples[i].elapsed_s);
    }
    return best;
}

std::vector<std::span<const Sample>> unpaused_runs(const std::vector<Sample>& samples,
                                                   const std::vector<Event>& events) {
    std::vector<double> pauses;
    for (const auto& e : events) {
        if (e.kind == "pause") pauses.push_back(e.elapsed_s);
    }
    std::sort(pauses.begin(), pauses.end());
    std::vector<std::span<const Sample>> runs;
    std::size_t begin = 0;
    for (std::size_t i = 0; i + 1 < samples.size(); ++i) {
        // A pause at or after this sample and before the next one separates them; so does
        // distance gained while the workout clock stood still (a ramp-down when pausing).
        const auto p = std::lower_bound(pauses.begin(), pauses.end(), samples[i].elapsed_s);
        const bool paused = p != pauses.end() && *p < samples[i + 1].elapsed_s;
        const bool clock_stood = samples[i + 1].elapsed_s <= samples[i].elapsed_s;
        if (!paused && !clock_stood) continue;
        runs.emplace_back(samples.data() + begin, i + 1 - begin);
        begin = i + 1;
    }
    if (begin < samples.size()) runs.emplace_back(samples.data() + begin, samples.size() - begin);
    return runs;
}

std::array<std::optional<Stretch>, kBestDistances.size()> session_bests(
    const std::vector<Sample>& samples, const std::vector<Event>& events) {
    std::array<std::optional<Stretch>, kBestDistances.size()> bests;
    for (const auto run : unpaused_runs(samples, events)) {
        for (std::size_t d = 0; d < kBestDistances.size(); ++d) {
            const auto stretch = fastest_stretch(run, kBestDistances[d].meters);
            if (stretch && (!bests[d] || stretch->time_s < bests[d]->time_s)) bests[d] = stretch;
        }
    }
    return bests;
}

}  // namespace treadmill::history
