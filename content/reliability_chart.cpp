// A reliability diagram (cairo): forecast probability against observed
// frequency per bin, the diagonal for reference; for the performance
// analytics (issue 19).
#include "content/chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <cairo.h>

#include "content/canvas.hpp"

namespace herald::content {

std::string render_reliability_png(const std::string& title,
                                   const std::vector<reliability_point>& points,
                                   chart_size size) {
  detail::canvas canvas{size.width, size.height, "reliability diagram"};
  auto* cr = canvas.cr();
  const double w = size.width, h = size.height;
  cairo_set_source_rgb(cr, 0.07, 0.08, 0.10);
  cairo_paint(cr);
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size(cr, h * 0.035);
  cairo_set_source_rgb(cr, 0.85, 0.87, 0.90);
  cairo_move_to(cr, w * 0.05, h * 0.06);
  cairo_show_text(cr, title.c_str());
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  const double left = w * 0.12, right = w * 0.95, top = h * 0.1, bottom = h * 0.88;
  auto x_of = [&](double p) { return left + p * (right - left); };
  auto y_of = [&](double p) { return bottom - p * (bottom - top); };
  // Grid and axes.
  cairo_set_line_width(cr, 1);
  cairo_set_font_size(cr, h * 0.025);
  for (int i = 0; i <= 10; ++i) {
    double p = i / 10.0;
    cairo_set_source_rgb(cr, 0.2, 0.22, 0.26);
    cairo_move_to(cr, x_of(p), top);
    cairo_line_to(cr, x_of(p), bottom);
    cairo_move_to(cr, left, y_of(p));
    cairo_line_to(cr, right, y_of(p));
    cairo_stroke(cr);
    if (i % 2 == 0) {
      char label[8];
      std::snprintf(label, sizeof label, "%.1f", p);
      cairo_set_source_rgb(cr, 0.6, 0.63, 0.68);
      cairo_move_to(cr, x_of(p) - w * 0.015, bottom + h * 0.035);
      cairo_show_text(cr, label);
      cairo_move_to(cr, left - w * 0.07, y_of(p) + h * 0.008);
      cairo_show_text(cr, label);
    }
  }
  cairo_set_source_rgb(cr, 0.6, 0.63, 0.68);
  cairo_move_to(cr, w * 0.4, h * 0.97);
  cairo_show_text(cr, "forecast P(up)");
  cairo_move_to(cr, w * 0.015, h * 0.5);
  cairo_show_text(cr, "observed");
  // The diagonal: perfect calibration.
  cairo_set_source_rgb(cr, 0.45, 0.47, 0.52);
  cairo_set_line_width(cr, 2);
  cairo_move_to(cr, x_of(0), y_of(0));
  cairo_line_to(cr, x_of(1), y_of(1));
  cairo_stroke(cr);
  // The bins: a point per bin with rows, its area growing with them.
  std::size_t most = 1;
  for (auto& pt : points)
    most = std::max(most, pt.rows);
  bool first = true;
  cairo_set_source_rgb(cr, 0.30, 0.65, 0.95);
  cairo_set_line_width(cr, 3);
  for (auto& pt : points) {
    if (pt.rows == 0 || !std::isfinite(pt.forecast) || !std::isfinite(pt.observed))
      continue;
    if (first)
      cairo_move_to(cr, x_of(pt.forecast), y_of(pt.observed));
    else
      cairo_line_to(cr, x_of(pt.forecast), y_of(pt.observed));
    first = false;
  }
  cairo_stroke(cr);
  for (auto& pt : points) {
    if (pt.rows == 0 || !std::isfinite(pt.forecast) || !std::isfinite(pt.observed))
      continue;
    double r = w * (0.006 + 0.02 * std::sqrt(static_cast<double>(pt.rows) / most));
    cairo_arc(cr, x_of(pt.forecast), y_of(pt.observed), r, 0, 2 * M_PI);
    cairo_fill(cr);
  }
  if (first) {
    cairo_set_source_rgb(cr, 0.85, 0.87, 0.90);
    cairo_set_font_size(cr, h * 0.05);
    cairo_move_to(cr, w * 0.4, h * 0.5);
    cairo_show_text(cr, "no data");
  }
  return canvas.png();
}

} // namespace herald::content
