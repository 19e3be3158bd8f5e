// The console's TLS server context: the configured certificate chain and key, read once at
// start and checked against each other; TLS 1.2 and 1.3 with forward-secret AEAD ciphers only.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "common/result.hpp"
#include "console/console_config.hpp"

namespace treadmill::console {

// The context for `files`, or an error naming the file that is missing, unreadable, not PEM,
// encrypted, or a key that does not belong to the certificate.
Result<std::shared_ptr<boost::asio::ssl::context>, std::string> make_tls_context(
    const TlsFiles& files);

}  // namespace treadmill::console
