// tests/markup_test.cpp: the one HTML/XML escaper (engine/common/markup.h) that
// casex render's page and casex test's JUnit XML share.
#include <catch2/catch.hpp>

#include <string>

#include "engine/common/markup.h"

using casex::detail::escape_markup;
using casex::detail::Markup;

TEST_CASE("markup: both forms escape the five markup characters", "[markup][render]") {
  for (Markup m : {Markup::Html, Markup::Xml10})
    CHECK(escape_markup(R"(a & b < c > d "e" 'f')", m) ==
          "a &amp; b &lt; c &gt; d &quot;e&quot; &#39;f&#39;");
}

TEST_CASE("markup: HTML keeps every other byte, XML 1.0 replaces what it cannot carry",
          "[markup][render]") {
  const std::string text =
      std::string("t\tn\nr\rx\x01y\x7f") + "\xC3\xA9" + "\xFF" + "\xEF\xBF\xBE" + "\xED\xA0\x80";
  CHECK(escape_markup(text, Markup::Html) == text);
  CHECK(escape_markup(text, Markup::Xml10) ==
        std::string("t&#9;n&#10;r&#13;x\\u0001y\x7f") + "\xC3\xA9" + "\xEF\xBF\xBD" +
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" + "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}
