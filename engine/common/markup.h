// engine/common/markup.h: the one escaper of text put into HTML or XML (casex
// render's page, casex test's JUnit XML).
#pragma once

#include <string>
#include <string_view>

namespace casex::detail {

enum class Markup {
  Html,   // & < > " ' as references; every other byte as it is
  Xml10,  // the same, and what XML 1.0 cannot carry replaced (see escape_markup)
};

/// `s` as element content or a quoted attribute value: & < > " ' become
/// &amp; &lt; &gt; &quot; &#39;. With Markup::Xml10, also: tab, newline and CR
/// become character references (attribute values keep them); the other control
/// characters, which XML 1.0 cannot carry even as &#1;, become the text \u0001;
/// a byte that does not start valid UTF-8 (or starts U+FFFE, U+FFFF or a
/// surrogate) becomes U+FFFD.
std::string escape_markup(std::string_view s, Markup markup);

}  // namespace casex::detail
