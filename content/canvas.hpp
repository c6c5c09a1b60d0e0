#pragma once
// A cairo image surface with its context, and its PNG bytes: what every
// chart (chart.cpp, bar_chart.cpp) draws on. Internal to content/.

#include <memory>
#include <stdexcept>
#include <string>

#include <cairo.h>

namespace herald::content::detail {

class canvas {
public:
  /// Throws std::runtime_error naming `what` when cairo fails (out of memory).
  canvas(int width, int height, const char* what)
    : what_(what),
      surface_(cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height), cairo_surface_destroy),
      ctx_(cairo_create(surface_.get()), cairo_destroy) {
    if (cairo_status(ctx_.get()) != CAIRO_STATUS_SUCCESS)
      throw std::runtime_error{what_ + ": cairo: " + cairo_status_to_string(cairo_status(ctx_.get()))};
  }
  cairo_t* cr() const { return ctx_.get(); }
  /// The PNG bytes of what was drawn.
  std::string png() {
    cairo_surface_flush(surface_.get());
    std::string out;
    auto st = cairo_surface_write_to_png_stream(
      surface_.get(),
      [](void* closure, const unsigned char* data, unsigned int length) {
        static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
        return CAIRO_STATUS_SUCCESS;
      },
      &out);
    if (st != CAIRO_STATUS_SUCCESS)
      throw std::runtime_error{what_ + ": cannot encode PNG: " + cairo_status_to_string(st)};
    return out;
  }

private:
  std::string what_;
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface_;
  std::unique_ptr<cairo_t, decltype(&cairo_destroy)> ctx_;
};

} // namespace herald::content::detail
