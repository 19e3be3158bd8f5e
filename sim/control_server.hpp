// The --control socket: a Unix stream socket taking JSON lines {"cmd":...}, one reply line each.
#pragma once

#include <boost/asio.hpp>
#include <functional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

namespace treadmill::sim {

class ControlSession;

class ControlServer {
  public:
    using Handler = std::function<nlohmann::json(const nlohmann::json&)>;
    static constexpr std::size_t kMaxLine = 64 * 1024;

    // Listens at `path` (a stale socket file is replaced); throws std::runtime_error.
    ControlServer(boost::asio::io_context& io, const std::string& path, Handler handler);
    ~ControlServer();
    void close();

  private:
    void accept();

    std::string path_;
    Handler handler_;
    boost::asio::local::stream_protocol::acceptor acceptor_;
    std::set<std::shared_ptr<ControlSession>> sessions_;
};

}  // namespace treadmill::sim
