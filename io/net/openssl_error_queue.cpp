// A fix for CAF 0.17's openssl module under OpenSSL 3 (issue 16), linked into
// every executable (an INTERFACE source of herald_lib).
//
// OpenSSL requires the thread's error queue to be empty before SSL_read,
// SSL_write, SSL_accept or SSL_connect, or SSL_get_error() misreports the
// outcome ("The current thread's error queue must be empty before the
// TLS/SSL I/O operation is attempted", SSL_get_error(3)). CAF's session
// (libcaf_openssl, src/openssl/session.cpp) never clears it, and with its
// logging compiled out (Debian) it never drains it either. All connections
// share the middleman's one thread, so one failed handshake (a peer with
// another CA, a TCP probe, a plain-TCP client) or one peer that dies leaves
// an error behind, and the next healthy connection whose read would block is
// misread as failed and closed: every node of a cluster then loses its other
// peers when one node joins or dies (measured here before this fix: a 3-node
// cluster lost the link between the two surviving nodes on every SIGKILL).
//
// These definitions interpose on OpenSSL's (the executable's symbols come
// first in the dynamic lookup order; the link exports them, see
// CMakeLists.txt), clear the queue, and call the real function.

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace {

template <class F>
F real(const char* name) {
  return reinterpret_cast<F>(::dlsym(RTLD_NEXT, name));
}

} // namespace

extern "C" {

int SSL_read(SSL* ssl, void* buf, int num) {
  static const auto f = real<int (*)(SSL*, void*, int)>("SSL_read");
  ERR_clear_error();
  return f(ssl, buf, num);
}

int SSL_write(SSL* ssl, const void* buf, int num) {
  static const auto f = real<int (*)(SSL*, const void*, int)>("SSL_write");
  ERR_clear_error();
  return f(ssl, buf, num);
}

int SSL_accept(SSL* ssl) {
  static const auto f = real<int (*)(SSL*)>("SSL_accept");
  ERR_clear_error();
  return f(ssl);
}

int SSL_connect(SSL* ssl) {
  static const auto f = real<int (*)(SSL*)>("SSL_connect");
  ERR_clear_error();
  return f(ssl);
}

} // extern "C"
