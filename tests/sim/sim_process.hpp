// Starts treadmill-sim as a child process and waits for its "serving" line.
#pragma once

#include <string>
#include <vector>

#include "tests/support/test_support.hpp"

namespace treadmill::sim::testing {

class SimProcess {
  public:
    explicit SimProcess(std::vector<std::string> args)
        : dir_(treadmill::testing::make_temp_dir()), log_(dir_ + "/sim.log") {
        args.insert(args.begin(), TREADMILL_SIM_BIN);
        child_.emplace(args, log_);
        ready_ = treadmill::testing::wait_until(
            [this] { return output().find("serving") != std::string::npos || !child_->running(); },
            std::chrono::milliseconds(5000));
        ready_ = ready_ && child_->running();
    }
    bool ready() const { return ready_; }
    std::string output() const { return treadmill::testing::read_file(log_); }
    treadmill::testing::ChildProcess& child() { return *child_; }
    const std::string& dir() const { return dir_; }

  private:
    std::string dir_;
    std::string log_;
    std::optional<treadmill::testing::ChildProcess> child_;
    bool ready_ = false;
};

// mbpoll against a TCP simulator: `args` go between the options and the host.
inline treadmill::testing::CommandResult mbpoll_tcp(std::uint16_t port,
                                                    const std::vector<std::string>& args,
                                                    const std::vector<std::string>& values = {}) {
    std::vector<std::string> argv{"mbpoll", "-m", "tcp", "-p", std::to_string(port), "-0", "-1"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("127.0.0.1");
    argv.insert(argv.end(), values.begin(), values.end());
    return treadmill::testing::run_command(argv, std::chrono::milliseconds(10000));
}

}  // namespace treadmill::sim::testing
