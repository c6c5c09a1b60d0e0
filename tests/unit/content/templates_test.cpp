// Templates: fmt named arguments, variants per type and channel, load errors
// that name the file.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "content/templates.hpp"

using namespace herald::content;
namespace fs = std::filesystem;

namespace {

struct temp_dir {
  fs::path path;
  temp_dir() {
    path = fs::temp_directory_path() / ("herald-tpl-" + std::to_string(std::rand()) + "-"
                                        + std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::create_directories(path);
  }
  ~temp_dir() { fs::remove_all(path); }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
  }
};

facts alert_facts() {
  facts f;
  f.set("symbol", "BTCUSDT").set("direction", "long").set("price", 42123.456).set("confidence", 71);
  return f;
}

} // namespace

TEST_CASE("render fills named arguments with fmt formatting", "[content]") {
  std::string err;
  auto out = render("{symbol} {direction} at {price:.2f} ({confidence}%)", alert_facts(), &err);
  REQUIRE(out);
  CHECK(*out == "BTCUSDT long at 42123.46 (71%)");
  CHECK_FALSE(render("{nope}", alert_facts(), &err));
  CHECK(err.find("argument not found") != std::string::npos);
  CHECK_FALSE(render("{price:.2q}", alert_facts(), &err));
}

TEST_CASE("a template set loads variants and picks one per key, stably", "[content]") {
  temp_dir d;
  d.write("alert.x.a.txt", "A: {symbol} {direction}\n");
  d.write("alert.x.b.txt", "B: {symbol} goes {direction}");
  d.write("alert.telegram.a.txt", "*{symbol}* {price:.1f}");
  d.write("README.md", "not a template");
  auto set = template_set::load(d.path.string(), {{content_type::alert, alert_facts()}});
  CHECK(set.size() == 3);
  CHECK(set.variants(content_type::alert, channel::x).size() == 2);
  CHECK(set.variants(content_type::recap, channel::x).empty());
  std::string err;
  bool seen_a = false, seen_b = false;
  for (int i = 0; i < 40; ++i) {
    auto key = "BTCUSDT:1m:" + std::to_string(i);
    auto r = set.render(content_type::alert, channel::x, alert_facts(), key, &err);
    REQUIRE(r);
    auto again = set.render(content_type::alert, channel::x, alert_facts(), key, &err);
    CHECK(again->variant == r->variant); // same key, same variant
    CHECK(r->text == (r->variant == "a" ? "A: BTCUSDT long" : "B: BTCUSDT goes long"));
    seen_a = seen_a || r->variant == "a";
    seen_b = seen_b || r->variant == "b";
  }
  CHECK(seen_a);
  CHECK(seen_b);
  CHECK_FALSE(set.render(content_type::recap, channel::x, alert_facts(), "k", &err));
  CHECK(err == "no template for recap on x");
}

TEST_CASE("template files with problems are refused with the file named", "[content]") {
  auto load_one = [](const std::string& name, const std::string& text) {
    temp_dir d;
    d.write(name, text);
    try {
      template_set::load(d.path.string(), {{content_type::alert, alert_facts()}});
    } catch (const template_error& e) {
      return std::string{e.what()};
    }
    return std::string{};
  };
  CHECK(load_one("alert.x.a.txt", "{symbl} typo").find("alert.x.a.txt: does not render") != std::string::npos);
  CHECK(load_one("teaser.x.a.txt", "hi").find("unknown content type 'teaser'") != std::string::npos);
  CHECK(load_one("alert.myspace.a.txt", "hi").find("unknown channel 'myspace'") != std::string::npos);
  CHECK(load_one("alert.x.txt", "hi").find("<type>.<channel>.<variant>.txt") != std::string::npos);
  CHECK(load_one("alert.x.a.txt", "\n").find("empty template") != std::string::npos);
  CHECK_THROWS_AS(template_set::load("/nonexistent/templates", {}), template_error);
}
