"""Comparing two versions: sections by key, then paragraphs, then words (documents/diff.py)."""

import html
import pickle
import re

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from documents.diff import SectionText, diff_documents, diff_text

DELETED = '<span class="visually-hidden">deleted: </span>'
END_DELETED = '<span class="visually-hidden"> end of deletion</span>'
INSERTED = '<span class="visually-hidden">inserted: </span>'
END_INSERTED = '<span class="visually-hidden"> end of insertion</span>'

INTRO = "Regionen samordnar föräldraskapsstödet tillsammans med kommunerna i länet."
GOALS = "Alla föräldrar ska erbjudas stöd under barnets hela uppväxt, från graviditet till tonår."
FOCUS = "Insatserna ska vara universella, tidiga och bygga på beprövad erfarenhet och forskning."
FOLLOW_UP = "Nätverket följer upp arbetet varje år och redovisar resultaten för styrgruppen."


@pytest.fixture(autouse=True)
def english():
    # The screen-reader texts are translated; compare against the English msgids.
    with translation.override("en"):
        yield


def section(key, heading, *paragraphs):
    return SectionText(key, heading, "\n\n".join(paragraphs))


def strategy():
    return [
        section("intro", "Inledning", INTRO),
        section("goals", "Mål", GOALS, FOCUS),
        section("follow-up", "Uppföljning", FOLLOW_UP),
    ]


def by_key(diff):
    return {s.key: s for s in diff.sections}


def visible(fragment):
    """What a sighted reader sees: the markup and the screen-reader texts removed."""
    fragment = re.sub(r'<span class="visually-hidden">.*?</span>', "", fragment)
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def old_side(fragment):
    return visible(re.sub(r"<ins>.*?</ins>", "", fragment, flags=re.S))


def new_side(fragment):
    return visible(re.sub(r"<del>.*?</del>", "", fragment, flags=re.S))


def test_identical_versions_have_no_changes():
    diff = diff_documents(strategy(), strategy())

    assert not diff.has_changes
    assert [s.status for s in diff.sections] == ["unchanged"] * 3
    assert not any(s.moved or s.is_changed for s in diff.sections)
    assert diff.stats.sections_unchanged == 3
    assert diff.stats.paragraphs_changed == 0
    # Unchanged sections keep their text so that a collapsed section can be expanded.
    assert [p.kind for p in by_key(diff)["goals"].paragraphs] == ["equal", "equal"]
    assert by_key(diff)["goals"].paragraphs[1].html == FOCUS


def test_a_changed_word_is_one_deletion_and_one_insertion_announced_to_screen_readers():
    new = strategy()
    new[1] = section("goals", "Mål", GOALS.replace("erbjudas", "få"), FOCUS)

    diff = diff_documents(strategy(), new)

    goals = by_key(diff)["goals"]
    assert goals.status == "changed"
    assert [p.kind for p in goals.paragraphs] == ["changed", "equal"]
    fragment = goals.paragraphs[0].html
    assert fragment.count("<del>") == fragment.count("</del>") == 1
    assert fragment.count("<ins>") == fragment.count("</ins>") == 1
    assert f"<del>{DELETED}erbjudas{END_DELETED}</del>" in fragment
    assert f"<ins>{INSERTED}få{END_INSERTED}</ins>" in fragment
    assert fragment.startswith("Alla föräldrar ska <del>")
    assert diff.stats.sections_changed == 1
    assert diff.stats.paragraphs_changed == 1


def test_untrusted_text_comes_out_escaped_everywhere():
    attack = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'
    old = [section("a", "Rubrik", INTRO, f"Text {attack} slut."), section("b", "B", FOLLOW_UP)]
    new = [
        section("a", f"Rubrik {attack}", INTRO, f"Ny text {attack} slut."),
        section("c", attack, attack),
    ]

    diff = diff_documents(old, new)

    fragments = [s.heading_html for s in diff.sections]
    fragments += [p.html for s in diff.sections for p in s.paragraphs]
    for fragment in fragments:
        assert "<script" not in fragment
        assert "<img" not in fragment
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img" in fragments[0]
    assert new_side(by_key(diff)["a"].paragraphs[1].html) == f"Ny text {attack} slut."


