// herald health: probe a Herald process's /health (or /ready) endpoint;
// the Docker image's HEALTHCHECK, so the runtime image needs no curl.

#include <iostream>
#include <string>

#include <httplib.h>

#include "app/commands.hpp"
#include "app/prepare.hpp"

namespace herald::app {

int health_command(const invocation& inv) {
  const std::string me = "herald health";
  std::string url = inv.get("url");
  if (url.empty()) {
    auto p = prepare(inv);
    if (!p)
      return exit_usage;
    auto& s = p->loaded.values;
    if (!s.get_bool("http.enabled")) {
      std::cerr << me << ": http.enabled is false in the configuration: nothing to probe\n";
      return exit_usage;
    }
    auto address = s.get_string("http.address");
    if (address.empty() || address == "0.0.0.0" || address == "::")
      address = "127.0.0.1";
    url = "http://" + address + ":" + std::to_string(s.get_int("http.port")) +
          (inv.has("ready") ? "/ready" : "/health");
  }
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) {
    std::cerr << me << ": --url '" << url << "': only http://HOST:PORT/PATH is supported\n";
    return exit_usage;
  }
  auto rest = url.substr(scheme.size());
  auto slash = rest.find('/');
  auto hostport = rest.substr(0, slash);
  auto path = slash == std::string::npos ? std::string{"/health"} : rest.substr(slash);
  auto colon = hostport.rfind(':');
  auto host = hostport.substr(0, colon);
  int port = 80;
  if (colon != std::string::npos) {
    auto ps = hostport.substr(colon + 1);
    if (ps.empty() || ps.size() > 5 || ps.find_first_not_of("0123456789") != std::string::npos) {
      std::cerr << me << ": --url '" << url << "': bad port\n";
      return exit_usage;
    }
    port = std::stoi(ps);
  }
  if (host.empty()) {
    std::cerr << me << ": --url '" << url << "': no host\n";
    return exit_usage;
  }
  httplib::Client cli{host, port};
  cli.set_connection_timeout(3, 0);
  cli.set_read_timeout(3, 0);
  auto res = cli.Get(path.c_str());
  if (!res) {
    std::cerr << me << ": " << url << ": " << httplib::to_string(res.error()) << " error\n";
    return exit_failure;
  }
  if (res->status != 200) {
    std::cerr << me << ": " << url << ": " << res->status << " " << res->body << "\n";
    return exit_failure;
  }
  std::cout << me << ": " << url << ": " << res->status << " " << res->body << "\n";
  return exit_ok;
}

} // namespace herald::app
