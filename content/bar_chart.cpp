// A labelled bar chart (cairo), for the weekly performance article.
#include "content/chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <stdexcept>

#include <cairo.h>

#include "content/canvas.hpp"

namespace herald::content {

std::string render_bar_chart_png(const std::string& title,
                                 const std::vector<std::pair<std::string, double>>& bars,
                                 chart_size size) {
  detail::canvas canvas{size.width, size.height, "bar chart"};
  auto* cr = canvas.cr();
  const double w = size.width, h = size.height;
  cairo_set_source_rgb(cr, 0.07, 0.08, 0.10);
  cairo_paint(cr);
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size(cr, h * 0.045);
  cairo_set_source_rgb(cr, 0.85, 0.87, 0.90);
  cairo_move_to(cr, w * 0.03, h * 0.08);
  cairo_show_text(cr, title.c_str());
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  const double left = w * 0.06, right = w * 0.97, top = h * 0.16, bottom = h * 0.84;
  if (bars.empty()) {
    cairo_set_font_size(cr, h * 0.05);
    cairo_move_to(cr, w * 0.4, h * 0.5);
    cairo_show_text(cr, "no data");
  } else {
    double vmax = 0;
    for (auto& [label, v] : bars)
      if (std::isfinite(v))
        vmax = std::max(vmax, v);
    if (vmax <= 0)
      vmax = 1;
    auto n = static_cast<double>(bars.size());
    auto slot = (right - left) / n;
    cairo_set_font_size(cr, h * 0.035);
    for (std::size_t i = 0; i < bars.size(); ++i) {
      auto v = std::isfinite(bars[i].second) ? std::max(0.0, bars[i].second) : 0.0;
      auto x = left + slot * static_cast<double>(i) + slot * 0.15;
      auto bh = (bottom - top) * v / vmax;
      cairo_set_source_rgb(cr, 0.40, 0.60, 0.95);
      cairo_rectangle(cr, x, bottom - bh, slot * 0.7, bh);
      cairo_fill(cr);
      cairo_set_source_rgb(cr, 0.85, 0.87, 0.90);
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.1f", v);
      cairo_move_to(cr, x, bottom - bh - h * 0.015);
      cairo_show_text(cr, buf);
      auto label = bars[i].first.substr(0, 24);
      cairo_move_to(cr, x, bottom + h * 0.06);
      cairo_show_text(cr, label.c_str());
    }
    cairo_set_source_rgb(cr, 0.20, 0.22, 0.26);
    cairo_set_line_width(cr, 1);
    cairo_move_to(cr, left, bottom);
    cairo_line_to(cr, right, bottom);
    cairo_stroke(cr);
  }
  return canvas.png();
}

} // namespace herald::content