def test_an_added_section_is_inserted_as_a_whole_where_the_new_version_has_it():
    new = strategy()
    new.insert(1, section("budget", "Budget", "Arbetet finansieras gemensamt.", "Två år."))

    diff = diff_documents(strategy(), new)

    assert [s.key for s in diff.sections] == ["intro", "budget", "goals", "follow-up"]
    budget = by_key(diff)["budget"]
    assert budget.status == "added"
    assert budget.old_heading is None
    assert budget.heading_html == f"<ins>{INSERTED}Budget{END_INSERTED}</ins>"
    assert [p.kind for p in budget.paragraphs] == ["inserted", "inserted"]
    assert budget.paragraphs[1].html == f"<ins>{INSERTED}Två år.{END_INSERTED}</ins>"
    # Adding a section moves no other section.
    assert not any(s.moved for s in diff.sections)
    assert diff.stats.sections_added == 1
    assert diff.stats.paragraphs_inserted == 2


def test_a_removed_section_is_shown_where_it_was():
    new = [s for s in strategy() if s.key != "goals"]

    diff = diff_documents(strategy(), new)

    assert [s.key for s in diff.sections] == ["intro", "goals", "follow-up"]
    goals = by_key(diff)["goals"]
    assert goals.status == "removed"
    assert goals.new_heading is None
    assert goals.heading_html == f"<del>{DELETED}Mål{END_DELETED}</del>"
    assert [p.kind for p in goals.paragraphs] == ["deleted", "deleted"]
    assert goals.paragraphs[0].html == f"<del>{DELETED}{GOALS}{END_DELETED}</del>"
    assert diff.stats.sections_removed == 1
    assert diff.stats.paragraphs_deleted == 2


def test_removed_sections_follow_the_nearest_earlier_section_that_is_still_there():
    old = [section(key, key.upper(), key) for key in ["a", "b", "c", "d", "e"]]
    new = [old[3], old[0]]  # d, a: b and c were after a, e after d

    diff = diff_documents(old, new)

    assert [s.key for s in diff.sections] == ["d", "e", "a", "b", "c"]
    assert [s.status for s in diff.sections] == [
        "unchanged",
        "removed",
        "unchanged",
        "removed",
        "removed",
    ]


def test_a_section_removed_from_the_start_is_shown_first():
    new = strategy()[1:]

    diff = diff_documents(strategy(), new)

    assert next((s.key, s.status) for s in diff.sections) == ("intro", "removed")


def test_a_reordered_section_is_moved_but_not_changed():
    intro, goals, follow_up = strategy()

    diff = diff_documents([intro, goals, follow_up], [intro, follow_up, goals])

    assert [s.key for s in diff.sections] == ["intro", "follow-up", "goals"]
    moved = [s for s in diff.sections if s.moved]
    assert len(moved) == 1
    assert moved[0].status == "unchanged"
    assert moved[0].is_changed
    assert by_key(diff)["intro"].moved is False
    assert diff.has_changes
    assert diff.stats.sections_moved == 1
    assert diff.stats.sections_changed == 0
    assert (moved[0].old_position, moved[0].new_position) in [(2, 1), (1, 2)]


def test_a_section_can_be_moved_and_changed():
    intro, goals, follow_up = strategy()
    changed = section("intro", "Inledning", INTRO.replace("länet", "regionen"))

    diff = diff_documents([intro, goals, follow_up], [goals, follow_up, changed])

    intro_diff = by_key(diff)["intro"]
    assert intro_diff.moved
    assert intro_diff.status == "changed"
    assert "<del>" in intro_diff.paragraphs[0].html
    assert [s.key for s in diff.sections if s.moved] == ["intro"]


def test_an_inserted_and_a_deleted_paragraph_are_marked_as_a_whole():
    new = strategy()
    added = "Ett nytt stycke om digitalt stöd till föräldrar."
    new[1] = section("goals", "Mål", added, GOALS)  # FOCUS deleted, a new one first

    goals = by_key(diff_documents(strategy(), new))["goals"]

    assert [p.kind for p in goals.paragraphs] == ["inserted", "equal", "deleted"]
    assert goals.paragraphs[0].html == f"<ins>{INSERTED}{added}{END_INSERTED}</ins>"
    assert goals.paragraphs[2].html == f"<del>{DELETED}{FOCUS}{END_DELETED}</del>"


