#pragma once
// What the engagement agent answers (issue 18), pure code:
//   classify()      the intent of an inbound text: a question about a
//                   tracked symbol, a question about one of our posts,
//                   thanks, or other; and the symbol it names
//   reply_templates config/templates/replies/<intent>.<variant>.txt,
//                   rendered with the symbol's facts (content::render)
//   compose()       the reply: template, facts, footer, fitted to the
//                   platform's length limit
// The inbound text only chooses the intent and the symbol; nothing of it is
// copied into a reply, so hostile text (markup, control characters, 10 KB,
// other scripts) cannot shape what we send.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "content/templates.hpp"

namespace herald::community {

enum class intent { symbol_question, post_question, thanks, other, untracked_symbol };
const char* intent_name(intent i);

struct classified {
  intent kind = intent::other;
  std::string symbol; ///< the tracked symbol named ("" when none)
  std::string named;  ///< an untracked ticker named ("ADA"), for untracked_symbol
};

/// `aliases`: lower-case word -> symbol (news.aliases); `tracked`: the
/// symbols Herald follows. `summoned_reply`: the text answers one of ours.
classified classify(const std::string& text, bool summoned_reply,
                    const std::map<std::string, std::string>& aliases,
                    const std::vector<std::string>& tracked);

/// Loaded reply templates, per intent, with variants ("a", "b", ...).
class reply_templates {
public:
  /// Loads `<intent>.<variant>.txt` from `dir`; throws content::template_error
  /// naming the file when one is empty, unreadable or does not render with
  /// sample facts, or when an intent has no template.
  static reply_templates load(const std::string& dir);
  /// Built-in defaults (the same texts as config/templates/replies).
  static reply_templates builtin();
  const std::vector<content::template_variant>& of(intent i) const;

private:
  std::map<intent, std::vector<content::template_variant>> t_;
};

struct reply_request {
  classified what;
  content::facts facts;       ///< symbol_facts of what.symbol (may be empty)
  std::string tracked;        ///< "BTCUSDT, ETHUSDT" for the other/untracked templates
  std::string footer;         ///< appended on its own line ("" : none)
  std::size_t max_chars = 280;///< X 280, Discord 2000, Telegram 4096
  std::size_t variant_seed = 0; ///< picks the variant (deterministic)
};

struct reply_text {
  std::string text;
  std::string variant;
  intent used = intent::other; ///< a symbol question without facts falls back
};

/// The reply, or nullopt and `error` when no template renders.
std::optional<reply_text> compose(const reply_templates& t, const reply_request& r,
                                  std::string& error);

/// Sample facts a reply template of `i` must render with (load checks).
content::facts sample_reply_facts(intent i);

} // namespace herald::community
