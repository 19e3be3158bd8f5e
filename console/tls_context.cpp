#include "console/tls_context.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace treadmill::console {

namespace ssl = boost::asio::ssl;
using Error = Unexpected<std::string>;

namespace {

// TLS 1.2's suites with ECDHE and an AEAD cipher (TLS 1.3's are all such already).
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// "" when `path` is a file this process can read, else why not.
std::string unreadable(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) return "it is a directory";
    std::ifstream in(path);
    if (!in) return std::strerror(errno);
    if (in.peek() == std::ifstream::traits_type::eof()) return "the file is empty";
    return {};
}

std::string text_of(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// OpenSSL's reason for a failure ("no start line"), its error queue emptied.
std::string openssl_reason(const boost::system::error_code& ec) {
    ERR_clear_error();
    return ec.message();
}

}  // namespace

Result<std::shared_ptr<ssl::context>, std::string> make_tls_context(const TlsFiles& files) {
    for (const auto& [what, path] :
         {std::pair{"certificate", &files.certificate}, std::pair{"key", &files.key}}) {
        const std::string why = unreadable(*path);
        if (!why.empty())
            return Error{"tls: cannot read the " + std::string(what) + " " + *path + ": " + why};
    }
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    SSL_CTX* native = ctx->native_handle();
    if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
        SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1)
        return Error{std::string("tls: OpenSSL refused the protocol settings")};
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                     ssl::context::single_dh_use);
    SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION);
    // An encrypted key would make OpenSSL prompt on the terminal: refuse it instead.
    ctx->set_password_callback(
        [](std::size_t, ssl::context::password_purpose) { return std::string(); });

    if (text_of(files.certificate).find("-----BEGIN CERTIFICATE-----") == std::string::npos)
        return Error{"tls: the certificate " + files.certificate +
                     " holds no PEM certificate (-----BEGIN CERTIFICATE-----)"};
    const std::string key_text = text_of(files.key);
    if (key_text.find("PRIVATE KEY-----") == std::string::npos)
        return Error{"tls: the key " + files.key +
                     " holds no PEM private key (-----BEGIN PRIVATE KEY-----)"};
    if (key_text.find("ENCRYPTED") != std::string::npos)
        return Error{"tls: the key " + files.key +
                     " is encrypted; the console cannot ask for a passphrase (decrypt it: openssl "
                     "pkey -in ENCRYPTED -out PLAIN, readable by the console only)"};

    boost::system::error_code ec;
    ctx->use_certificate_chain_file(files.certificate, ec);
    if (ec)
        return Error{"tls: the certificate " + files.certificate +
                     " cannot be used: " + openssl_reason(ec)};
    ctx->use_private_key_file(files.key, ssl::context::pem, ec);
    // Asio puts OpenSSL's first error into `ec`: the mismatch is found while loading the key.
    const bool mismatch =
        ec && ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == X509_R_KEY_VALUES_MISMATCH;
    if (mismatch || (!ec && SSL_CTX_check_private_key(native) != 1)) {
        ERR_clear_error();
        return Error{"tls: the key " + files.key + " does not belong to the certificate " +
                     files.certificate};
    }
    if (ec) return Error{"tls: the key " + files.key + " cannot be used: " + openssl_reason(ec)};
    return ctx;
}

}  // namespace treadmill::console