def test_a_paragraph_moved_to_another_section_is_a_move_not_a_deletion():
    new = strategy()
    new[1] = section("goals", "Mål", GOALS)
    new[2] = section("follow-up", "Uppföljning", FOLLOW_UP, " " + FOCUS.replace(" ", "\n", 1))

    diff = diff_documents(strategy(), new)

    goals, follow_up = by_key(diff)["goals"], by_key(diff)["follow-up"]
    assert [p.kind for p in goals.paragraphs] == ["equal", "moved_from"]
    assert [p.kind for p in follow_up.paragraphs] == ["equal", "moved_to"]
    assert goals.paragraphs[1].counterpart_key == "follow-up"
    assert follow_up.paragraphs[1].counterpart_key == "goals"
    assert "<ins>" not in follow_up.paragraphs[1].html
    assert diff.stats.paragraphs_moved == 1
    assert diff.stats.paragraphs_deleted == diff.stats.paragraphs_inserted == 0


def test_a_paragraph_moved_within_a_section_is_a_move():
    old = [section("a", "A", INTRO, GOALS, FOCUS)]
    new = [section("a", "A", GOALS, FOCUS, INTRO)]

    paragraphs = diff_documents(old, new).sections[0].paragraphs

    assert sorted(p.kind for p in paragraphs) == ["equal", "equal", "moved_from", "moved_to"]
    assert {p.counterpart_key for p in paragraphs if p.kind.startswith("moved")} == {"a"}


def test_a_paragraph_from_a_removed_section_can_move_into_an_added_one():
    old = [section("a", "A", INTRO), section("b", "B", GOALS)]
    new = [section("a", "A", INTRO), section("c", "C", FOCUS, GOALS)]

    diff = diff_documents(old, new)

    assert [p.kind for p in by_key(diff)["b"].paragraphs] == ["moved_from"]
    assert [p.kind for p in by_key(diff)["c"].paragraphs] == ["inserted", "moved_to"]


def test_replaced_paragraphs_are_paired_by_similarity_and_diffed_word_by_word():
    old = [section("a", "A", INTRO, GOALS, FOCUS)]
    rewritten = "Helt ny text om något annat: hembesök, språkstöd och öppen förskola."
    new = [
        section(
            "a",
            "A",
            rewritten,
            GOALS.replace("hela uppväxt", "uppväxt"),
            FOCUS.replace("tidiga", "tidigt insatta"),
        )
    ]

    paragraphs = diff_documents(old, new).sections[0].paragraphs

    # The rewritten first paragraph shares too little to be word-diffed.
    assert [p.kind for p in paragraphs] == ["deleted", "inserted", "changed", "changed"]
    assert new_side(paragraphs[2].html) == GOALS.replace("hela uppväxt", "uppväxt")
    assert old_side(paragraphs[2].html) == GOALS
    assert f"<del>{DELETED} hela{END_DELETED}</del>" in paragraphs[2].html
    assert f"<del>{DELETED}tidiga{END_DELETED}</del>" in paragraphs[3].html
    assert f"<ins>{INSERTED}tidigt insatta{END_INSERTED}</ins>" in paragraphs[3].html


def test_a_rewritten_phrase_is_one_deletion_and_one_insertion():
    old = "Vi ska stärka det regionala stödet till föräldrar i hela länet."
    new = "Vi ska utveckla det lokala arbetet med föräldrar i hela länet."

    fragment = diff_text(old, new)

    assert fragment.count("<del>") == 1
    assert fragment.count("<ins>") == 1
    assert f"<del>{DELETED}stärka det regionala stödet till{END_DELETED}</del>" in fragment
    assert f"<ins>{INSERTED}utveckla det lokala arbetet med{END_INSERTED}</ins>" in fragment


def test_separate_single_word_changes_stay_separate():
    fragment = diff_text("Barn och unga i länet", "Barnen och unga i regionen")

    assert fragment.count("<del>") == fragment.count("<ins>") == 2
    assert visible(re.sub(r"<del>.*?</del>", "", fragment)) == "Barnen och unga i regionen"


