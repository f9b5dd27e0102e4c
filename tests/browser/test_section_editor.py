"""The section editor in a real browser: writing like in Word, storing the same Markdown.

The editor (static/vendor/editor.js, built from static/js/editor.js) stands in for the body
textarea and writes Markdown back into it. These tests check what a writer notices: a text saved
unchanged reads the same on the page; a paste from Word keeps its headings, lists and table;
Ctrl+B makes bold and the toolbar is a Tab away; without JavaScript the textarea is there and
saves; axe (WCAG 2.1 AA and best practice) finds nothing on the edit page with the editor open;
and the editor's page runs under the Content-Security-Policy without a violation.
"""

import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from documents.demo import FIRST_DRAFT, REVISED
from documents.docx_io.reading import parse_docx
from documents.markdown import render_markdown
from documents.models import Section
from networks.models import Role
from tests.documents.docx_factory import make_strategy_docx
from tests.factories import PASSWORD, DocumentFactory, MembershipFactory, SectionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 15_000
ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

RICH = """Inledande stycke med **fetstil**, *kursiv* och en [länk](https://example.org/plan).

## Mål

- Första målet
- Andra målet med **betoning**

1. Ett
2. Två

### Ansvar

| Aktör | Ansvar |
| --- | --- |
| Regionen | Samordnar |
| Kommunerna | Genomför |

Ett sista stycke.
"""

# What Word puts on the clipboard (trimmed): a heading, list paragraphs with their bullets and
# numbers as text in "mso-list:Ignore" spans inside conditional comments, and a table without
# header cells.
WORD_HTML = """<html xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word"><head><meta charset="utf-8">
<style>p.MsoNormal {margin:0cm;}</style></head><body lang=SV>
<!--StartFragment-->
<h1>Insatser 2023<o:p></o:p></h1>
<p class=MsoNormal>Regionen <b>ska</b> stödja <i>alla</i> kommuner.<o:p></o:p></p>
<p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'>
<!--[if !supportLists]--><span style='font-family:Symbol'><span style='mso-list:Ignore'>·
<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;</span></span></span>
<!--[endif]-->Föräldrastöd<o:p></o:p></p>
<p class=MsoListParagraphCxSpLast style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'>
<!--[if !supportLists]--><span style='font-family:Symbol'><span style='mso-list:Ignore'>·
<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;</span></span></span>
<!--[endif]-->Utbildning<o:p></o:p></p>
<p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;mso-list:l1 level1 lfo2'>
<!--[if !supportLists]--><span><span style='mso-list:Ignore'>1.<span
style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;</span></span></span>
<!--[endif]-->Planera<o:p></o:p></p>
<p class=MsoListParagraphCxSpLast style='text-indent:-18.0pt;mso-list:l1 level1 lfo2'>
<!--[if !supportLists]--><span><span style='mso-list:Ignore'>2.<span
style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;</span></span></span>
<!--[endif]-->Genomföra<o:p></o:p></p>
<table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0>
<tr><td width=302 valign=top><p class=MsoNormal><b>Aktör</b><o:p></o:p></p></td>
<td width=302 valign=top><p class=MsoNormal><b>Uppgift</b><o:p></o:p></p></td></tr>
<tr><td width=302 valign=top><p class=MsoNormal>Regionen<o:p></o:p></p></td>
<td width=302 valign=top><p class=MsoNormal>Samordnar<o:p></o:p></p>
<p class=MsoNormal>och följer upp<o:p></o:p></p></td></tr>
</table>
<!--EndFragment-->
</body></html>"""

PASTE = """([html, text]) => {
  const editor = document.querySelector("[role=textbox][contenteditable=true]");
  editor.focus();
  const data = new DataTransfer();
  data.setData("text/html", html);
  data.setData("text/plain", text);
  const event = new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true});
  editor.dispatchEvent(event);
}"""


@pytest.fixture
def writing(live_server_url, page):
    document = DocumentFactory(title="Regional strategi")
    writer = MembershipFactory(network=document.network, role=Role.WRITER).user
    section = SectionFactory(document=document, heading="Insatser", body=RICH, position=1)
    page.set_default_timeout(TIMEOUT_MS)
    log_in(page, live_server_url, writer.email)
    return document, section


