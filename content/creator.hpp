#pragma once
// The content creator's writing (pure code; the creator actor only routes):
// turns a brief into the text for its channel, from the templates or from
// an optional LLM writer whose output is checked first.
//   - alerts and recaps: the channel's template variant picked by piece id;
//   - reports and scorecards: the articles page is the full markdown;
//     other long-form channels get their template (summary + link);
//   - threads: the report digest cut into numbered parts for X / Telegram;
//   - everything fits the channel's limit (cut at a word, never mid UTF-8).
// An LLM draft is used only if it fits the limit and every number in it is
// one of the facts (checked by llm_check); otherwise the template is used
// and the reason recorded.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "content/templates.hpp"
#include "messages/content.hpp"

namespace herald::content {

struct draft {
  std::string title;
  std::vector<std::string> parts;
  std::string markdown; ///< articles: the page body
  std::string variant;  ///< template variant, or "llm"
  std::string writer = "template";
  std::string note;     ///< why the LLM draft was not used, if it was not
  std::string refused;  ///< why the fact check refused the text ("" = passed)
};

/// Asked for text given the facts; returns nullopt (with `error`) when it
/// has none (timeout, HTTP error). Blocking.
using llm_writer = std::function<std::optional<std::string>(
  const std::string& type, const std::string& channel, const facts& f, std::size_t limit,
  std::string* error)>;

/// Numbers the text states (e.g. "43,210.12", "-1.5", "67%") that are not
/// among `f`'s numbers (compared at the precision the text gives, so "43210"
/// matches 43210.12 only if written as the rounded value). Digits inside
/// words (BTCUSDT, 1m, 1/3) are not numbers. Empty: all grounded.
std::vector<std::string> ungrounded_numbers(const std::string& text, const facts& f);

/// Whether an LLM draft may be used (fits `limit` and passes fact_check);
/// "" or why not.
std::string llm_check(const std::string& text, const facts& f, std::size_t limit);

class creator {
public:
  /// `site_url`: base of the articles site ("" when it is off), for links.
  creator(const template_set& templates, std::string site_url, llm_writer llm = {});

  /// The text for `b`'s channel; nullopt with `error` when no template fits.
  std::optional<draft> write(const content_brief& b, std::string* error) const;

  /// Link to the article page of a piece ("" without a site).
  std::string link_for(const std::string& piece) const;

private:
  const template_set& templates_;
  std::string site_url_;
  llm_writer llm_;
};

} // namespace herald::content
