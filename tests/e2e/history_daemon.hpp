// treadmilld on its embedded simulator with a history database in a temporary directory, and
// treadmillctl's --json output: shared by the history's end-to-end tests.
#pragma once

#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/e2e/e2e_rig.hpp"

namespace treadmill::e2e {

// treadmilld on its embedded simulator at `scale`, its database in `dir`.
// With `prefix` (e.g. unshare), the daemon's argv follows it. The database is `db_dir`'s.
// With `defaults`, the config names neither the profile nor the database (the daemon's
// defaults in its state directory; `db_dir` then says where the test sees that directory).
class SimDaemon {
  public:
    SimDaemon(const std::string& dir, const std::string& scale,
              std::vector<std::string> prefix = {}, std::string db_dir = {}, bool defaults = false)
        : dir_(dir), db_dir_(db_dir.empty() ? dir : db_dir) {
        std::ofstream config(dir + "/treadmilld.yaml");
        config << "bus: {transport: sim}\napi: {socket: " << socket() << "}\n"
               << "control: {countdown: 1 s}\n";
        if (!defaults) {
            // Everything it writes stays in `dir`, never in the machine's /var/lib/treadmilld.
            config << "profile: " << dir << "/none.yaml\n"
                   << "pairing: {file: " << dir << "/pairing.json}\n"
                   << "metrics: {file: " << dir << "/metrics.json}\n"
                   << "history: {database: " << database() << "}\n";
        }
        config.close();
        prefix.insert(prefix.end(), {TREADMILLD_BIN, "--config", dir + "/treadmilld.yaml",
                                     "--time-scale", scale});
        child_ = std::make_unique<t::ChildProcess>(prefix, log_path());
    }
    std::string log_path() const { return dir_ + "/daemon.log"; }
    std::string socket() const { return dir_ + "/api.sock"; }
    std::string database() const { return db_dir_ + "/history.db"; }
    t::ChildProcess& child() { return *child_; }

    std::optional<json> call(json request) {
        if (!client_ || !client_->connected()) client_ = std::make_unique<t::LineClient>(socket());
        request["id"] = ++id_;
        return client_->call(request);
    }
    json status() {
        const auto r = call({{"cmd", "status"}});
        return r && r->contains("status") ? (*r)["status"] : json{};
    }
    bool wait_state(const std::string& state, std::chrono::milliseconds limit) {
        return t::wait_until(
            [&] {
                const auto s = status();
                return s.is_object() && s["state"] == state;
            },
            limit);
    }

  private:
    std::string dir_;
    std::string db_dir_;
    std::unique_ptr<t::ChildProcess> child_;
    std::unique_ptr<t::LineClient> client_;
    int id_ = 0;
};

inline json ctl_json(const std::string& socket, std::vector<std::string> args) {
    args.insert(args.begin(), {TREADMILLCTL_BIN, "--socket", socket, "--json"});
    const auto r = t::run_command(args, 10s);
    REQUIRE_MESSAGE(r.exit_code == 0, r.output);
    return json::parse(r.output);
}

}  // namespace treadmill::e2e
