// treadmilld's Daemon on its own thread, on the embedded simulator at 10x, with a config given as
// YAML text added to the basics (a temporary directory holds its sockets and files). For tests
// that need the real daemon's sockets and commands without a process.
#pragma once

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <doctest/doctest.h>

#include "controller/daemon/config_loader.hpp"
#include "controller/daemon/daemon.hpp"
#include "tests/daemon/line_client.hpp"
#include "tests/support/test_support.hpp"

namespace treadmill::testing {

class ConfiguredDaemon {
  public:
    // `extra`: more top-level YAML; "@DIR@" in it stands for the temporary directory. `hooks`:
    // code run inside the daemon's callbacks (see DaemonTestHooks); `control_extra`: more keys
    // of `control:`, e.g. ", watchdog: 30 s".
    explicit ConfiguredDaemon(std::string extra = "", std::string api_extra = "",
                              daemon::DaemonTestHooks hooks = {}, std::string control_extra = "") {
        for (auto at = extra.find("@DIR@"); at != std::string::npos; at = extra.find("@DIR@"))
            extra.replace(at, 5, dir_);
        for (auto at = api_extra.find("@DIR@"); at != std::string::npos;
             at = api_extra.find("@DIR@"))
            api_extra.replace(at, 5, dir_);
        const auto load = daemon::parse_config(
            "bus: {transport: sim}\napi: {socket: " + socket_ + api_extra + "}\n" +
                testing::state_in(dir_, extra) + "programs: {dirs: [" + dir_ + "], user_dir: " +
                dir_ + "/user}\ncontrol: {countdown: 1 s" + control_extra + "}\n" + extra,
            dir_ + "/treadmilld.yaml");
        REQUIRE(load.ok());
        daemon::DaemonOptions options{load.config, 10.0};
        options.test_hooks = std::move(hooks);
        daemon_ = std::make_unique<daemon::Daemon>(std::move(options));
        thread_ = std::thread([this] {
            try {
                exit_code_ = daemon_->run();
            } catch (const std::exception&) {
            }
            finished_ = true;
        });
        REQUIRE(wait_until([&] { return state() == "idle"; }, std::chrono::seconds(20)));
    }
    ~ConfiguredDaemon() {
        client_.reset();
        if (!finished_) ::kill(::getpid(), SIGTERM);  // asio's signal_set takes it
        if (thread_.joinable()) thread_.join();
        daemon_.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    ConfiguredDaemon(const ConfiguredDaemon&) = delete;
    ConfiguredDaemon& operator=(const ConfiguredDaemon&) = delete;

    const std::string& dir() const { return dir_; }
    const std::string& socket() const { return socket_; }
    // A request on the local control socket.
    std::optional<nlohmann::json> call(const nlohmann::json& request) {
        if (!client_ || !client_->connected()) client_ = std::make_unique<LineClient>(socket_);
        return client_->call(request, std::chrono::seconds(5));
    }
    nlohmann::json status() {
        const auto reply = call({{"id", 1}, {"cmd", "status"}});
        return reply && reply->contains("status") ? (*reply)["status"] : nlohmann::json{};
    }
    std::string state() {
        const auto s = status();
        return s.is_object() && s["state"].is_string() ? s["state"].get<std::string>() : "";
    }
    // Sends SIGTERM and waits for run() to return; its exit code.
    int stop() {
        client_.reset();
        if (!finished_) ::kill(::getpid(), SIGTERM);
        thread_.join();
        return exit_code_;
    }

  private:
    std::string dir_ = make_temp_dir();
    std::string socket_ = dir_ + "/api.sock";
    std::unique_ptr<daemon::Daemon> daemon_;
    std::unique_ptr<LineClient> client_;
    std::thread thread_;
    std::atomic<bool> finished_{false};
    int exit_code_ = -1;
};

}  // namespace treadmill::testing
