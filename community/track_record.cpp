#include "community/track_record.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <tuple>

#include "content/briefing.hpp"
#include "market/interval.hpp"

namespace herald::community {

namespace {

std::string price(double p) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", content::price_digits(p), p);
  return buf;
}

std::string pct(double x, bool sign = true) {
  char buf[32];
  std::snprintf(buf, sizeof buf, sign ? "%+.2f%%" : "%.2f%%", 100 * x);
  return buf;
}

std::string utc(std::int64_t ms) { return market::format_utc(ms).substr(0, 16) + " UTC"; }

} // namespace

bool parse_alert_piece(const std::string& piece, alert_call& out) {
  // alert:<symbol>:<interval>:<time>
  if (piece.rfind("alert:", 0) != 0)
    return false;
  auto a = piece.find(':', 6);
  auto b = a == std::string::npos ? a : piece.find(':', a + 1);
  if (b == std::string::npos || a == 6 || b == a + 1 || b + 1 >= piece.size())
    return false;
  auto t = piece.substr(b + 1);
  if (t.find_first_not_of("-0123456789") != std::string::npos || t.size() > 19)
    return false;
  out.piece = piece;
  out.symbol = piece.substr(6, a - 6);
  out.interval = piece.substr(a + 1, b - a - 1);
  out.time = std::stoll(t);
  return true;
}

std::optional<call_outcome> resolve(const alert_call& call, const std::vector<candle>& after,
                                    int horizon) {
  if (horizon < 1 || call.entry <= 0 || (call.dir != 1 && call.dir != -1))
    return std::nullopt;
  std::size_t n = 0;
  for (auto& c : after) {
    if (c.open_time <= call.time)
      continue;
    if (++n == static_cast<std::size_t>(horizon)) {
      if (c.close <= 0)
        return std::nullopt;
      call_outcome o;
      o.call = call;
      o.bars = horizon;
      o.exit_time = c.open_time;
      o.exit = c.close;
      o.ret = c.close / call.entry - 1;
      o.signed_ret = call.dir * o.ret;
      o.hit = o.signed_ret > 0;
      return o;
    }
  }
  return std::nullopt;
}

std::string outcome_text(const call_outcome& o, const std::string& interval_label) {
  auto& c = o.call;
  std::string s = "Track record: called " + std::string{c.dir > 0 ? "LONG" : "SHORT"} + " "
                  + c.symbol + " (" + c.interval + ") at " + price(c.entry) + " on " + utc(c.time)
                  + ". After " + std::to_string(o.bars) + " bars" + interval_label + ": "
                  + price(o.exit) + ", " + pct(o.ret) + " for the market, " + pct(o.signed_ret)
                  + " for the call: " + (o.hit ? "hit." : "miss.");
  return s;
}

std::string track_summary::verdict() const {
  if (hits.n == 0)
    return "no resolved alert";
  if (hits.chance_like())
    return "not distinguishable from chance: the 95% interval contains 50%";
  return hits.lower() > 0.5 ? "better than chance at 95%" : "worse than chance at 95%";
}

track_summary summarize(std::vector<call_outcome> outcomes) {
  track_summary s;
  std::sort(outcomes.begin(), outcomes.end(), [](const call_outcome& a, const call_outcome& b) {
    return std::tie(a.call.time, a.call.piece) < std::tie(b.call.time, b.call.piece);
  });
  for (auto& o : outcomes) {
    ++s.hits.n;
    s.hits.hits += o.hit ? 1 : 0;
    s.signed_return.add(o.signed_ret);
    s.market_return.add(o.ret);
  }
  s.outcomes = std::move(outcomes);
  return s;
}

track_article track_record_article(const track_summary& s, const std::string& period, int horizon) {
  track_article a;
  a.title = "Track record, " + period;
  std::string md;
  auto& h = s.hits;
  md += "Every alert Herald published (" + period + ") whose horizon of "
        + std::to_string(horizon)
        + " bars has passed, with what the market did after it: the close "
        + std::to_string(horizon)
        + " bars after the alert's candle against the alert's price. Misses are listed with the "
          "hits.\n\n";
  if (h.n == 0) {
    md += "No alert of this period has reached its horizon yet, so there is nothing to claim.\n";
    a.markdown = md;
    return a;
  }
  md += "- Hit rate: " + std::to_string(h.hits) + " of " + std::to_string(h.n) + " = "
        + pct(h.rate(), false) + ", 95% interval [" + pct(h.lower(), false) + ", "
        + pct(h.upper(), false) + "] (Wilson): " + s.verdict() + ".\n";
  md += "- Mean return of the calls: " + pct(s.signed_return.mean())
        + " per alert (standard error " + pct(s.signed_return.stderr_(), false) + ").\n";
  md += "- Buy and hold over the same windows: " + pct(s.market_return.mean()) + " per alert.\n";
  if (h.chance_like())
    md += "\nWith " + std::to_string(h.n)
          + " alerts the interval includes a coin flip: this record does not show skill, and "
            "none is claimed.\n";
  md += "\n| alert | call | entry | exit (" + std::to_string(horizon)
        + " bars) | market | call | |\n|---|---|---:|---:|---:|---:|---|\n";
  for (auto& o : s.outcomes)
    md += "| " + o.call.symbol + " " + o.call.interval + " " + utc(o.call.time) + " | "
          + (o.call.dir > 0 ? "long" : "short") + " | " + price(o.call.entry) + " | "
          + price(o.exit) + " | " + pct(o.ret) + " | " + pct(o.signed_ret) + " | "
          + (o.hit ? "hit" : "miss") + " |\n";
  md += "\nThis is research, not investment advice. Past calls do not predict future ones.\n";
  a.markdown = md;
  return a;
}

} // namespace herald::community
