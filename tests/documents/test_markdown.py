"""Section bodies: Markdown becomes safe HTML, whatever an official (or an attacker) writes."""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from documents.markdown import plain_text, render_markdown

ALLOWED_TAGS = {
    "p", "br", "h3", "h4", "h5", "h6", "em", "strong", "del", "s", "ul", "ol", "li", "a",
    "blockquote", "code", "pre", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "rel"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
}
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")


class _Collector(HTMLParser):
    """Every start tag with its attributes, as a browser's tokenizer would see them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))


def start_tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.tags


def hrefs(html: str) -> list[str | None]:
    return [dict(attrs).get("href") for tag, attrs in start_tags(html) if tag == "a"]


def assert_safe(html: str) -> None:
    assert "<script" not in html.lower()
    for tag, attrs in start_tags(html):
        assert tag in ALLOWED_TAGS, (tag, html)
        for name, value in attrs:
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()), (tag, name, html)
            # Browsers ignore ASCII whitespace and control characters inside a URL's scheme.
            squeezed = re.sub(r"[\x00-\x20]", "", value or "").lower()
            assert not squeezed.startswith(DANGEROUS_SCHEMES), (tag, name, value, html)
            if name == "style":
                assert value in {"text-align:left", "text-align:center", "text-align:right"}


# --- what officials write ---------------------------------------------------------------------


def test_empty_or_blank_text_renders_as_nothing():
    assert render_markdown("") == ""
    assert render_markdown("  \n\t\n") == ""


def test_paragraphs_emphasis_and_line_breaks_are_rendered():
    html = render_markdown("Ett *viktigt* och **mycket viktigt** ord, ~~struket~~.  \nNy rad.")

    assert html == (
        "<p>Ett <em>viktigt</em> och <strong>mycket viktigt</strong> ord, <s>struket</s>.<br>\n"
        "Ny rad.</p>\n"
    )


def test_body_headings_start_below_the_section_heading():
    html = render_markdown("# Ett\n\n## Två\n\n### Tre\n\n#### Fyra\n\n##### Fem\n\n###### Sex")

    assert re.findall(r"<(h\d)>", html) == ["h3", "h3", "h4", "h5", "h6", "h6"]
    assert "<h1>" not in html
    assert "<h2>" not in html
    assert "<h3>Ett</h3>" in html


def test_setext_headings_are_shifted_too():
    html = render_markdown("Rubrik\n======\n\nUnderrubrik\n-----------")

    assert "<h3>Rubrik</h3>" in html
    assert "<h3>Underrubrik</h3>" in html


def test_bullet_and_numbered_lists_are_rendered_with_their_start_number():
    html = render_markdown("- ett\n- två\n\n3. tre\n4. fyra")

    assert "<ul>\n<li>ett</li>\n<li>två</li>\n</ul>" in html
    assert '<ol start="3">\n<li>tre</li>\n<li>fyra</li>\n</ol>' in html


def test_tables_keep_their_column_alignment():
    html = render_markdown("| Kommun | Antal |\n|:--|--:|\n| Kumla | 12 |")

    assert '<th style="text-align:left">Kommun</th>' in html
    assert '<td style="text-align:right">12</td>' in html
    assert "<thead>" in html
    assert "<tbody>" in html


def test_blockquotes_code_and_rules_are_rendered():
    html = render_markdown("> citat\n\n`kod` och\n\n```python\nx = 1\n```\n\n---")

    assert "<blockquote>\n<p>citat</p>\n</blockquote>" in html
    assert "<code>kod</code>" in html
    # The language class of a fenced block is not on the allowlist.
    assert "<pre><code>x = 1\n</code></pre>" in html
    assert "<hr>" in html


@pytest.mark.parametrize(
    ("markdown", "href"),
    [
        ("[webb](https://example.se/sida?a=1&b=2)", "https://example.se/sida?a=1&b=2"),
        ("[webb](http://example.se)", "http://example.se"),
        ("[skriv](mailto:samordnare@example.se)", "mailto:samordnare@example.se"),
        ("<https://example.se>", "https://example.se"),
        ("[dokumentet](/documents/1/)", "/documents/1/"),
    ],
)
def test_links_to_web_mail_and_relative_addresses_are_kept(markdown, href):
    html = render_markdown(markdown)

    assert hrefs(html) == [href]
    assert 'rel="noopener noreferrer"' in html
    assert "target=" not in html


def test_a_link_title_is_kept():
    html = render_markdown('[webb](https://example.se "Regionens webb")')

    assert 'title="Regionens webb"' in html


def test_an_image_becomes_a_link_to_it_instead_of_disappearing():
    html = render_markdown("![Karta över länet](https://example.se/karta.png)")

    assert "<img" not in html
    assert hrefs(html) == ["https://example.se/karta.png"]
    assert "Karta över länet" in html


# --- what must never get through --------------------------------------------------------------


@pytest.mark.parametrize(
    "markdown",
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "text <script>alert(1)</script> text",
        '<img src=x onerror="alert(1)">',
        '<iframe src="https://evil.example"></iframe>',
        '<a href="javascript:alert(1)">x</a>',
        "<div onclick=alert(1)>x</div>",
        "<style>body{display:none}</style>",
        "<!-- a comment -->",
        '<svg onload="alert(1)">',
    ],
)
def test_raw_html_never_becomes_a_tag(markdown):
    html = render_markdown(markdown)

    assert_safe(html)
    assert start_tags(html) in ([], [("p", [])])


def test_raw_html_is_shown_as_text():
    html = render_markdown("Skriv <script>alert(1)</script> här")

    assert html == "<p>Skriv &lt;script&gt;alert(1)&lt;/script&gt; här</p>\n"


@pytest.mark.parametrize(
    "markdown",
    [
        "[x](javascript:alert(1))",
        "[x](JAVASCRIPT:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x]( javascript:alert(1))",
        "[x](<javascript:alert(1)>)",
        "[x](java&#x09;script:alert(1))",
        "[x](javascript&colon;alert(1))",
        "[x](data:text/html,<script>alert(1)</script>)",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[x](data:image/png;base64,iVBORw0KGgo=)",
        "[x](vbscript:msgbox(1))",
        "<javascript:alert(1)>",
        "[x][r]\n\n[r]: javascript:alert(1)",
        "![x](javascript:alert(1))",
    ],
)
def test_dangerous_link_schemes_produce_no_such_href(markdown):
    html = render_markdown(markdown)

    assert_safe(html)
    # What is left is a web or mail address or a relative one: "java%09script:x" is a path.
    schemes = {urlsplit(href).scheme for href in hrefs(html) if href}
    assert schemes <= {"http", "https", "mailto", ""}


# --- fuzzing ----------------------------------------------------------------------------------

FRAGMENTS = [
    "<script>", "</script>", "<SCRIPT>", "javascript:", "JaVaScRiPt:", "vbscript:", "data:",
    "data:text/html,", "onerror=", "onload=", "<a href=", "<img src=x ", "<iframe", "<svg",
    "style=", "[a](", "](", ")", "(", "[", "]", "![", "<", ">", "&", "&#", "&#x6a;", ";",
    "&colon;", '"', "'", "`", "```", "|", "|:--|", "---", "***", "# ", "## ", "> ", "- ", "1. ",
    "*", "**", "~~", "_", "\\", "\n", "\n\n", "  \n", "    ", "\t", "\x00", "http://", "mailto:",
    "/documents/1/", " ", "x", "text",
]  # fmt: skip


URL_STARTS = [
    "javascript:", "JAVASCRIPT:", " javascript:", "java\tscript:", "java&#x09;script:",
    "&#106;avascript:", "javascript&colon;", "vbscript:", "data:text/html,", "data:image/png,",
    "http://", "https://", "mailto:", "/", "", "<", "\\",
]  # fmt: skip

# Links are rare in random text, so some pieces are built as links with a doubtful address.
links = st.builds(
    "[{}]({}{}{})".format,
    st.text(max_size=3),
    st.sampled_from(URL_STARTS),
    st.text(max_size=5),
    st.sampled_from(["", ' "t"', ">", " 'x' "]),
)
autolinks = st.builds("<{}{}>".format, st.sampled_from(URL_STARTS), st.text(max_size=5))


@st.composite
def markdownish(draw):
    """Markdown syntax mixed with fragments of attacks, in any order."""
    pieces = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=5), links, autolinks)
    return "".join(draw(st.lists(pieces, max_size=40)))


FUZZ = settings(
    max_examples=300,
    deadline=None,
    database=None,  # leaves no .hypothesis/ directory in the repository
    suppress_health_check=[HealthCheck.function_scoped_fixture],  # the autouse language fixture
)


@FUZZ
@given(st.text())
def test_any_text_renders_to_allowlisted_html(text):
    assert_safe(render_markdown(text))


@FUZZ
@given(markdownish())
def test_markdown_mixed_with_attacks_renders_to_allowlisted_html(text):
    html = render_markdown(text)

    assert_safe(html)
    plain_text(text)  # and the readability path does not fail on it either


# --- plain text for readability ---------------------------------------------------------------


def test_plain_text_keeps_the_words_and_drops_the_markup():
    text = plain_text("Läs **mer** på [webben](https://example.se) om `kod` &amp; annat.")

    assert text == "Läs mer på webben om kod & annat."


def test_plain_text_ends_every_block_as_a_sentence():
    markdown = "# Mål\n\nVi ska samverka.\n\n- Fler föräldrar\n- Bättre stöd!\n\nFöljande gäller:"

    assert plain_text(markdown) == (
        "Mål.\nVi ska samverka.\nFler föräldrar.\nBättre stöd!\nFöljande gäller:"
    )


def test_plain_text_treats_table_cells_and_hard_breaks_as_block_ends():
    markdown = "| Kommun | Antal |\n|---|---|\n| Kumla | 12 |\n\nRad ett  \nrad två"

    assert plain_text(markdown) == "Kommun.\nAntal.\nKumla.\n12.\nRad ett.\nrad två."


def test_plain_text_joins_wrapped_lines_and_collapses_whitespace():
    assert plain_text("Ett   stycke\nsom  fortsätter\n") == "Ett stycke som fortsätter."


def test_plain_text_does_not_add_a_stop_after_a_closing_quote():
    assert plain_text('Hon sa "Välkommen."') == 'Hon sa "Välkommen."'


def test_plain_text_leaves_out_code_blocks():
    assert plain_text("Före.\n\n```\nx = 1\n```\n\n    y = 2\n\nEfter.") == "Före.\nEfter."


def test_plain_text_keeps_raw_html_as_the_text_the_page_shows():
    assert plain_text("Text <b>fet</b>") == "Text <b>fet</b>."


def test_plain_text_of_nothing_is_empty():
    assert plain_text("") == ""
    assert plain_text("---\n\n   ") == ""


def test_a_table_scrolls_in_a_region_named_by_its_columns_that_a_keyboard_reaches():
    html = render_markdown('Före\n\n| Aktör | Ansvar "x" |\n|--|--|\n| Kumla | <b>mycket</b> |')

    assert html.startswith(
        '<p>Före</p>\n<div class="table-scroll" role="region" '
        'aria-label="Tabell: Aktör, Ansvar &quot;x&quot;" tabindex="0"><table>'
    )
    assert html.rstrip().endswith("</table></div>")
    assert "<b>" not in html


def test_a_table_without_column_headings_is_named_table():
    html = render_markdown("| | |\n|--|--|\n| 1 | 2 |")

    assert 'aria-label="Tabell"' in html
