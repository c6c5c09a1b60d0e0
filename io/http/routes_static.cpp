// The web console's assets, the articles site and the 404 handler.
#include "io/http/server_impl.hpp"
#include "io/logging.hpp"

#include <filesystem>
#include <string_view>

namespace herald::embedded {
std::string_view web_index_html();
std::string_view web_app_js();
std::string_view web_style_css();
} // namespace herald::embedded

namespace herald::io::http {

void server::impl::install_static() {
  // -- the web console (static, no data in it) --
  auto asset = [](std::string_view body, const char* type) {
    return [body, type](const httplib::Request&, httplib::Response& res) {
      res.set_header("Cache-Control", "no-cache");
      res.set_header("X-Content-Type-Options", "nosniff");
      // No other site may frame the console (clickjacking its buttons).
      res.set_header("X-Frame-Options", "DENY");
      res.set_header("Content-Security-Policy",
                     "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self' "
                     "data:; frame-ancestors 'none'");
      res.set_content(std::string{body}, type);
    };
  };
  svr.Get("/", asset(embedded::web_index_html(), "text/html; charset=utf-8"));
  svr.Get("/index.html", asset(embedded::web_index_html(), "text/html; charset=utf-8"));
  svr.Get("/app.js", asset(embedded::web_app_js(), "application/javascript; charset=utf-8"));
  svr.Get("/style.css", asset(embedded::web_style_css(), "text/css; charset=utf-8"));

  // -- the articles site (read-only files) --
  if (!o.site_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(o.site_dir, ec);
    svr.set_file_extension_and_mimetype_mapping("md", "text/markdown; charset=utf-8");
    svr.set_file_extension_and_mimetype_mapping("xml", "application/rss+xml; charset=utf-8");
    svr.set_file_extension_and_mimetype_mapping("html", "text/html; charset=utf-8");
    svr.set_mount_point("/site", o.site_dir,
                        {{"Cache-Control", "no-cache"}, {"X-Content-Type-Options", "nosniff"}});
    svr.Get("/site", [](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("/site/");
    });
    // Page views of the articles (the analytics agent reads them): each GET
    // of an article page answered 200 counts once, per page and hour, in the
    // database at once (a crash loses no view). Index, feed, images and
    // assets are not counted.
    svr.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
      if (req.method != "GET" || res.status != 200 || !c.storage || req.path.rfind("/site/", 0) != 0)
        return;
      auto page = req.path.substr(6);
      constexpr std::string_view ext = ".html";
      if (page.size() <= ext.size() || page.compare(page.size() - ext.size(), ext.size(), ext) != 0
          || page == "index.html" || page.find('/') != std::string::npos)
        return;
      try {
        auto now = wall_ms();
        c.storage->add_page_views(page, now - now % 3'600'000, 1);
      } catch (const std::exception& e) {
        static auto log = logging::get("http.site");
        log->warn("page view of {} not counted: {}", page, e.what());
      }
    });
  }

  // RFC 9112 6.3: a request without Content-Length and Transfer-Encoding
  // has an empty body. cpp-httplib 0.11 would instead read a POST until the
  // connection closes (and answer 400 after its read timeout), so such a
  // request is given the Content-Length it implies.
  svr.set_pre_routing_handler([](const httplib::Request& req, httplib::Response&) {
    if (req.method != "GET" && req.method != "HEAD" && !req.has_header("Content-Length")
        && !req.has_header("Transfer-Encoding"))
      const_cast<httplib::Request&>(req).headers.emplace("Content-Length", "0");
    return httplib::Server::HandlerResponse::Unhandled;
  });

  svr.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (res.status == 404 && res.body.empty())
      send_error(res, 404, "not_found", "no route " + req.method + " " + req.path);
    else if (res.status == 413)
      send_error(res, 413, "payload_too_large", "request bodies are limited to 64 KiB");
    else if (res.body.empty())
      send_error(res, res.status, "bad_request",
                 "HTTP " + std::to_string(res.status) + " for " + req.method + " " + req.path);
    // Every refused call that could change something is audited, also when
    // no route took it (unknown path, unreadable request, body too large).
    if (req.method != "GET" && req.method != "HEAD" && res.status >= 400
        && !res.has_header("X-Herald-Audited"))
      safe_audit(bearer_name(req), req.method + " " + req.path, req,
                 "refused: HTTP " + std::to_string(res.status));
    res.headers.erase("X-Herald-Audited");
    counters.count("unmatched", req.method, res.status);
  });
}

} // namespace herald::io::http
