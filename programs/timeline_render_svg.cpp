// The SVG profile chart: steps shaded by class, incline as a filled area (right axis), speed as
// a line (left axis), time along the bottom, a legend and a title. No external resources.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "common/xml_text.hpp"
#include "programs/timeline_render.hpp"

namespace treadmill::programs {

namespace {

constexpr double kWidth = 960, kHeight = 470;
constexpr double kLeft = 72, kRight = 888, kTop = 64, kBottom = 374;
constexpr const char* kSpeedColour = "#1f4e9c";
constexpr const char* kInclineColour = "#b5651d";

struct ClassStyle {
    StepClass step_class;
    const char* colour;
};
constexpr ClassStyle kClassStyles[] = {
    {StepClass::warmup, "#f6c85f"},   {StepClass::run, "#e8604c"},
    {StepClass::recover, "#6fb07f"},  {StepClass::walk, "#8fbde6"},
    {StepClass::cooldown, "#b39ddb"},
};

const char* class_colour(StepClass c) {
    for (const auto& style : kClassStyles)
        if (style.step_class == c) return style.colour;
    return "#cccccc";
}

// A number for SVG coordinates and labels ("%.2f" without trailing zeros).
std::string num(double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.2f", value);
    std::string text = buffer;
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
    return text == "-0" ? "0" : text;
}

// A tick spacing of 1, 2 or 5 × 10^k giving about `target` intervals over `range`.
double nice_step(double range, double target) {
    const double raw = std::max(range, 1e-9) / target;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (const double factor : {1.0, 2.0, 5.0})
        if (raw <= factor * magnitude + 1e-12) return factor * magnitude;
    return 10.0 * magnitude;
}

// The smallest 1, 2, 2.5 or 5 × 10^k that is at least `value`.
double nice_ceil(double value) {
    const double magnitude = std::pow(10.0, std::floor(std::log10(std::max(value, 1e-9))));
    for (const double factor : {1.0, 2.0, 2.5, 5.0})
        if (value <= factor * magnitude + 1e-12) return factor * magnitude;
    return 10.0 * magnitude;
}

// The value ranges and the mapping from (time, speed, incline) to the plot area.
struct Frame {
    double total_s = 1, speed_max = 1, incline_min = 0, incline_max = 1;
    double speed_step = 1, incline_step = 1, time_step_min = 1;

