#pragma once
// Lexicon sentiment of finance text: a lexicon of terms and phrases scored in
// [-3, 3], negators that flip the next words, boosters that scale them. The
// default lexicon (config/lexicon/finance.tsv) is compiled into the binary.
// Pure code.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

namespace herald::analysis {

/// A malformed lexicon: names the source, the line and what is wrong.
struct lexicon_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class lexicon {
public:
  enum class kind : std::uint8_t { sentiment, negation, booster };
  struct entry {
    double value = 0;
    kind k = kind::sentiment;
  };

  /// Parses lexicon text; `source` names it in errors ("file.tsv:12: ...").
  static lexicon parse(std::string_view text, const std::string& source);
  /// Reads a lexicon file.
  static lexicon load(const std::string& path);
  /// The built-in finance lexicon.
  static const lexicon& builtin();

  const entry* find(const std::string& term) const;
  std::size_t size() const { return terms_.size(); }
  std::size_t count(kind k) const;
  std::size_t max_words() const { return max_words_; }

private:
  std::unordered_map<std::string, entry> terms_;
  std::size_t max_words_ = 1;
};

struct text_sentiment {
  double score = 0; ///< [-1, 1]
  int hits = 0;     ///< sentiment terms matched
};

/// Scores a text: sum of matched terms (negated within 3 words after a
/// negator, scaled by a booster within 2 words before or right after), normalised to
/// [-1, 1] as s / sqrt(s^2 + 15).
text_sentiment score_text(const lexicon& lex, std::string_view text);

} // namespace herald::analysis
