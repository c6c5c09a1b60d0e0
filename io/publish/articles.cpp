// The articles channel: a static site in a directory. Each piece becomes
// <slug>.html, <slug>.md and (with a chart) <slug>.png; index.html and
// feed.xml are rebuilt from the site's own list, articles.json (read once,
// then kept in memory and rewritten after each piece), so they survive
// restarts. Every file is written to a temporary name
// and renamed, so a reader or a crash never sees half a page, and publishing
// the same piece again rewrites the same files (safe to resend).

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>

#include <nlohmann/json.hpp>

#include "io/publish/publisher.hpp"

namespace herald::io::publish {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

/// Writes `data` to `path` atomically; "" or what went wrong.
std::string write_atomic(const fs::path& path, const std::string& data) {
  auto tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out{tmp, std::ios::binary | std::ios::trunc};
    if (!out)
      return "cannot write " + tmp.string() + ": " + std::strerror(errno);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    out.flush();
    if (!out)
      return "cannot write " + tmp.string() + ": " + std::strerror(errno);
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec)
    return "cannot rename " + tmp.string() + " to " + path.string() + ": " + ec.message();
  return {};
}

class articles final : public publisher {
public:
  explicit articles(articles_options o) : o_(std::move(o)) {}
  content::channel ch() const override { return content::channel::articles; }
  bool resend_is_safe() const override { return true; }

  delivery publish(const outbound& m) override {
    std::lock_guard<std::mutex> guard{mtx_};
    delivery d;
    d.st = delivery::status::retry; // a full disk may clear up
    fs::path dir{o_.dir};
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
      d.error = "articles: cannot create " + dir.string() + ": " + ec.message();
      return d;
    }
    content::article a;
    a.id = m.piece;
    a.kind = m.type;
    a.title = m.title;
    a.markdown = m.markdown;
    if (a.markdown.empty())
      for (auto& p : m.parts)
        a.markdown += (a.markdown.empty() ? "" : "\n\n") + p;
    // Dated when first published (a resend after a crash keeps that date).
    if (!loaded_) {
      std::string problem;
      if (!load(dir, list_, problem))
        return d.error = "articles: " + problem, d;
      loaded_ = true;
    }
    a.published_at = m.at;
    for (auto& x : list_)
      if (x.id == a.id && x.published_at != 0)
        a.published_at = x.published_at;
    auto slug = a.slug();
    if (!m.chart_png.empty()) {
      a.chart = slug + ".png";
      if (auto e = write_atomic(dir / a.chart, m.chart_png); !e.empty())
        return d.error = "articles: " + e, d;
    }
    if (auto e = write_atomic(dir / (slug + ".md"), "# " + a.title + "\n\n" + a.markdown + "\n");
        !e.empty())
      return d.error = "articles: " + e, d;
    if (auto e = write_atomic(dir / (slug + ".html"), content::article_page(a, o_.site));
        !e.empty())
      return d.error = "articles: " + e, d;

    // the list (read from articles.json once, then kept here): replace an
    // entry with the same id, keep newest first
    list_.erase(std::remove_if(list_.begin(), list_.end(),
                               [&](const content::article& x) { return x.id == a.id; }),
                list_.end());
    list_.push_back(a);
    std::stable_sort(list_.begin(), list_.end(), [](auto& x, auto& y) {
      return x.published_at != y.published_at ? x.published_at > y.published_at : x.id > y.id;
    });
    json j = json::array();
    for (auto& x : list_)
      j.push_back({{"id", x.id}, {"kind", x.kind}, {"title", x.title},
                   {"published_at", x.published_at}, {"chart", x.chart}});
    if (auto e = write_atomic(dir / "articles.json", j.dump(1)); !e.empty())
      return d.error = "articles: " + e, d;
    if (auto e = write_atomic(dir / "index.html", content::index_page(list_, o_.site)); !e.empty())
      return d.error = "articles: " + e, d;
    // the feed carries each item's text: entries listed before this process
    // started are read back from their .md once
    for (std::size_t i = 0; i < list_.size() && i < o_.site.feed_items; ++i)
      if (list_[i].markdown.empty())
        list_[i].markdown = read_markdown(dir / (list_[i].slug() + ".md"));
    if (auto e = write_atomic(dir / "feed.xml", content::rss_feed(list_, o_.site)); !e.empty())
      return d.error = "articles: " + e, d;
    d.st = delivery::status::ok;
    d.remote_id = slug;
    d.url = o_.site.base_url + slug + ".html";
    d.parts_done = m.parts.size();
    return d;
  }

private:
  static std::string read_markdown(const fs::path& p) {
    std::ifstream in{p, std::ios::binary};
    std::string s{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
    // drop the "# title" line the file starts with
    auto nl = s.find("\n\n");
    return s.rfind("# ", 0) == 0 && nl != std::string::npos ? s.substr(nl + 2) : s;
  }

  bool load(const fs::path& dir, std::vector<content::article>& out, std::string& problem) {
    auto path = dir / "articles.json";
    if (!fs::exists(path))
      return true;
    std::ifstream in{path, std::ios::binary};
    std::string s{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
    auto j = json::parse(s, nullptr, false);
    if (!j.is_array()) {
      // Do not lose the old list: keep it aside and start a new one.
      auto aside = path;
      aside += ".corrupt";
      std::error_code ec;
      fs::rename(path, aside, ec);
      if (ec) {
        problem = path.string() + " is not a JSON array and cannot be moved aside: " + ec.message();
        return false;
      }
      return true;
    }
    for (auto& e : j) {
      if (!e.is_object())
        continue;
      content::article a;
      a.id = e.value("id", "");
      a.kind = e.value("kind", "");
      a.title = e.value("title", "");
      a.published_at = e.value("published_at", std::int64_t{0});
      a.chart = e.value("chart", "");
      if (!a.id.empty())
        out.push_back(std::move(a));
    }
    return true;
  }

  articles_options o_;
  std::mutex mtx_;
  bool loaded_ = false;
  std::vector<content::article> list_; ///< newest first, with the bodies read so far
};

} // namespace

std::unique_ptr<publisher> make_articles(articles_options o) {
  return std::make_unique<articles>(std::move(o));
}

} // namespace herald::io::publish