def log_in(page, base, email):
    page.goto(f"{base}/login/")
    page.locator("[name=username]").fill(email)
    page.locator("[name=password]").fill(PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(f"{base}/")


def edit_page(base, document, section):
    return f"{base}/documents/{document.pk}/sections/{section.key}/edit/"


def editor_of(page):
    return page.get_by_role("textbox", name="Text (frivilligt)", exact=True)


def save(page):
    """Save; the saved section takes the form's place (htmx), with "Sparat." (saved)."""
    page.get_by_role("button", name="Spara", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Sparat.")).to_be_visible()


def back_on_the_document(page, document):
    """After saving, the form sends the writer back to the document page."""
    url = re.escape(document.get_absolute_url())
    page.wait_for_url(re.compile(rf"{url}(\?[^#]*)?(#.*)?$"))


def saved_body(section):
    return Section.objects.get(pk=section.pk).body


def test_a_text_saved_unchanged_reads_the_same(writing, live_server_url, page):
    document, section = writing
    page.goto(edit_page(live_server_url, document, section))
    editor = editor_of(page)
    expect(editor).to_be_visible()
    expect(page.locator("textarea[name=body]")).to_be_hidden()
    # What the writer sees: a heading, bold, a list, a table, not Markdown signs.
    expect(editor.locator("h3")).to_have_text("Mål")
    expect(editor.locator("strong").first).to_have_text("fetstil")
    expect(editor.locator("table th")).to_have_text(["Aktör", "Ansvar"])
    expect(editor).not_to_contain_text("**")

    # A change undone: the editor writes its own Markdown back into the form.
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("x")
    page.keyboard.press("Backspace")
    written = page.locator("textarea[name=body]").input_value()
    assert written.strip(), "the editor wrote nothing into the textarea"

    save(page)
    stored = saved_body(section)
    assert render_markdown(stored) == render_markdown(RICH)


def test_a_paste_from_word_keeps_headings_lists_table_and_emphasis(writing, live_server_url, page):
    document, section = writing
    Section.objects.filter(pk=section.pk).update(body="")
    page.goto(edit_page(live_server_url, document, section))
    page.evaluate(PASTE, [WORD_HTML, "Insatser 2023"])
    editor = editor_of(page)
    expect(editor.locator("table")).to_have_count(1)
    save(page)

    html = str(render_markdown(saved_body(section)))
    assert "<h3>Insatser 2023</h3>" in html
    assert "<strong>ska</strong>" in html
    assert "<em>alla</em>" in html
    assert re.search(r"<ul>\s*<li>Föräldrastöd</li>\s*<li>Utbildning</li>\s*</ul>", html), html
    assert re.search(r"<ol>\s*<li>Planera</li>\s*<li>Genomföra</li>\s*</ol>", html), html
    assert re.search(r"<th>\s*<strong>Aktör</strong>\s*</th>", html), html
    # A cell's two paragraphs are one line in a Markdown table.
    assert re.search(r"<td>Regionen</td>\s*<td>Samordnar och följer upp</td>", html), html
    for leftover in ("·", "mso", "o:p"):  # Word's bullets and markup are gone
        assert leftover not in html


def test_bold_by_ctrl_b_and_the_toolbar_a_tab_away(writing, live_server_url, page):
    document, section = writing
    Section.objects.filter(pk=section.pk).update(body="Vanlig text.")
    page.goto(edit_page(live_server_url, document, section))
    page.get_by_label("Rubrik").focus()  # the heading field, just before the text

    # Tab from the heading: the toolbar's one stop, then the text (then the plain-text switch).
    page.keyboard.press("Tab")
    toolbar = page.get_by_role("toolbar", name="Textformat")
    bold = toolbar.get_by_role("button", name="Fetstil")
    first = toolbar.get_by_role("button", name="Brödtext")
    expect(first).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(bold).to_be_focused()
    page.keyboard.press("Tab")  # one stop for the whole toolbar (roving tabindex)
    editor = editor_of(page)
    expect(editor).to_be_focused()

    page.keyboard.press("Control+End")
    page.keyboard.type(" ")
    page.keyboard.press("Control+b")
    expect(bold).to_have_attribute("aria-pressed", "true")
    page.keyboard.type("Viktigt")
    page.keyboard.press("Control+b")
    expect(bold).to_have_attribute("aria-pressed", "false")
    page.keyboard.type(" nu.")

    # Alt+F10 goes to the toolbar, where focus left it; Escape comes back to the text.
    page.keyboard.press("Alt+F10")
    expect(bold).to_be_focused()
    page.keyboard.press("Escape")
    expect(editor).to_be_focused()

    save(page)
    assert saved_body(section).strip() == "Vanlig text. **Viktigt** nu."


def test_a_link_from_the_toolbar(writing, live_server_url, page):
    document, section = writing
    Section.objects.filter(pk=section.pk).update(body="Läs planen.")
    page.goto(edit_page(live_server_url, document, section))
    editor = editor_of(page)
    editor.locator("p").first.click(position={"x": 1, "y": 5})  # the caret before "Läs"
    for _ in "Läs":
        page.keyboard.press("Shift+ArrowRight")
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept("https://example.org/plan")

    page.once("dialog", answer)
    link = page.get_by_role("toolbar", name="Textformat").get_by_role("button", name="Länk")
    link.click()
    assert asked == ["Länkens adress (tom tar bort länken)"]
    expect(link).to_have_attribute("aria-pressed", "true")
    save(page)
    assert saved_body(section).strip() == "[Läs](https://example.org/plan) planen."


def test_without_javascript_the_textarea_edits_and_saves(live_server_url, browser):
    document = DocumentFactory(title="Regional strategi")
    writer = MembershipFactory(network=document.network, role=Role.WRITER).user
    section = SectionFactory(document=document, heading="Mål", body="Gammal text.", position=1)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        log_in(page, live_server_url, writer.email)
        page.goto(edit_page(live_server_url, document, section))
        expect(page.get_by_role("toolbar")).to_have_count(0)
        body = page.locator("textarea[name=body]")
        expect(body).to_be_visible()
        body.fill("Ny text med **fetstil**.")
        page.get_by_role("button", name="Spara", exact=True).click()
        back_on_the_document(page, document)
        assert saved_body(section) == "Ny text med **fetstil**."
    finally:
        context.close()


def test_the_plain_text_switch_shows_and_takes_the_markdown(writing, live_server_url, page):
    document, section = writing
    Section.objects.filter(pk=section.pk).update(body="Första.")
    page.goto(edit_page(live_server_url, document, section))
    switch = page.get_by_role("button", name="Redigera som ren text")
    switch.click()
    body = page.locator("textarea[name=body]")
    expect(body).to_be_focused()
    expect(switch).to_have_attribute("aria-pressed", "true")
    body.fill("Första.\n\n- en punkt")
    switch.click()
    expect(editor_of(page).locator("ul li")).to_have_text(["en punkt"])
    save(page)
    assert saved_body(section) == "Första.\n\n- en punkt"


def test_the_editor_in_place_on_the_document_page(writing, live_server_url, page):
    """htmx brings the form into the document page: the editor starts there too."""
    document, section = writing
    page.goto(f"{live_server_url}{document.get_absolute_url()}")
    page.get_by_role("link", name="Redigera: Insatser", exact=True).click()
    in_place = page.locator(f"#section-{section.key}")
    # The editor takes the textarea's place once htmx has brought the form in.
    expect(in_place.locator("[contenteditable=true]")).to_be_visible()
    editor = in_place.get_by_role("textbox", name="Text (frivilligt)", exact=True)
    expect(editor).to_be_visible()
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" Tillagt.")
    save(page)
    expect(in_place.locator(".prose")).to_contain_text("Tillagt.")
    assert "Tillagt." in saved_body(section)


def test_axe_and_the_policy_on_the_edit_page_with_the_editor(writing, live_server_url, page):
    document, section = writing
    violations_seen: list[str] = []
    page.on("console", lambda m: m.type == "error" and violations_seen.append(m.text))
    page.on("pageerror", lambda e: violations_seen.append(str(e)))
    page.add_init_script(
        """window.__csp = [];
        document.addEventListener("securitypolicyviolation",
          e => window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline")));"""
    )

    def check(label):
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(AXE_JS.read_text())
        results = page.evaluate(
            "options => axe.run(document, options)",
            {
                "runOnly": {"type": "tag", "values": [*AXE_TAGS, "best-practice"]},
                "resultTypes": ["violations"],
            },
        )
        found = [(v["id"], [n["target"] for n in v["nodes"]]) for v in results["violations"]]
        assert found == [], label
        assert page.evaluate("() => window.__csp") == [], label
        assert violations_seen == [], label
        wider = page.evaluate(
            "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
        )
        assert not wider, f"{label}: wider than the screen"

    for width, height in ((1366, 900), (320, 640)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(edit_page(live_server_url, document, section))
        editor = editor_of(page)
        expect(editor).to_be_visible()
        editor.click()  # a table, a list and a heading are on show; the cursor in the text
        check(f"the edit page at {width} px")
        # A button pressed where the cursor is (bold), one that does not apply (undo), and the
        # row and column buttons only in a table.
        editor.locator("strong").first.click()
        toolbar = page.get_by_role("toolbar", name="Textformat")
        expect(toolbar.get_by_role("button", name="Fetstil")).to_have_attribute(
            "aria-pressed", "true"
        )
        expect(toolbar.get_by_role("button", name="Ångra")).to_have_attribute(
            "aria-disabled", "true"
        )
        add_row = toolbar.get_by_role("button", name="Lägg till rad")
        expect(add_row).to_have_count(0)
        check(f"the edit page with a pressed button at {width} px")
        editor.locator("td").first.click()
        expect(add_row).to_have_attribute("aria-disabled", "false")
        add_row.click()
        expect(editor.locator("tr")).to_have_count(4)
        check(f"the edit page in a table at {width} px")

        # The document page: the add form has the editor, and a section opens in place.
        page.goto(f"{live_server_url}{document.get_absolute_url()}")
        expect(page.locator("#add-heading ~ form [contenteditable=true]")).to_be_visible()
        page.get_by_role("link", name="Redigera: Insatser", exact=True).click()
        expect(page.locator(f"#section-{section.key} [contenteditable=true]")).to_be_visible()
        check(f"the document page editing in place at {width} px")


def test_the_committed_bundle_is_what_the_build_makes(tmp_path):
    """static/vendor/editor.js is committed (nothing is built at install time); it must be the
    bundle that `npm run build:editor` makes from static/js/editor.js."""
    esbuild = ROOT / "node_modules" / ".bin" / "esbuild"
    if not esbuild.exists():
        # As the axe fixture does for axe-core: the browser tests need `npm ci`; a check that
        # cannot run fails, it is not skipped.
        pytest.fail(f"esbuild is missing: {esbuild} (run 'npm ci')", pytrace=False)
    out = tmp_path / "editor.js"
    command = subprocess.run(
        ["npm", "run", "--silent", "build:editor", "--", f"--outfile={out}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert command.returncode == 0, command.stderr
    committed = (ROOT / "static" / "vendor" / "editor.js").read_text()
    assert out.read_text() == committed, "run `npm run build:editor` and commit the bundle"


# Markdown that writers (and the Word import) put into sections, each to come back from the
# editor so that the page shows the same.
SAMPLES = [
    RICH,
    "Rad ett  \nrad två med hård radbrytning.",
    "- Ett\n  - Inre punkt\n  - Till\n- Två",
    "3. Tre\n4. Fyra",
    "> Ett citat.",
    "Text med ~~struket~~ och `kod`.",
    "Stjärnor * och understreck _ och 2 * 3 = 6.",
    "1986\\. Ett år, ingen lista.",
    "\\- inte en punkt, \\# ingen rubrik\n\n\\>inget citat",
    "Rad  \n\\- efter en hård radbrytning",
    "| Vänster | Mitten | Höger |\n| :--- | :---: | ---: |\n| a | b | c |",
    "# Rubrik ett\n\n#### Rubrik fyra\n\nStycke.",
    "[Regionen](https://example.org/a_b) och <https://example.org/c>.",
    "Första stycket.\n\n\n\nAndra stycket.",
    "- [ ] ingen kryssruta\n- Punkt med [länk](/documents/1/)",
    "Ett stycke\nsom fortsätter på nästa rad.",
    "Kod:\n\n```\nrad 1\nrad 2\n```",
    "Läs mer på https://example.org/plan eller www.example.org.",
]


def test_markdown_comes_back_from_the_editor_as_the_page_shows_it(writing, live_server_url, page):
    document, section = writing
    page.goto(edit_page(live_server_url, document, section))
    expect(editor_of(page)).to_be_visible()
    round_trip = """text => {
      const markdown = document.querySelector("textarea[name=body]").samverkaMarkdown;
      markdown.load(text);
      return markdown.save();
    }"""
    # And the demo strategy's texts, and what the Word import makes of a real Word file.
    imported = [section.body for section in parse_docx(make_strategy_docx()).sections]
    samples = SAMPLES + [body for _, body in FIRST_DRAFT] + list(REVISED.values()) + imported
    different = []
    for sample in samples:
        back = page.evaluate(round_trip, sample)
        if render_markdown(back) != render_markdown(sample):
            different.append((sample, back, str(render_markdown(back))))
    assert different == []