def test_a_changed_heading_is_diffed_word_by_word():
    new = strategy()
    new[1] = section("goals", "Mål och syfte", GOALS, FOCUS)

    goals = by_key(diff_documents(strategy(), new))["goals"]

    assert goals.status == "changed"
    assert (goals.old_heading, goals.new_heading) == ("Mål", "Mål och syfte")
    assert goals.heading_html == f"Mål<ins>{INSERTED} och syfte{END_INSERTED}</ins>"
    assert [p.kind for p in goals.paragraphs] == ["equal", "equal"]


def test_swedish_letters_are_part_of_words():
    fragment = diff_text("Föräldraskapsstöd för äldre barn", "Föräldrastöd för större barn")

    assert f"<del>{DELETED}Föräldraskapsstöd{END_DELETED}</del>" in fragment
    assert f"<ins>{INSERTED}Föräldrastöd{END_INSERTED}</ins>" in fragment
    assert f"<del>{DELETED}äldre{END_DELETED}</del><ins>{INSERTED}större{END_INSERTED}" in fragment


def test_a_paragraph_that_only_changed_whitespace_is_unchanged():
    old = [section("a", "A", INTRO, GOALS)]
    new = [SectionText("a", "A", INTRO.replace(" ", "\n", 2) + "\r\n\r\n\r\n" + GOALS + "\n")]

    diff = diff_documents(old, new)

    assert not diff.has_changes
    assert [p.kind for p in diff.sections[0].paragraphs] == ["equal", "equal"]


def test_a_diff_survives_the_cache():
    # The comparison page caches diffs, which pickles them.
    new = strategy()
    new[1] = section("goals", "Mål och syfte", GOALS.replace("erbjudas", "få"))
    diff = diff_documents(strategy(), new)

    restored = pickle.loads(pickle.dumps(diff))

    assert restored == diff
    assert restored.stats == diff.stats
    assert restored.sections[1].heading_html == diff.sections[1].heading_html


def test_a_duplicate_section_key_is_refused():
    with pytest.raises(ValueError, match="intro"):
        diff_documents([*strategy(), section("intro", "Igen", "x")], strategy())


WORDS = ["barn", "och", "föräldrar", "stöd", "i", "länet", "å", ",", ".", "<b>", "&"]


def joined(tokens):
    # Words separated by a space, punctuation attached: the same spacing rule in both versions.
    return "".join(t if t in ",." else " " + t for t in tokens).strip()


@given(st.lists(st.sampled_from(WORDS), max_size=30), st.lists(st.sampled_from(WORDS), max_size=30))
def test_hiding_insertions_shows_the_old_text_and_hiding_deletions_the_new(old_tokens, new_tokens):
    # This is what a side-by-side view does with the same HTML.
    old, new = joined(old_tokens), joined(new_tokens)

    with translation.override("en"):
        fragment = diff_text(old, new)

    assert old_side(fragment) == old
    assert new_side(fragment) == new


@given(
    st.lists(st.sampled_from(WORDS), min_size=5, max_size=30),
    st.lists(st.tuples(st.integers(0, 30), st.sampled_from([*WORDS, None])), max_size=5),
)
def test_an_edited_text_reads_correctly_on_both_sides(base, edits):
    # Similar texts get a word diff (the test above mostly compares unrelated ones).
    new_tokens = list(base)
    for at, word in edits:
        at %= len(new_tokens) + 1
        if word is not None:
            new_tokens.insert(at, word)
        elif at < len(new_tokens):
            del new_tokens[at]
    old, new = joined(base), joined(new_tokens)

    with translation.override("en"):
        fragment = diff_text(old, new)

    assert old_side(fragment) == old
    assert new_side(fragment) == new


# --- The comparison rendered: blocks (lists, tables, headings), words with their formatting ----


def rendered(old_body, new_body):
    [diff] = diff_documents([SectionText("a", "A", old_body)], [SectionText("a", "A", new_body)])
    return diff.sections


def marked(text, marker):
    opening, closing = (INSERTED, END_INSERTED) if marker == "ins" else (DELETED, END_DELETED)
    return f"<{marker}>{opening}{text}{closing}</{marker}>"


LIST = "Målen:\n\n- barn ska få stöd\n- föräldrar ska nås\n- kommunerna samverkar"
TABLE = (
    "| Målområde | Ansvar |\n|---|---|\n| 1 | Kommunerna |\n| 2 | Regionen |\n| 3 | Länsstyrelsen |"
)


