// Step class names.
#include "programs/timeline.hpp"

#include "programs/step_class.hpp"

namespace treadmill::programs {

std::string_view to_string(StepClass c) {
    switch (c) {
        case StepClass::warmup:
            return "warmup";
        case StepClass::run:
            return "run";
        case StepClass::recover:
            return "recover";
        case StepClass::walk:
            return "walk";
        case StepClass::cooldown:
            return "cooldown";
    }
    return "run";
}

const std::vector<std::string>& step_class_names() {
    static const std::vector<std::string> names{"warmup", "run", "recover", "walk", "cooldown"};
    return names;
}

std::optional<StepClass> step_class_from_name(std::string_view name) {
    for (StepClass c : {StepClass::warmup, StepClass::run, StepClass::recover, StepClass::walk,
                        StepClass::cooldown})
        if (to_string(c) == name) return c;
    return std::nullopt;
}

}  // namespace treadmill::programs
