#pragma once
// Candlestick charts as PNG, drawn with cairo (pure code: no actors, no
// files): candles with volume bars below, an EMA line, Bollinger bands and
// a triangle per approved insight. The chart agent calls this; the articles
// site embeds the same image.

#include <string>
#include <utility>
#include <vector>

#include "content/briefing.hpp"
#include "content/channel.hpp"

namespace herald::content {

struct chart_size {
  int width = 1200;
  int height = 675;
};

/// The image size each channel shows best (16:9; Telegram scales 1280 wide).
chart_size chart_size_for(channel c);

/// PNG bytes of the chart. An empty series gives a chart saying "no data".
/// Throws std::runtime_error when cairo fails (out of memory).
std::string render_chart_png(const chart_data& d, chart_size size);

/// PNG bytes of a bar chart: one labelled bar per value (bar_chart.cpp; the
/// weekly performance article). No bars gives a chart saying "no data".
std::string render_bar_chart_png(const std::string& title,
                                 const std::vector<std::pair<std::string, double>>& bars,
                                 chart_size size);

/// One bin of a reliability diagram.
struct reliability_point {
  double forecast = 0; ///< mean forecast probability of the bin
  double observed = 0; ///< share of outcomes that happened
  std::size_t rows = 0;
};

/// A reliability diagram: each bin's mean forecast against what happened,
/// with the diagonal (perfect calibration). Throws std::runtime_error when
/// cairo fails.
std::string render_reliability_png(const std::string& title,
                                   const std::vector<reliability_point>& points,
                                   chart_size size);

} // namespace herald::content