    double x(double t) const { return kLeft + (kRight - kLeft) * t / total_s; }
    double y_speed(double v) const { return kBottom - (kBottom - kTop) * v / speed_max; }
    double y_incline(double i) const {
        return kBottom - (kBottom - kTop) * (i - incline_min) / (incline_max - incline_min);
    }
};

Frame make_frame(const Timeline& timeline) {
    Frame f;
    double top_speed = 0, low = 0, high = 0;
    for (const auto& s : timeline.steps) {
        top_speed = std::max({top_speed, s.speed_kmh, s.speed_end_kmh});
        low = std::min({low, s.incline_pct, s.incline_end_pct});
        high = std::max({high, s.incline_pct, s.incline_end_pct});
    }
    f.total_s = std::max(timeline.total_s, 1.0);
    f.speed_step = nice_step(std::max(top_speed, 1.0), 5);
    const double intervals = std::ceil(std::max(top_speed, 1.0) * 1.05 / f.speed_step);
    f.speed_max = f.speed_step * intervals;
    // The incline axis has as many intervals as the speed axis, so both share the grid lines.
    high = std::max(high, low + 5.0);
    for (f.incline_step = nice_ceil((high - low) / intervals);;
         f.incline_step = nice_ceil(f.incline_step * 1.01)) {
        f.incline_min = f.incline_step * std::floor(low / f.incline_step);
        if (f.incline_min + f.incline_step * intervals >= high - 1e-9) break;
    }
    f.incline_max = f.incline_min + f.incline_step * intervals;
    f.time_step_min = nice_step(f.total_s / 60.0, 10);
    return f;
}

std::string text_at(double x, double y, std::string_view anchor, std::string_view content,
                    std::string_view extra = "") {
    return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + std::string(anchor) +
           "\"" + std::string(extra) + ">" + xml_text(content) + "</text>\n";
}

std::string line(double x1, double y1, double x2, double y2, std::string_view style) {
    return "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" +
           num(y2) + "\" " + std::string(style) + "/>\n";
}

// One shaded band per step, with the step's details as a hover tooltip.
std::string step_bands(const Timeline& timeline, const Frame& f) {
    std::string out = "<g class=\"steps\" fill-opacity=\"0.22\">\n";
    double t = 0;
    for (const auto& s : timeline.steps) {
        const double x0 = f.x(t), x1 = f.x(t + s.duration_s);
        out += "<rect x=\"" + num(x0) + "\" y=\"" + num(kTop) + "\" width=\"" +
               num(std::max(x1 - x0, 0.0)) + "\" height=\"" + num(kBottom - kTop) + "\" fill=\"" +
               class_colour(s.step_class) + "\"><title>" +
               xml_text(std::to_string(s.index + 1) + ". " + std::string(to_string(s.step_class)) +
                        " " + render_clock(s.duration_s) + (s.cue.empty() ? "" : ": " + s.cue)) +
               "</title></rect>\n";
        if (s.open)  // ends when skipped: hatched, at most its max
            out += "<rect x=\"" + num(x0) + "\" y=\"" + num(kTop) + "\" width=\"" +
                   num(std::max(x1 - x0, 0.0)) + "\" height=\"" + num(kBottom - kTop) +
                   "\" fill=\"url(#open-step)\" fill-opacity=\"1\"/>\n";
        t += s.duration_s;
    }
    return out + "</g>\n";
}

// The hatching of open steps (defined in the document, no external resource).
std::string definitions() {
    return "<defs><pattern id=\"open-step\" width=\"8\" height=\"8\" "
           "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
           "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"8\" stroke=\"#888\" "
           "stroke-width=\"1.5\" stroke-opacity=\"0.5\"/></pattern></defs>\n";
}

// Horizontal grid lines with the speed ticks (left) and incline ticks (right); time ticks below.
std::string grid_and_ticks(const Frame& f) {
    std::string out = "<g class=\"grid\" font-size=\"12\" fill=\"#333\">\n";
    const char* grid = "stroke=\"#d0d0d0\" stroke-width=\"1\"";
    for (double v = 0; v <= f.speed_max + 1e-9; v += f.speed_step) {
        out += line(kLeft, f.y_speed(v), kRight, f.y_speed(v), grid);
        out += text_at(kLeft - 8, f.y_speed(v) + 4, "end", num(v));
    }
    for (double i = f.incline_min; i <= f.incline_max + 1e-9; i += f.incline_step)
        out += text_at(kRight + 8, f.y_incline(i) + 4, "start", num(i));
    const double total_min = f.total_s / 60.0;
    for (double m = 0; m <= total_min + 1e-9; m += f.time_step_min) {
        out += line(f.x(m * 60), kBottom, f.x(m * 60), kBottom + 5, "stroke=\"#333\"");
        out += text_at(f.x(m * 60), kBottom + 19, "middle", num(m));
    }
    return out + "</g>\n";
}

std::string axes_and_labels(const Timeline& timeline) {
    std::string out = "<g class=\"axes\" stroke=\"#333\" stroke-width=\"1.2\">\n";
    out += line(kLeft, kTop, kLeft, kBottom, "");
    out += line(kRight, kTop, kRight, kBottom, "");
    out += line(kLeft, kBottom, kRight, kBottom, "");
    out += "</g>\n<g class=\"labels\" font-size=\"13\" fill=\"#333\">\n";
    out += text_at((kLeft + kRight) / 2, kBottom + 40, "middle", "Time (min)");
    const double mid = (kTop + kBottom) / 2;
    out += text_at(22, mid, "middle", "Speed (km/h)",
                   " fill=\"" + std::string(kSpeedColour) + "\" transform=\"rotate(-90 22 " +
                       num(mid) + ")\"");
    out += text_at(kWidth - 20, mid, "middle", "Incline (%)",
                   " fill=\"" + std::string(kInclineColour) + "\" transform=\"rotate(90 " +
                       num(kWidth - 20) + " " + num(mid) + ")\"");
    out += "</g>\n";
    const std::string subtitle = render_clock(timeline.total_s) + " · " +
                                 render_distance(timeline.total_m) + " · " +
                                 std::to_string(timeline.steps.size()) + " steps";
    out += text_at(kLeft, 28, "start", timeline.name,
                   " font-size=\"20\" font-weight=\"bold\" fill=\"#222\"");
    out += text_at(kLeft, 48, "start", timeline.id + " — " + subtitle,
                   " font-size=\"13\" fill=\"#555\"");
    return out;
}

// The incline as a filled area and the speed as a line, both following ramps.
std::string profiles(const Timeline& timeline, const Frame& f) {
    std::string area = num(f.x(0)) + "," + num(f.y_incline(std::max(f.incline_min, 0.0)));
    std::string speed;
    double t = 0;
    for (const auto& s : timeline.steps) {
        const double t1 = t + s.duration_s;
        area += " " + num(f.x(t)) + "," + num(f.y_incline(s.incline_pct)) + " " + num(f.x(t1)) +
                "," + num(f.y_incline(s.incline_end_pct));
        speed += num(f.x(t)) + "," + num(f.y_speed(s.speed_kmh)) + " " + num(f.x(t1)) + "," +
                 num(f.y_speed(s.speed_end_kmh)) + " ";
        t = t1;
    }
    area += " " + num(f.x(t)) + "," + num(f.y_incline(std::max(f.incline_min, 0.0)));
    return "<polygon class=\"incline\" points=\"" + area + "\" fill=\"" + kInclineColour +
           "\" fill-opacity=\"0.16\" stroke=\"" + kInclineColour +
           "\" stroke-width=\"2\" stroke-linejoin=\"round\"/>\n" +
           "<polyline class=\"speed\" points=\"" + speed + "\" fill=\"none\" stroke=\"" +
           kSpeedColour + "\" stroke-width=\"2.5\" stroke-linejoin=\"round\"/>\n";
}

// The classes that occur, then the two curves.
std::string legend(const Timeline& timeline) {
    std::string out = "<g class=\"legend\" font-size=\"12\" fill=\"#333\">\n";
    double x = kLeft;
    const double y = kHeight - 30;
    for (const auto& style : kClassStyles) {
        const bool used =
            std::any_of(timeline.steps.begin(), timeline.steps.end(),
                        [&](const auto& s) { return s.step_class == style.step_class; });
        if (!used) continue;
        out += "<rect x=\"" + num(x) + "\" y=\"" + num(y - 10) +
               "\" width=\"14\" height=\"14\" fill-opacity=\"0.4\" fill=\"" + style.colour +
               "\"/>\n";
        const std::string_view label = to_string(style.step_class);
        out += text_at(x + 20, y + 2, "start", label);
        x += 36 + 7.5 * static_cast<double>(label.size());
    }
    if (std::any_of(timeline.steps.begin(), timeline.steps.end(),
                    [](const auto& s) { return s.open; })) {
        out += "<rect x=\"" + num(x) + "\" y=\"" + num(y - 10) +
               "\" width=\"14\" height=\"14\" fill=\"url(#open-step)\" stroke=\"#888\"/>\n";
        out += text_at(x + 20, y + 2, "start", "open (until skipped)");
        x += 160;
    }
    out += line(x, y - 3, x + 24, y - 3,
                "stroke=\"" + std::string(kSpeedColour) + "\" stroke-width=\"2.5\"");
    out += text_at(x + 30, y + 2, "start", "speed (km/h)");
    x += 140;
    out += "<rect x=\"" + num(x) + "\" y=\"" + num(y - 10) +
           "\" width=\"24\" height=\"14\" fill=\"" + kInclineColour +
           "\" fill-opacity=\"0.16\" stroke=\"" + kInclineColour + "\"/>\n";
    out += text_at(x + 30, y + 2, "start", "incline (%)");
    return out + "</g>\n";
}

}  // namespace

std::string render_svg(const Timeline& timeline) {
    const Frame frame = make_frame(timeline);
    std::string svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(kWidth) + "\" height=\"" +
           num(kHeight) + "\" viewBox=\"0 0 " + num(kWidth) + " " + num(kHeight) +
           "\" font-family=\"sans-serif\">\n";
    svg += "<title>" + xml_text(timeline.name) + "</title>\n";
    svg += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
    svg += definitions();
    svg += step_bands(timeline, frame);
    svg += grid_and_ticks(frame);
    svg += profiles(timeline, frame);
    svg += axes_and_labels(timeline);
    svg += legend(timeline);
    return svg + "</svg>\n";
}

}  // namespace treadmill::programs
