// termios set-up of the RTU port.
#include "sim/serial_port.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace treadmill::sim {

namespace {

speed_t baud_constant(int baud) {
    switch (baud) {
        case 1200:
            return B1200;
        case 2400:
            return B2400;
        case 4800:
            return B4800;
        case 9600:
            return B9600;
        case 19200:
            return B19200;
        case 38400:
            return B38400;
        case 57600:
            return B57600;
        case 115200:
            return B115200;
        case 230400:
            return B230400;
        default:
            throw std::runtime_error("unsupported baud rate " + std::to_string(baud));
    }
}

termios raw_settings(termios tio, const RtuEndpoint& ep, bool with_parity) {
    ::cfmakeraw(&tio);
    tio.c_cflag |= CLOCAL | CREAD;
    tio.c_cflag &= ~static_cast<tcflag_t>(CSIZE | PARENB | PARODD | CSTOPB);
    tio.c_cflag |= CS8;
    if (ep.stop_bits == 2) tio.c_cflag |= CSTOPB;
    if (with_parity && ep.parity != 'N') {
        tio.c_cflag |= PARENB;
        if (ep.parity == 'O') tio.c_cflag |= PARODD;
    }
    // VMIN 1: a non-blocking read of an empty port says EAGAIN (so Asio waits for data) rather
    // than 0, which reads as end of file and left the server polling every 20 ms.
    tio.c_cc[VMIN] = 1;
    tio.c_cc[VTIME] = 0;
    const speed_t speed = baud_constant(ep.baud);
    ::cfsetispeed(&tio, speed);
    ::cfsetospeed(&tio, speed);
    return tio;
}

}  // namespace

int open_serial_port(const RtuEndpoint& ep, std::string& warning) {
    const speed_t checked = baud_constant(ep.baud);  // throws before opening anything
    (void)checked;
    const int fd = ::open(ep.device.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        throw std::runtime_error("cannot open " + ep.device + ": " + std::strerror(errno));
    }
    termios tio{};
    if (::tcgetattr(fd, &tio) != 0) {
        warning = "tcgetattr failed on " + ep.device + " (not a tty?): " + std::strerror(errno);
        return fd;
    }
    termios wanted = raw_settings(tio, ep, true);
    if (::tcsetattr(fd, TCSANOW, &wanted) != 0) {
        warning = "parity not accepted by " + ep.device + " (" + std::strerror(errno) +
                  "), using no parity";
        termios fallback = raw_settings(tio, ep, false);
        if (::tcsetattr(fd, TCSANOW, &fallback) != 0) {
            warning = "cannot configure " + ep.device + ": " + std::strerror(errno);
        }
    }
    ::tcflush(fd, TCIOFLUSH);
    return fd;
}

}  // namespace treadmill::sim
