#pragma once
// Cutting a long text (a research report) into a numbered thread for X or
// Telegram: every part "i/n " + text within the channel's limit, cut at
// paragraph, then sentence, then word boundaries, and inside a word only when
// one word alone is longer than a part. Pure code.

#include <string>
#include <string_view>
#include <vector>

namespace herald::content {

/// The parts, numbered "1/n ", "2/n ", ...; a text that fits in one part is
/// returned as is (no number). `limit` counts code points and must be > 10.
std::vector<std::string> cut_thread(std::string_view text, std::size_t limit);

} // namespace herald::content
