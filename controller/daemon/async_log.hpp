// Log lines written by a thread of their own, so that the control loop never waits for stderr
// (a full pipe, a slow journal). log() moves the line into a bounded queue and returns; when
// the queue is full the line is dropped and counted, and the writer reports the count in a line
// of its own. The destructor writes out everything queued before it returns.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <pthread.h>

namespace treadmill::daemon {

class AsyncLog {
  public:
    // Writes one line (without its newline); may block, on the writer thread only.
    using Sink = std::function<void(std::string_view)>;

    struct Options {
        std::size_t capacity = 256;  // lines queued at most
        Sink sink;                   // default: the prefix, the line and a newline to stderr
        std::string prefix;          // for the default sink, e.g. "treadmilld: "
    };

    explicit AsyncLog(Options options);
    ~AsyncLog();
    AsyncLog(const AsyncLog&) = delete;
    AsyncLog& operator=(const AsyncLog&) = delete;

    // Queues the line; never waits for the sink. False when the queue was full (dropped).
    bool log(std::string line);
    // Lines dropped so far because the queue was full.
    std::uint64_t dropped() const;

  private:
    // A mutex with priority inheritance: a real-time producer waiting for it lends its
    // priority to the normal-priority writer that holds it.
    class PiMutex {
      public:
        PiMutex();
        ~PiMutex();
        void lock() { pthread_mutex_lock(&m_); }
        void unlock() { pthread_mutex_unlock(&m_); }

      private:
        pthread_mutex_t m_;
    };

    void run();
    void wake();
    // Moves the queued lines into `out`; false once stopping with nothing left.
    bool take(std::vector<std::string>& out, std::uint64_t& dropped);

    Sink sink_;
    mutable PiMutex mutex_;
    std::vector<std::string> ring_;
    std::size_t head_ = 0;
    std::size_t size_ = 0;
    std::uint64_t dropped_ = 0;
    bool stopping_ = false;
    int wake_fd_ = -1;  // an eventfd the writer sleeps on
    std::thread thread_;
};

}  // namespace treadmill::daemon
