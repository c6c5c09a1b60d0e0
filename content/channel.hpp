#pragma once
// Publishing channels and their text limits. Pure code.
//
// Limits count Unicode code points (what Telegram, Discord and X count for
// plain text; X weighs some characters double, which Herald does not try to
// model: its texts are ASCII apart from the occasional arrow or ellipsis).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace herald::content {

enum class channel : std::uint8_t { articles, telegram, discord, x, webhook };
constexpr std::size_t channel_count = 5;

const char* channel_name(channel c);
std::optional<channel> parse_channel(std::string_view name);

/// Characters a text may have on the channel; 0 means unlimited.
std::size_t text_limit(channel c);
/// Characters a photo caption may have (Telegram 1024); 0 means unlimited.
std::size_t caption_limit(channel c);

/// Code points of a UTF-8 string (stray continuation bytes are not counted).
std::size_t utf8_length(std::string_view s);

/// `s` cut to at most `limit` code points, at a word boundary when one lies in
/// the last fifth, ending in "…" when cut. Never splits a UTF-8 sequence.
/// A limit of 0 returns `s` unchanged.
std::string fit(std::string_view s, std::size_t limit);

} // namespace herald::content