def test_a_list_is_shown_as_a_list_with_the_changed_item_marked_word_by_word():
    new = LIST.replace("föräldrar ska nås", "alla föräldrar ska nås")

    [section] = diff_documents([section_of(LIST)], [section_of(new)]).sections

    assert "- " not in section.html
    assert section.html.count("<ul>") == 1
    assert section.html.count("<li") == 3
    assert f'<li class="diff-b diff-b--changed">{marked("alla ", "ins")}föräldrar ska nås' in (
        section.html
    )
    assert "<li>barn ska få stöd" in section.html
    assert [p.kind for p in section.paragraphs] == ["equal", "equal", "changed", "equal"]


def test_an_added_and_a_removed_list_item_are_items_marked_as_a_whole():
    new = LIST.replace("\n- kommunerna samverkar", "\n- regionen samordnar")

    [section] = diff_documents([section_of(LIST)], [section_of(new)]).sections

    assert f'<li class="diff-b diff-b--deleted">{marked("kommunerna samverkar", "del")}' in (
        section.html
    )
    assert f'<li class="diff-b diff-b--inserted">{marked("regionen samordnar", "ins")}' in (
        section.html
    )
    # Each side has only its own item.
    assert "regionen" not in section.old_html
    assert "kommunerna" not in section.new_html


def test_a_nested_list_stays_nested():
    old = "- stöd\n  - hembesök\n  - samtal\n- uppföljning"
    new = "- stöd\n  - hembesök\n  - samtal i grupp\n- uppföljning"

    [section] = diff_documents([section_of(old)], [section_of(new)]).sections

    assert section.html.startswith("<ul><li>stöd<ul><li>hembesök</li><li class=")
    assert section.html.endswith("</li></ul></li><li>uppföljning</li></ul>")


def test_a_table_is_shown_as_a_table_in_a_scroll_region_with_the_changed_cell_marked():
    new = TABLE.replace("| Regionen |", "| Regionen och kommunerna |")

    [section] = diff_documents([section_of(TABLE)], [section_of(new)]).sections

    assert "|" not in section.html
    assert section.html.count("<table>") == 1
    assert 'role="region" aria-label="Table: Målområde, Ansvar" tabindex="0"' in section.html
    assert "<thead><tr><th>Målområde</th><th>Ansvar</th></tr></thead>" in section.html
    changed_row = (
        '<tr class="diff-row diff-row--changed"><td>2</td>'
        f'<td class="diff-cell diff-cell--changed">Regionen{marked(" och kommunerna", "ins")}</td>'
        "</tr>"
    )
    assert changed_row in section.html
    assert "<tr><td>1</td><td>Kommunerna</td></tr>" in section.html
    # The side-by-side columns: the old cell unmarked (nothing was removed), the new one marked.
    assert '<td class="diff-cell diff-cell--changed">Regionen</td>' in section.old_html
    assert "(before)" in section.old_html
    assert "(after)" in section.new_html


def test_an_added_row_and_a_removed_row_are_marked_in_every_cell():
    new = TABLE.replace("| 3 | Länsstyrelsen |", "| 4 | Föreningarna |")

    [section] = diff_documents([section_of(TABLE)], [section_of(new)]).sections

    assert (
        f'<tr class="diff-row diff-row--deleted"><td>{marked("3", "del")}</td>'
        f"<td>{marked('Länsstyrelsen', 'del')}</td></tr>"
    ) in section.html
    assert (
        f'<tr class="diff-row diff-row--inserted"><td>{marked("4", "ins")}</td>'
        f"<td>{marked('Föreningarna', 'ins')}</td></tr>"
    ) in section.html
    assert section.html.count("<table>") == 1
    assert "Föreningarna" not in section.old_html
    assert "Länsstyrelsen" not in section.new_html


def test_a_row_added_at_the_end_of_a_table():
    new = TABLE + "\n| 4 | Föreningarna |"

    [section] = diff_documents([section_of(TABLE)], [section_of(new)]).sections

    assert [p.kind for p in section.paragraphs] == ["equal"] * 4 + ["inserted"]
    assert section.html.endswith(
        f'<tr class="diff-row diff-row--inserted"><td>{marked("4", "ins")}</td>'
        f"<td>{marked('Föreningarna', 'ins')}</td></tr></tbody></table></div>"
    )


