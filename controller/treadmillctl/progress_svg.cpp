#include "controller/treadmillctl/progress_svg.hpp"

#include <algorithm>
#include <cstdio>

#include "history/best_text.hpp"

namespace treadmill::ctl {

namespace {

using nlohmann::json;

constexpr double kWidth = 640, kChartLeft = 60, kChartRight = 620;
constexpr double kMileTop = 40, kMileBottom = 200, kWeeksTop = 250, kWeeksBottom = 390;

std::string num(double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", v);
    return text;
}

std::string label(double x, double y, const std::string& text, const char* anchor = "start") {
    return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + anchor + "\">" +
           text + "</text>\n";
}

std::string mile_chart(const json& mile) {
    std::string svg = label(kChartLeft, kMileTop - 12, "Mile best per session");
    if (mile.empty()) return svg + label(kChartLeft, kMileTop + 30, "no mile run yet");
    double lo = 1e9, hi = 0;
    for (const auto& m : mile) {
        lo = std::min(lo, m["time_s"].get<double>());
        hi = std::max(hi, m["time_s"].get<double>());
    }
    if (hi - lo < 10) hi = lo + 10;
    const double step =
        mile.size() > 1 ? (kChartRight - kChartLeft) / (static_cast<double>(mile.size()) - 1.0) : 0;
    std::string points;
    for (std::size_t i = 0; i < mile.size(); ++i) {
        const double x = kChartLeft + step * static_cast<double>(i);
        // Faster is higher.
        const double y = kMileTop + (mile[i]["time_s"].get<double>() - lo) / (hi - lo) *
                                        (kMileBottom - kMileTop);
        points += num(x) + "," + num(y) + " ";
        svg += "<circle cx=\"" + num(x) + "\" cy=\"" + num(y) + "\" r=\"3\"/>\n";
    }
    svg += "<polyline fill=\"none\" stroke=\"#c0392b\" stroke-width=\"2\" points=\"" + points +
           "\"/>\n";
    svg += label(kChartLeft - 6, kMileTop + 4, history::race_time(lo), "end");
    svg += label(kChartLeft - 6, kMileBottom + 4, history::race_time(hi), "end");
    return svg;
}

std::string weeks_chart(const json& weeks) {
    std::string svg = label(kChartLeft, kWeeksTop - 12, "Distance per week (km)");
    double most = 1;
    for (const auto& w : weeks) most = std::max(most, w["distance_m"].get<double>());
    const double slot =
        (kChartRight - kChartLeft) / std::max(1.0, static_cast<double>(weeks.size()));
    for (std::size_t i = 0; i < weeks.size(); ++i) {
        const double km = weeks[i]["distance_m"].get<double>() / 1000;
        const double h = km * 1000 / most * (kWeeksBottom - kWeeksTop);
        const double x = kChartLeft + slot * static_cast<double>(i);
        svg += "<rect x=\"" + num(x + 4) + "\" y=\"" + num(kWeeksBottom - h) + "\" width=\"" +
               num(slot - 8) + "\" height=\"" + num(h) + "\" fill=\"#2c7fb8\"/>\n";
        if (km > 0) svg += label(x + slot / 2, kWeeksBottom - h - 4, num(km), "middle");
        svg += label(x + slot / 2, kWeeksBottom + 14, weeks[i]["week"].get<std::string>().substr(5),
                     "middle");
    }
    return svg;
}

}  // namespace

std::string progress_text(const json& body) {
    std::string text = "mile best per session:\n";
    if (body["mile"].empty()) text += "  no mile run yet\n";
    for (const auto& m : body["mile"]) {
        text += "  " + m.value("date", "") + "  " + history::race_time(m["time_s"].get<double>()) +
                "  (session " + std::to_string(m["session"].get<long long>()) + ")\n";
    }
    text += "\nweek of        distance      time  sessions\n";
    for (const auto& w : body["weeks"]) {
        char line[96];
        std::snprintf(line, sizeof line, "%-12s %7.2f km  %8s  %8d\n", w.value("week", "").c_str(),
                      w["distance_m"].get<double>() / 1000,
                      history::race_time(w["duration_s"].get<double>()).c_str(),
                      w["sessions"].get<int>());
        text += line;
    }
    return text;
}

std::string progress_svg(const json& body) {
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(kWidth) +
           "\" height=\"420\" font-family=\"sans-serif\" font-size=\"11\">\n"
           "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n" +
           mile_chart(body["mile"]) + weeks_chart(body["weeks"]) + "</svg>\n";
}

}  // namespace treadmill::ctl
