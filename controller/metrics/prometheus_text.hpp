// A writer of the Prometheus text exposition format 0.0.4: metric families (HELP, TYPE) and
// their samples, label values and help texts escaped as the format wants. Knows nothing of the
// treadmill (metrics_exposition.hpp maps the `metrics` reply onto it).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace treadmill::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

class PrometheusText {
  public:
    enum class Type { counter, gauge };

    // Starts a family; its samples follow. `name` must match [a-zA-Z_:][a-zA-Z0-9_:]* (throws
    // std::invalid_argument otherwise), and a counter's name ends in `_total`.
    void family(const std::string& name, Type type, const std::string& help);
    // One sample of the current family (label names as the name, without the colon).
    void sample(double value, const Labels& labels = {});

    const std::string& text() const { return text_; }

  private:
    std::string text_;
    std::string name_;
};

// A value as the format writes it: integers without a fraction, NaN, +Inf, -Inf.
std::string prometheus_number(double value);

}  // namespace treadmill::metrics