def test_a_column_added_to_a_table_is_an_inserted_cell_in_each_row():
    old = "| A | B |\n|---|---|\n| 1 | 2 |"
    new = "| A | Ny | B |\n|---|---|---|\n| 1 | x | 2 |"

    [section] = diff_documents([section_of(old)], [section_of(new)]).sections

    assert f'<th class="diff-cell diff-cell--inserted">{marked("Ny", "ins")}</th>' in section.html
    assert f'<td class="diff-cell diff-cell--inserted">{marked("x", "ins")}</td>' in section.html
    assert "<td>1</td>" in section.html
    assert "<td>2</td>" in section.html


def test_bold_text_that_changed_is_shown_bold_and_marked():
    old = "Vi ska ge **ett tidigt** stöd."
    new = "Vi ska ge **ett universellt** stöd."

    [section] = diff_documents([section_of(old)], [section_of(new)]).sections

    assert "**" not in section.html
    assert section.html == (
        '<p class="diff-b diff-b--changed">Vi ska ge <strong>ett</strong><strong> </strong>'
        f"{marked('<strong>tidigt</strong>', 'del')}{marked('<strong>universellt</strong>', 'ins')}"
        " stöd.</p>"
    )


def test_text_that_became_bold_is_a_change():
    [section] = diff_documents(
        [section_of("Stödet ska vara gratis.")], [section_of("Stödet ska vara **gratis**.")]
    ).sections

    assert section.status == "changed"
    assert marked("gratis", "del") in section.html
    assert marked("<strong>gratis</strong>", "ins") in section.html


def test_a_changed_heading_in_the_body_is_a_heading_one_level_below_the_section():
    [section] = diff_documents(
        [section_of("## Bakgrund\n\nText.")], [section_of("## Bakgrund och syfte\n\nText.")]
    ).sections

    assert section.html.startswith(
        f'<h4 class="diff-b diff-b--changed">Bakgrund{marked(" och syfte", "ins")}</h4>'
    )
    assert section.html.endswith("<p>Text.</p>")


def test_a_paragraph_that_became_a_list_item_is_deleted_and_inserted():
    [section] = diff_documents(
        [section_of("Barn ska få stöd.")], [section_of("- Barn ska få stöd.")]
    ).sections

    assert [p.kind for p in section.paragraphs] == ["deleted", "inserted"]
    assert "<ul>" in section.html


def test_rendered_text_is_escaped_and_unsafe_links_are_dropped():
    attack = '<script>alert("x")</script> <img src=x onerror=alert(1)>'
    old = f"- {attack}\n\n| {attack} |\n|---|\n| a |\n\n[klicka](javascript:alert(1))"
    new = f"- {attack} ny\n\n| {attack} |\n|---|\n| b |\n\n[klicka](javascript:alert(2)) [ok](https://example.org)"

    [section] = diff_documents([section_of(old)], [section_of(new)]).sections

    for fragment in (section.html, section.old_html, section.new_html):
        assert "<script" not in fragment
        assert "<img" not in fragment
        assert 'href="javascript' not in fragment
    assert "&lt;script&gt;" in section.html
    assert '<a href="https://example.org" rel="noopener noreferrer">ok</a>' in section.new_html


def test_a_moved_list_item_says_where_it_went():
    old = [section_of("- ett\n- två", key="a"), section_of("Text.", key="b")]
    new = [section_of("- ett", key="a"), section_of("Text.\n\n- två", key="b")]

    diff = diff_documents(old, new)

    a, b = by_key(diff)["a"], by_key(diff)["b"]
    assert [p.kind for p in a.paragraphs] == ["equal", "moved_from"]
    assert [p.kind for p in b.paragraphs] == ["equal", "moved_to"]
    assert '<a href="#diff-b">see where it went</a>' in a.html
    assert '<a href="#diff-a">see where it was</a>' in b.html


def test_side_by_side_shows_each_version_with_its_own_changes():
    old = "Vi ska stödja föräldrar.\n\nEtt stycke som tas bort helt och hållet."
    new = "Vi ska stödja alla föräldrar.\n\nEtt nytt stycke om något annat: hembesök."

    [section] = diff_documents([section_of(old)], [section_of(new)]).sections

    assert "<ins>" not in section.old_html
    assert "<del>" not in section.new_html
    assert visible(section.old_html) == old.replace("\n\n", "")
    assert visible(section.new_html) == new.replace("\n\n", "")


