#pragma once
// External text is data: what feeds (and later mentions and messages) send
// is made valid UTF-8, decoded, stripped of markup and line structure, bounded
// and, where it goes into a published piece, kept from changing that piece's
// structure or adding links. Pure code.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace herald::io::text {

/// `s` with every invalid UTF-8 sequence (stray continuation bytes,
/// truncated or overlong sequences, surrogates, code points above U+10FFFF)
/// replaced by U+FFFD.
std::string valid_utf8(std::string_view s);

/// Decodes HTML character references: the named ones feeds use (&amp; &lt;
/// &gt; &quot; &apos; &nbsp;) and numeric ones; a numeric reference to a
/// surrogate, to 0 or beyond U+10FFFF becomes U+FFFD.
std::string decode_entities(std::string_view s);

/// One line of plain text from HTML-ish input: entities decoded first (so
/// encoded markup is markup), then tags removed, then every run of
/// whitespace, line or paragraph separators and control characters made one
/// space, valid UTF-8, at most `max_chars` code points (cut with "…").
std::string plain_text(std::string_view html, std::size_t max_chars);

/// Replaces every URL-like token (scheme://..., www....) whose host is not
/// in `allowed_hosts` (exact, or a subdomain of one) with "(link removed)".
std::string strip_links(std::string_view text, const std::vector<std::string>& allowed_hosts);

/// Backslash-escapes what markdown would read as structure or formatting
/// (\ ` * _ { } [ ] ( ) # + - ! | < > ~), so an external text stays text
/// inside a published markdown piece.
std::string markdown_text(std::string_view text);

/// One line of valid UTF-8 for a log line or an error message that quotes
/// external bytes: invalid sequences replaced (U+FFFD), every control
/// character and line or paragraph separator made a space, at most
/// `max_chars` code points (cut with "…"). No other change (no entity
/// decoding, no tag removal).
std::string one_line(std::string_view s, std::size_t max_chars = 500);

/// Code points in valid UTF-8 `s`.
std::size_t code_points(std::string_view s);

} // namespace herald::io::text
