"""Quotes anchored in a section; comments carried to a new version (consultations/anchoring.py)."""

import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from consultations.anchoring import (
    ANCHORED,
    ORPHANED,
    TEXT_CHANGED,
    Anchor,
    Carried,
    carry_comment,
    locate,
    make_anchor,
    normalise,
    plain,
    quote_is_in,
)

INTRO = "Regionen samordnar föräldraskapsstödet tillsammans med kommunerna i länet."
GOALS = "Alla föräldrar ska erbjudas stöd under barnets hela uppväxt, från graviditet till tonår."
FOLLOW_UP = "Nätverket följer upp arbetet varje år och redovisar resultaten för styrgruppen."
SECTION = f"{INTRO} {GOALS} {FOLLOW_UP}"

# The autouse language fixture is function-scoped; these tests do not touch it.
PROPERTY = settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])


def anchor_on(text, quote, occurrence=0, context=32):
    """The anchor a person makes by selecting the given occurrence of `quote` in `text`."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    return make_anchor(text, start, start + len(quote), context)


def span_of(text, quote, occurrence=0):
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    return start, start + len(quote)


# --- Anchors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "quote",
    ["Regionen", "erbjudas stöd", "tonår. Nätverket följer", "styrgruppen.", SECTION],
)
def test_an_anchor_is_found_where_it_was_made(quote):
    anchor = anchor_on(SECTION, quote)

    assert anchor.exact == quote
    assert locate(anchor, SECTION) == span_of(SECTION, quote)
    assert quote_is_in(anchor, SECTION)


def test_an_anchor_keeps_up_to_32_characters_of_context_on_each_side():
    anchor = anchor_on(SECTION, "erbjudas stöd")

    assert anchor.prefix == SECTION[: SECTION.index("erbjudas stöd")][-32:]
    assert anchor.suffix == " under barnets hela uppväxt, frå"


def test_a_selection_starting_at_the_start_of_the_text_has_no_prefix():
    anchor = make_anchor(SECTION, 0, len("Regionen"))

    assert anchor.prefix == ""


def test_whitespace_at_the_ends_of_a_selection_is_left_out_of_the_quote():
    start, end = span_of(SECTION, " stöd ")

    anchor = make_anchor(SECTION, start, end)

    assert anchor.exact == "stöd"
    assert anchor.prefix.endswith("erbjudas ")
    assert anchor.suffix.startswith(" under")


@pytest.mark.parametrize(("start", "end"), [(3, 3), (5, 2), (-1, 4), (0, len(SECTION) + 1)])
def test_a_selection_outside_the_text_is_refused(start, end):
    with pytest.raises(ValueError, match="not inside"):
        make_anchor(SECTION, start, end)


def test_a_selection_of_only_whitespace_is_refused():
    start = SECTION.index(" ")

    with pytest.raises(ValueError, match="no text"):
        make_anchor(SECTION, start, start + 1)


def test_a_repeated_phrase_is_told_apart_by_its_prefix_and_suffix():
    text = "Stöd ska ges tidigt. Stöd ska ges nära hemmet. Stöd ska ges av utbildad personal."

    for occurrence in range(3):
        anchor = anchor_on(text, "Stöd ska ges", occurrence)

        assert locate(anchor, text) == span_of(text, "Stöd ska ges", occurrence)


def test_a_suffix_alone_is_enough_to_tell_a_repeated_phrase_apart():
    text = "Stöd ska ges tidigt. Stöd ska ges nära hemmet."

    anchor = Anchor(exact="Stöd ska ges", suffix=" nära")

    assert locate(anchor, text) == span_of(text, "Stöd ska ges", 1)


def test_a_phrase_at_the_end_is_told_apart_by_its_missing_suffix():
    # Both occurrences have "ja " before them; only the second one has nothing after it.
    text = "nu ja stöd här, ja stöd"

    anchor = anchor_on(text, "stöd", occurrence=1, context=3)

    assert anchor == Anchor(exact="stöd", prefix="ja ", suffix="")
    assert locate(anchor, text) == (19, 23)


def test_without_prefix_or_suffix_the_first_occurrence_is_taken():
    text = "Stöd ska ges tidigt. Stöd ska ges nära hemmet."

    assert locate(Anchor(exact="Stöd ska ges"), text) == (0, 12)


def test_when_the_context_does_not_decide_the_first_of_the_best_is_taken():
    text = "ett stöd, ett stöd"

    assert locate(Anchor(exact="stöd", prefix="ett ", suffix=","), text) == (4, 8)
    assert locate(Anchor(exact="stöd", prefix="xx ", suffix="yy"), text) == (4, 8)


def test_a_quote_that_is_not_in_the_section_is_refused():
    anchor = Anchor(exact="alla vårdnadshavare", prefix="Regionen samordnar ")

    assert locate(anchor, SECTION) is None
    assert not quote_is_in(anchor, SECTION)


def test_a_quote_from_another_section_is_refused():
    anchor = anchor_on(SECTION, "redovisar resultaten")

    assert not quote_is_in(anchor, f"{INTRO} {GOALS}")


@pytest.mark.parametrize("exact", ["", "   ", "\n\t"])
def test_an_empty_quote_is_never_found(exact):
    assert locate(Anchor(exact=exact), SECTION) is None
    assert not quote_is_in(Anchor(exact=exact), SECTION)


def test_whitespace_differences_between_quote_and_section_are_tolerated():
    # The browser's selection has the rendered line breaks; the section text has the source's.
    goals = GOALS.replace(" ska ", "  ska\n")
    section = f"  {INTRO}\n\n{goals}\r\n{FOLLOW_UP}\n"
    anchor = Anchor(exact="Alla föräldrar\u00a0ska erbjudas\n", prefix="i länet.\n\n")

    assert locate(anchor, section) == span_of(SECTION, "Alla föräldrar ska erbjudas")
    assert quote_is_in(anchor, section)


def test_normalise_collapses_whitespace_and_strips():
    assert normalise("  Stöd\n\nska \t ges\u00a0tidigt.  ") == "Stöd ska ges tidigt."


def test_normalise_composes_letters_typed_as_letter_and_accent():
    decomposed = "fo\u0308ra\u0308ldrar och sma\u030a barn"

    assert normalise(decomposed) == "föräldrar och små barn"


def test_an_anchor_round_trips_through_a_w3c_selector():
    anchor = anchor_on(SECTION, "erbjudas stöd")

    data = anchor.to_dict()

    assert data == {
        "type": "TextQuoteSelector",
        "exact": "erbjudas stöd",
        "prefix": anchor.prefix,
        "suffix": anchor.suffix,
    }
    assert Anchor.from_dict(data) == anchor


def test_a_selector_may_leave_out_type_prefix_and_suffix():
    assert Anchor.from_dict({"exact": "stöd"}) == Anchor(exact="stöd")


@pytest.mark.parametrize(
    "data",
    [
        ["stöd"],
        {},
        {"prefix": "ett "},
        {"exact": 3},
        {"exact": "stöd", "suffix": None},
        {"type": "TextPositionSelector", "exact": "stöd"},
    ],
)
def test_a_malformed_selector_is_refused(data):
    with pytest.raises(ValueError, match="quote"):
        Anchor.from_dict(data)


# --- Markdown to plain text -------------------------------------------------------------------


def test_plain_removes_the_syntax_of_typical_markdown():
    markdown = "\n".join(
        [
            "## Mål för arbetet ##",
            "",
            "Alla föräldrar ska **erbjudas** stöd, *tidigt* och __nära__ _hemmet_.",
            "Läs [handlingsplanen](https://example.se/plan) och ![kartan](karta.png).",
            "Se `config_file` och <https://example.se>.",
            "",
            "- Första punkten",
            "* Andra punkten",
            "1. Tredje punkten",
            "> Ett citat med ~~struket~~ ord",
            "",
            "| Kommun | Antal |",
            "|:-------|------:|",
            "| Lund   | 12    |",
            "",
            "---",
            "Variabeln snake_case_name och 2 * 3 * 4 samt \\*inte betoning\\*.",
        ]
    )

    assert plain(markdown).splitlines() == [
        "Mål för arbetet",
        "",
        "Alla föräldrar ska erbjudas stöd, tidigt och nära hemmet.",
        "Läs handlingsplanen och kartan.",
        "Se config_file och https://example.se.",
        "",
        "Första punkten",
        "Andra punkten",
        "Tredje punkten",
        "Ett citat med struket ord",
        "",
        "  Kommun   Antal  ",
        "",
        "  Lund     12     ",
        "",
        "",
        "Variabeln snake_case_name och 2 * 3 * 4 samt *inte betoning*.",
    ]


def test_plain_keeps_code_blocks_as_they_are():
    markdown = "Exempel:\n\n```python\nx = a * b * c  # *inte* betoning\n```\n\nSlut."

    assert normalise(plain(markdown)) == "Exempel: x = a * b * c # *inte* betoning Slut."


def test_a_quote_from_the_rendered_text_is_found_in_the_plain_text_of_the_markdown():
    markdown = "## Mål\n\n- Alla föräldrar ska **erbjudas stöd**\n- under [barnets](/b) hela år"

    text = normalise(plain(markdown))

    assert quote_is_in(Anchor(exact="erbjudas stöd under barnets hela år"), text)


# --- Carrying comments to a new version -------------------------------------------------------


def test_a_comment_on_the_whole_document_stays_anchored():
    carried = carry_comment(anchor=None, old_section=None, new_section=None)

    assert carried == Carried(ANCHORED)


def test_a_passage_in_an_unchanged_section_stays_anchored_with_the_same_quote():
    anchor = anchor_on(SECTION, "erbjudas stöd")

    carried = carry_comment(anchor=anchor, old_section=SECTION, new_section=SECTION)

    assert carried == Carried(ANCHORED, anchor=anchor)


def test_a_passage_stays_anchored_when_only_the_spacing_of_the_section_changed():
    anchor = anchor_on(SECTION, "erbjudas stöd")
    new = SECTION.replace(". ", ".\n\n")

    carried = carry_comment(anchor=anchor, old_section=SECTION, new_section=new)

    assert carried == Carried(ANCHORED, anchor=anchor)


def test_an_unchanged_passage_stays_anchored_when_text_is_inserted_before_it():
    anchor = anchor_on(SECTION, "erbjudas stöd")
    new = SECTION.replace("Alla föräldrar ska", "Alla föräldrar och andra vårdnadshavare ska")

    carried = carry_comment(anchor=anchor, old_section=SECTION, new_section=new)

    assert carried.state == ANCHORED
    assert carried.anchor == anchor_on(new, "erbjudas stöd")
    assert carried.anchor.prefix.endswith("andra vårdnadshavare ska ")
    assert carried.anchor.prefix != anchor.prefix
    assert locate(carried.anchor, new) == span_of(new, "erbjudas stöd")


def test_an_unchanged_passage_stays_anchored_when_other_sentences_change():
    anchor = anchor_on(SECTION, "barnets hela uppväxt")
    new = f"Länet har en ny strategi. {GOALS} Nätverket följer upp arbetet varannan månad."

    carried = carry_comment(anchor=anchor, old_section=SECTION, new_section=new)

    assert carried.state == ANCHORED
    assert carried.anchor.exact == "barnets hela uppväxt"
    assert carried.anchor.suffix == anchor.suffix
    assert locate(carried.anchor, new) == span_of(new, "barnets hela uppväxt")


def test_an_edited_passage_is_text_changed_with_old_and_new_wording():
    anchor = anchor_on(SECTION, "erbjudas stöd under barnets hela uppväxt")
    new = SECTION.replace("barnets hela uppväxt", "barnets första år")

    carried = carry_comment(anchor=anchor, old_section=SECTION, new_section=new)

    assert carried == Carried(
        TEXT_CHANGED,
        old_wording="erbjudas stöd under barnets hela uppväxt",
        new_wording="erbjudas stöd under barnets första år",
    )


def test_a_replacement_reaching_beyond_the_passage_is_shown_whole():
    anchor = anchor_on(SECTION, "hela uppväxt")
    new = SECTION.replace("barnets hela uppväxt", "den unges första uppväxt")

    carried = carry_comment(anchor=anchor, old_section=SECTION, new_section=new)

    # "barnets hela" became "den unges första": the new words are not split up.
    assert carried == Carried(
        TEXT_CHANGED, old_wording="hela uppväxt", new_wording="den unges första uppväxt"
    )


def test_text_inserted_inside_a_passage_changes_its_wording():
    anchor = anchor_on(SECTION, "erbjudas stöd under")
    new = SECTION.replace("erbjudas stöd under", "erbjudas kostnadsfritt stöd under")

    carried = carry_comment(anchor=anchor, old_section=SECTION, new_section=new)

    assert carried == Carried(
        TEXT_CHANGED,
        old_wording="erbjudas stöd under",
        new_wording="erbjudas kostnadsfritt stöd under",
    )


def test_text_inserted_right_after_a_passage_leaves_it_anchored():
    anchor = anchor_on(SECTION, "erbjudas stöd")
    new = SECTION.replace("erbjudas stöd", "erbjudas stöd och råd")

    carried = carry_comment(anchor=anchor, old_section=SECTION, new_section=new)

    assert carried.state == ANCHORED
    assert carried.anchor.exact == "erbjudas stöd"
    assert carried.anchor.suffix.startswith(" och råd")


def test_a_change_of_spacing_inside_a_passage_changes_its_wording():
    old = "Se bilaga 2,3 och 4."
    new = "Se bilaga 2, 3 och 4."

    carried = carry_comment(anchor=anchor_on(old, "bilaga 2,3"), old_section=old, new_section=new)

    assert carried == Carried(TEXT_CHANGED, old_wording="bilaga 2,3", new_wording="bilaga 2, 3")


def test_a_deleted_passage_is_orphaned():
    anchor = anchor_on(SECTION, "från graviditet till tonår")
    new = SECTION.replace(", från graviditet till tonår", "")

    carried = carry_comment(anchor=anchor, old_section=SECTION, new_section=new)

    assert carried == Carried(ORPHANED, old_wording="från graviditet till tonår")


def test_a_partly_deleted_passage_is_text_changed_to_what_is_left():
    anchor = anchor_on(SECTION, "hela uppväxt, från graviditet")
    new = SECTION.replace(", från graviditet till tonår", "")

    carried = carry_comment(anchor=anchor, old_section=SECTION, new_section=new)

    assert carried == Carried(
        TEXT_CHANGED, old_wording="hela uppväxt, från graviditet", new_wording="hela uppväxt"
    )


def test_a_passage_whose_sentence_was_deleted_is_not_attached_to_the_same_words_elsewhere():
    old = "Stödet ska vara tidigt. Kommunen samordnar. Stödet ska vara tidigt och nära."
    anchor = anchor_on(old, "Stödet ska vara tidigt", occurrence=0)
    new = "Kommunen samordnar. Stödet ska vara tidigt och nära."
    assert quote_is_in(anchor, new)  # the same words are still in the section, elsewhere

    carried = carry_comment(anchor=anchor, old_section=old, new_section=new)

    assert carried == Carried(ORPHANED, old_wording="Stödet ska vara tidigt")


def test_a_rewritten_passage_is_not_attached_to_the_same_words_elsewhere():
    old = "Föräldrar får stöd i grupp. Barnen får samtal. Föräldrar får stöd i grupp eller enskilt."
    anchor = anchor_on(old, "Föräldrar får stöd i grupp", occurrence=0)
    new = "Familjen får hjälp hemma. Barnen får samtal. Föräldrar får stöd i grupp eller enskilt."

    carried = carry_comment(anchor=anchor, old_section=old, new_section=new)

    assert carried == Carried(
        TEXT_CHANGED,
        old_wording="Föräldrar får stöd i grupp",
        new_wording="Familjen får hjälp hemma",
    )


def test_a_passage_moved_away_from_its_place_is_orphaned():
    old = f"{INTRO} {GOALS} {FOLLOW_UP}"
    new = f"{INTRO} {FOLLOW_UP} {GOALS}"
    anchor = anchor_on(old, "Nätverket följer upp")

    carried = carry_comment(anchor=anchor, old_section=old, new_section=new)

    # The alignment keeps the longer goals sentence in place; the follow-up sentence is deleted
    # there and inserted before it, which is a new passage, not the commented one.
    assert carried == Carried(ORPHANED, old_wording="Nätverket följer upp")


def test_a_passage_comment_in_a_removed_section_is_orphaned():
    anchor = anchor_on(SECTION, "erbjudas stöd")

    carried = carry_comment(anchor=anchor, old_section=SECTION, new_section=None)

    assert carried == Carried(ORPHANED, old_wording="erbjudas stöd")


def test_a_section_comment_in_a_removed_section_is_orphaned():
    carried = carry_comment(anchor=None, old_section=SECTION, new_section=None)

    assert carried == Carried(ORPHANED, old_wording=SECTION)


def test_a_section_comment_stays_anchored_when_the_section_is_unchanged():
    carried = carry_comment(anchor=None, old_section=SECTION, new_section=f"\n{SECTION}  ")

    assert carried == Carried(ANCHORED)


def test_a_section_comment_is_text_changed_when_the_section_changed():
    new = SECTION.replace("varje år", "varje halvår")

    carried = carry_comment(anchor=None, old_section=SECTION, new_section=new)

    assert carried == Carried(TEXT_CHANGED, old_wording=SECTION, new_wording=new)


def test_a_comment_without_an_old_section_has_nothing_to_follow():
    anchor = Anchor(exact="erbjudas stöd")

    assert carry_comment(anchor=anchor, old_section=None, new_section=SECTION).state == ORPHANED
    assert carry_comment(anchor=None, old_section=None, new_section=SECTION).state == ORPHANED


def test_a_quote_that_is_not_in_the_old_section_is_orphaned():
    anchor = Anchor(exact="alla vårdnadshavare")

    carried = carry_comment(anchor=anchor, old_section=SECTION, new_section=SECTION)

    assert carried == Carried(ORPHANED, old_wording="alla vårdnadshavare")


def test_the_repeated_phrase_that_was_commented_on_is_the_one_carried():
    old = "Stöd ska ges tidigt. Stöd ska ges nära hemmet."
    new = "Stöd ska ges tidigt. Stöd ska ges i hemmet."
    first = anchor_on(old, "Stöd ska ges tidigt")
    second = anchor_on(old, "Stöd ska ges nära", occurrence=0)

    assert carry_comment(anchor=first, old_section=old, new_section=new).state == ANCHORED
    assert carry_comment(anchor=second, old_section=old, new_section=new) == Carried(
        TEXT_CHANGED, old_wording="Stöd ska ges nära", new_wording="Stöd ska ges i"
    )


def test_swedish_letters_are_part_of_words():
    old = "Vårdnadshavare får råd. Föräldrar i länet får stöd."
    new = "Vårdnadshavare får råd. Föräldrarna i länet får stöd."
    anchor = anchor_on(old, "Föräldrar i länet")

    carried = carry_comment(anchor=anchor, old_section=old, new_section=new)

    assert carried == Carried(
        TEXT_CHANGED, old_wording="Föräldrar i länet", new_wording="Föräldrarna i länet"
    )


def test_a_quote_in_composed_letters_is_carried_through_a_section_in_decomposed_letters():
    # Pasted from a system that writes "ä" as "a" + combining diaeresis.
    old = "Vårdnadshavare får råd. Föräldrar i länet får stöd."
    decomposed_new = "Nytt. Vårdnadshavare får råd. Fo\u0308ra\u0308ldrar i la\u0308net får stöd."

    carried = carry_comment(
        anchor=anchor_on(old, "Föräldrar i länet"), old_section=old, new_section=decomposed_new
    )

    assert carried.state == ANCHORED
    assert carried.anchor.exact == "Föräldrar i länet"
    assert carried.anchor.prefix.endswith("Vårdnadshavare får råd. ")


def test_a_selection_inside_a_word_keeps_its_cut():
    old = "Barnhälsovården erbjuder föräldragrupper."
    new = "Från våren erbjuder barnhälsovården inte bara samtal utan också föräldragrupper."
    anchor = anchor_on(old, "vården erbjuder föräld")

    carried = carry_comment(anchor=anchor, old_section=old, new_section=new)

    # "Barnhälsovården" gave way to "Från våren", and words were inserted inside the passage.
    assert carried == Carried(
        TEXT_CHANGED,
        old_wording="vården erbjuder föräld",
        new_wording="Från våren erbjuder barnhälsovården inte bara samtal utan också föräld",
    )

    same_words = "Ny mening. Barnhälsovården erbjuder föräldragrupper."
    carried = carry_comment(anchor=anchor, old_section=old, new_section=same_words)

    assert carried.state == ANCHORED
    assert carried.anchor.exact == "vården erbjuder föräld"
    assert carried.anchor.prefix == "Ny mening. Barnhälso"
    assert carried.anchor.suffix == "ragrupper."


# --- Properties -------------------------------------------------------------------------------

WORDS = ["stöd", "föräldrar", "barn", "och", "i", "länet", "är", "å", "ö", "ska", "ges", "tidigt"]
PIECES = st.sampled_from([*WORDS, ".", ",", "!", "–", " ", "  ", "\n", "\n\n", "\t", "\u00a0"])


@st.composite
def texts_with_a_selection(draw):
    text = normalise("".join(draw(st.lists(PIECES, min_size=1, max_size=60))))
    assume(text)
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, len(text)))
    assume(text[start:end].strip())
    return text, start, end


@PROPERTY
@given(texts_with_a_selection())
def test_an_anchor_is_always_found_with_its_own_quote(selection):
    text, start, end = selection
    anchor = make_anchor(text, start, end)

    found = locate(anchor, text)

    assert found is not None
    assert text[found[0] : found[1]] == anchor.exact


@PROPERTY
@given(texts_with_a_selection())
def test_an_unchanged_section_keeps_every_passage_anchored_with_the_same_quote(selection):
    text, start, end = selection
    anchor = make_anchor(text, start, end)

    carried = carry_comment(anchor=anchor, old_section=text, new_section=text)

    assert carried.state == ANCHORED
    assert carried.anchor.exact == anchor.exact


@PROPERTY
@given(texts_with_a_selection(), st.sampled_from(["", "Ny inledning."]), st.booleans())
def test_text_added_around_a_section_keeps_every_passage_anchored(selection, before, after):
    text, start, end = selection
    anchor = make_anchor(text, start, end)
    # A passage of punctuation alone ("..") has no words to follow: the alignment may pair it
    # with the full stop of the added sentence, and that is reported as changed, not guessed.
    assume(re.search(r"\w", anchor.exact))
    new = f"{before} {text} {'Ett tillägg.' if after else ''}"

    carried = carry_comment(anchor=anchor, old_section=text, new_section=new)

    assert carried.state == ANCHORED
    assert carried.anchor.exact == anchor.exact
    assert quote_is_in(carried.anchor, new)
