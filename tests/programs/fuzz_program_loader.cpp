// libFuzzer target: any bytes through validate_program and load_program (with and without a
// profile). Must never crash, hang or leak; errors are fine.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "programs/program_loader.hpp"

using namespace treadmill::programs;

namespace {

const Profile& fuzz_profile() {
    static const Profile profile = [] {
        auto r = load_profile(
            "schema: treadmill-profile/1\npaces: {easy: \"6:00/km\", jog: 8 km/h, mile: "
            "\"3:40/km\", 5k: \"4:00/km\", 10k: \"4:10/km\", half: \"4:25/km\", marathon: "
            "\"4:40/km\", threshold: \"95% 5k\"}\nlimits: {max_speed: 18 km/h}\n",
            "fuzz-profile.yaml");
        return r.profile ? *r.profile : Profile{};
    }();
    return profile;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view yaml(reinterpret_cast<const char*>(data), size);
    (void)validate_program(yaml, "fuzz.yaml");
    ResolveOptions options;
    options.drawn_seed = size;
    (void)load_program(yaml, "fuzz.yaml", "fuzz", options);
    options.profile = &fuzz_profile();
    (void)load_program(yaml, "fuzz.yaml", "fuzz", options);
    (void)load_profile(yaml, "fuzz-profile.yaml");
    return 0;
}
