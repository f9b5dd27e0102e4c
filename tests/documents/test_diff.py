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
