#include "content/chart.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>

#include <cairo.h>

#include "content/canvas.hpp"

#include "market/interval.hpp"

namespace herald::content {

chart_size chart_size_for(channel c) {
  switch (c) {
    case channel::telegram: return {1280, 720};
    case channel::webhook: return {800, 450};
    default: return {1200, 675};
  }
}

namespace {

struct rgb {
  double r, g, b;
};
constexpr rgb background{0.07, 0.08, 0.10}, grid{0.20, 0.22, 0.26}, text{0.85, 0.87, 0.90},
  up{0.16, 0.73, 0.52}, down{0.91, 0.30, 0.30}, ema_colour{0.98, 0.76, 0.20},
  band{0.40, 0.60, 0.95};

void colour(cairo_t* cr, rgb c, double alpha = 1) { cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha); }

std::string price_label(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", price_digits(p), p);
  return buf;
}

} // namespace

std::string render_chart_png(const chart_data& d, chart_size size) {
  detail::canvas canvas{size.width, size.height, "chart"};
  auto* cr = canvas.cr();
  const double w = size.width, h = size.height;
  colour(cr, background);
  cairo_paint(cr);
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size(cr, h * 0.035);
  colour(cr, text);
  cairo_move_to(cr, w * 0.02, h * 0.06);
  cairo_show_text(cr, d.title.empty() ? "Herald" : d.title.c_str());

  const double left = w * 0.02, right = w * 0.88, top = h * 0.10, price_bottom = h * 0.74,
               vol_top = h * 0.78, bottom = h * 0.95;
  auto n = d.candles.size();
  if (n == 0) {
    cairo_set_font_size(cr, h * 0.05);
    cairo_move_to(cr, w * 0.4, h * 0.5);
    cairo_show_text(cr, "no data");
  } else {
    double lo = INFINITY, hi = -INFINITY, vmax = 0;
    for (std::size_t i = 0; i < n; ++i) {
      lo = std::min(lo, d.candles[i].low);
      hi = std::max(hi, d.candles[i].high);
      vmax = std::max(vmax, d.candles[i].volume);
      for (auto* series : {&d.bb_lower, &d.bb_upper, &d.ema})
        if (i < series->size() && std::isfinite((*series)[i]) && (*series)[i] > 0) {
          lo = std::min(lo, (*series)[i]);
          hi = std::max(hi, (*series)[i]);
        }
    }
    if (!(hi > lo)) { // flat series: give it some room
      hi += std::max(std::fabs(hi) * 0.001, 1e-9);
      lo -= std::max(std::fabs(lo) * 0.001, 1e-9);
    }
    auto pad = (hi - lo) * 0.05;
    hi += pad;
    lo -= pad;
    auto step = (right - left) / static_cast<double>(n);
    auto x_of = [&](std::size_t i) { return left + (static_cast<double>(i) + 0.5) * step; };
    auto y_of = [&](double p) { return price_bottom - (p - lo) / (hi - lo) * (price_bottom - top); };

    // grid and price labels
    cairo_set_line_width(cr, 1);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, h * 0.025);
    for (int g = 0; g <= 4; ++g) {
      auto p = lo + (hi - lo) * g / 4.0;
      colour(cr, grid);
      cairo_move_to(cr, left, y_of(p));
      cairo_line_to(cr, right, y_of(p));
      cairo_stroke(cr);
      colour(cr, text);
      cairo_move_to(cr, right + w * 0.01, y_of(p) + h * 0.008);
      cairo_show_text(cr, price_label(p).c_str());
    }
    // time labels: first and last candle
    colour(cr, text);
    cairo_move_to(cr, left, h * 0.99);
    cairo_show_text(cr, market::format_utc(d.candles.front().open_time).substr(0, 16).c_str());
    auto last = market::format_utc(d.candles.back().open_time).substr(0, 16);
    cairo_text_extents_t ext;
    cairo_text_extents(cr, last.c_str(), &ext);
    cairo_move_to(cr, right - ext.width, h * 0.99);
    cairo_show_text(cr, last.c_str());

    // Bollinger band (filled) and EMA
    auto polyline = [&](const std::vector<double>& ys) {
      bool pen = false;
      for (std::size_t i = 0; i < n && i < ys.size(); ++i) {
        if (!std::isfinite(ys[i]) || ys[i] <= 0) { // warming up
          pen = false;
          continue;
        }
        if (pen)
          cairo_line_to(cr, x_of(i), y_of(ys[i]));
        else
          cairo_move_to(cr, x_of(i), y_of(ys[i]));
        pen = true;
      }
    };
    colour(cr, band, 0.8);
    cairo_set_line_width(cr, 1.2);
    polyline(d.bb_upper);
    cairo_stroke(cr);
    polyline(d.bb_lower);
    cairo_stroke(cr);
    colour(cr, ema_colour);
    cairo_set_line_width(cr, 2);
    polyline(d.ema);
    cairo_stroke(cr);

    // candles and volume
    auto body = std::max(1.0, step * 0.6);
    for (std::size_t i = 0; i < n; ++i) {
      auto& c = d.candles[i];
      colour(cr, c.close >= c.open ? up : down);
      cairo_set_line_width(cr, std::max(1.0, step * 0.12));
      cairo_move_to(cr, x_of(i), y_of(c.high));
      cairo_line_to(cr, x_of(i), y_of(c.low));
      cairo_stroke(cr);
      auto y1 = y_of(std::max(c.open, c.close)), y2 = y_of(std::min(c.open, c.close));
      cairo_rectangle(cr, x_of(i) - body / 2, y1, body, std::max(1.0, y2 - y1));
      cairo_fill(cr);
      if (vmax > 0) {
        auto vh = c.volume / vmax * (bottom - vol_top);
        colour(cr, c.close >= c.open ? up : down, 0.5);
        cairo_rectangle(cr, x_of(i) - body / 2, bottom - vh, body, vh);
        cairo_fill(cr);
      }
    }

    // insight markers: a triangle below (long) or above (short) the candle
    auto marker_size = std::max(6.0, h * 0.018);
    for (auto& m : d.markers) {
      auto it = std::lower_bound(d.candles.begin(), d.candles.end(), m.time,
                                 [](const candle& c, std::int64_t t) { return c.open_time < t; });
      if (it == d.candles.end() || it->open_time != m.time)
        continue;
      auto i = static_cast<std::size_t>(it - d.candles.begin());
      auto x = x_of(i);
      if (m.long_side) {
        auto y = y_of(it->low) + marker_size * 0.6;
        cairo_move_to(cr, x, y);
        cairo_line_to(cr, x - marker_size, y + marker_size * 1.6);
        cairo_line_to(cr, x + marker_size, y + marker_size * 1.6);
      } else {
        auto y = y_of(it->high) - marker_size * 0.6;
        cairo_move_to(cr, x, y);
        cairo_line_to(cr, x - marker_size, y - marker_size * 1.6);
        cairo_line_to(cr, x + marker_size, y - marker_size * 1.6);
      }
      cairo_close_path(cr);
      colour(cr, m.long_side ? up : down);
      cairo_fill_preserve(cr);
      colour(cr, text);
      cairo_set_line_width(cr, 1);
      cairo_stroke(cr);
    }
  }
  return canvas.png();
}

} // namespace herald::content
