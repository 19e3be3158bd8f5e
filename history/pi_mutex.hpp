// A mutex with priority inheritance (PTHREAD_PRIO_INHERIT): when the real-time control loop
// waits for it, the normal-priority writer thread holding it runs at the loop's priority until
// it lets go, so a busy machine cannot hold the loop up behind it.
#pragma once

#include <pthread.h>

namespace treadmill::history {

class PiMutex {
  public:
    PiMutex() {
        pthread_mutexattr_t attr;
        pthread_mutexattr_init(&attr);
        pthread_mutexattr_setprotocol(&attr, PTHREAD_PRIO_INHERIT);
        pthread_mutex_init(&m_, &attr);
        pthread_mutexattr_destroy(&attr);
    }
    ~PiMutex() { pthread_mutex_destroy(&m_); }
    PiMutex(const PiMutex&) = delete;
    PiMutex& operator=(const PiMutex&) = delete;
    void lock() { pthread_mutex_lock(&m_); }
    void unlock() { pthread_mutex_unlock(&m_); }

  private:
    pthread_mutex_t m_;
};

}  // namespace treadmill::history