def test_an_added_section_has_no_old_side_and_a_removed_one_no_new_side():
    diff = diff_documents([section_of("Gammal.", key="old")], [section_of("Ny.", key="new")])

    added, removed = by_key(diff)["new"], by_key(diff)["old"]
    assert added.old_html == ""
    assert (
        added.new_html
        == added.html
        == f'<p class="diff-b diff-b--inserted">{marked("Ny.", "ins")}</p>'
    )
    assert removed.new_html == ""
    assert removed.old_html == removed.html


def test_an_unchanged_section_is_rendered_once_for_all_views():
    body = "Text.\n\n- ett\n- två\n\n| A |\n|---|\n| 1 |"

    [section] = diff_documents([section_of(body)], [section_of(body)]).sections

    assert section.status == "unchanged"
    assert section.html == section.old_html == section.new_html
    assert "<ul><li>ett</li><li>två</li></ul>" in section.html
    assert "<del>" not in section.html
    assert "<ins>" not in section.html


def section_of(body, key="a"):
    return SectionText(key, key.upper(), body)


SNIPPETS = [
    "Text om barn.",
    "Text om barn och unga i länet.",
    "Text om föräldrar och **stöd**.",
    "- ett\n- två",
    "- två\n- tre",
    "- ett\n  - inne i\n- tre",
    "1. a\n2. b",
    "> citat om *stöd*",
    "| A | B |\n|---|---|\n| 1 | 2 |",
    "| A | B | C |\n|---|---|---|\n| 1 | 2 | 3 |\n| x | y | z |",
    "## Rubrik",
    "```\nkod <b>\n```",
    "---",
    "[länk](https://example.org) och text",
    "Rad  \nbruten",
]
_BLOCK_TAG = re.compile(
    r"</?(?:p|li|ul|ol|h\d|tr|td|th|table|div|pre|blockquote|hr|br|thead|tbody)\b[^>]*>"
)


def reads(fragment):
    """The words a sighted reader sees, blocks apart: no hidden texts, no notes of moves."""
    fragment = re.sub(r'<span class="visually-hidden">.*?</span>', "", fragment)
    fragment = re.sub(
        r'<span class="diff-note">.*?</span> |<p class="diff-note-line">.*?</p>', "", fragment
    )
    fragment = re.sub(r"<[^>]+>", "", _BLOCK_TAG.sub(" ", fragment))
    return " ".join(html.unescape(fragment).split())


@given(
    st.lists(st.sampled_from(SNIPPETS), max_size=5), st.lists(st.sampled_from(SNIPPETS), max_size=5)
)
def test_each_column_of_the_side_by_side_view_reads_as_its_version(old_blocks, new_blocks):
    old, new = "\n\n".join(old_blocks), "\n\n".join(new_blocks)

    [section] = diff_documents([section_of(old)], [section_of(new)]).sections

    [old_alone] = diff_documents([section_of(old)], [section_of(old)]).sections
    [new_alone] = diff_documents([section_of(new)], [section_of(new)]).sections
    assert reads(section.old_html) == reads(old_alone.html)
    assert reads(section.new_html) == reads(new_alone.html)


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        # Plain paragraphs, written as they are, quotes and ampersands escaped.
        ('Barn "och" föräldrar\n\nKumla & Örebro', ["&quot;och&quot;", "Kumla &amp; Örebro"]),
        # Markdown found on a later line: a hard line break, a list, a numbered list, a heading
        # underline, an indented block.
        ("Rad ett\n\nRad två  \nbruten", ["<br"]),
        ("Inledning\n\n- ett\n- två", ["<li>ett</li>"]),
        ("Inledning\n\n1) ett\n2) två", ["<ol>"]),
        ("Rubrik\n===\n\nText", ["<h"]),
        ("Inledning\n\n    kod", ["<pre"]),
    ],
)
def test_an_unchanged_section_shows_its_text_as_markdown_has_it(body, shown):
    [section] = diff_documents([section_of(body)], [section_of(body)]).sections
    for fragment in shown:
        assert fragment in section.html
