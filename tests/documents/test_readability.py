"""LIX: the Swedish readability index of section bodies and of whole versions."""

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from documents.readability import Band, Lix, combine, lix, lix_of_markdown

# Words (long ones, with more than six letters, marked *):
#   Föräldrar* behöver* stöd.                         3 words, 2 long
#   Kommunen* erbjuder* t.ex. kurser och samtal!      6 words, 2 long ("t.ex." is one short word,
#                                                     "kurser" and "samtal" have exactly six)
#   Vill du veta mer?                                 4 words, 0 long
# LIX = 13 / 3 + 100 × 4 / 13 = 4.333 + 30.769 = 35.10 → easy
KNOWN_TEXT = "Föräldrar behöver stöd. Kommunen erbjuder t.ex. kurser och samtal! Vill du veta mer?"


def test_a_known_text_has_the_hand_computed_lix():
    result = lix(KNOWN_TEXT)

    assert (result.words, result.sentences, result.long_words) == (13, 3, 4)
    assert result.value == pytest.approx(13 / 3 + 100 * 4 / 13)
    assert round(result.value) == 35
    assert result.band == Band.EASY


def test_a_long_text_of_long_words_is_very_difficult():
    # 1 sentence of 8 words, all long: 8 / 1 + 100 × 8 / 8 = 108.
    result = lix("Föräldraskapsstödet kommunicerades regionalt, strategiskt, genomtänkt, "
                 "långsiktigt, tillsammans, konsekvent")  # fmt: skip

    assert result.value == pytest.approx(108)
    assert result.band == Band.VERY_DIFFICULT


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (0, Band.VERY_EASY),
        (29.9, Band.VERY_EASY),
        (30, Band.EASY),
        (39.99, Band.EASY),
        (40, Band.MEDIUM),
        (50, Band.DIFFICULT),
        (59.9, Band.DIFFICULT),
        (60, Band.VERY_DIFFICULT),
        (120, Band.VERY_DIFFICULT),
    ],
)
def test_each_band_includes_its_lower_bound(value, band):
    assert Band.for_value(value) == band


def test_bands_have_a_label_to_show_and_a_css_modifier():
    with translation.override("en"):
        assert [str(band.label) for band in Band] == [
            "Very easy",
            "Easy",
            "Medium",
            "Difficult",
            "Very difficult",
        ]
    assert [band.css for band in Band] == [
        "very-easy",
        "easy",
        "medium",
        "difficult",
        "very-difficult",
    ]


def test_a_lix_knows_its_band():
    # 10 words in 1 sentence, 2 long: 10 + 20 = 30, the first value that is easy.
    assert Lix(words=10, sentences=1, long_words=2).band == Band.EASY
    assert Lix(words=10, sentences=1, long_words=2).value == 30


@pytest.mark.parametrize(
    "text",
    [
        "Vi samarbetar t.ex. med skolan.",
        "Vi samarbetar T.ex. med skolan.",
        "Vi samarbetar t. ex. med skolan.",
        "Vi samarbetar bl.a. med skolan.",
        "Vi samarbetar bl.a. Med skolan.",  # a name may follow bl.a.; it is not a new sentence
        "Vi samarbetar dvs. med skolan.",
        "Vi samarbetar ca. tio gånger.",
    ],
)
def test_abbreviations_do_not_end_a_sentence(text):
    assert lix(text).sentences == 1


def test_an_abbreviation_that_closes_a_list_ends_the_sentence_before_a_capital():
    assert lix("Vi köper äpplen, päron osv. Sedan går vi hem.").sentences == 2
    assert lix("Vi köper äpplen, päron osv. och går hem.").sentences == 1


def test_an_abbreviation_is_one_word():
    assert lix("Till t.ex. skolan").words == 3


def test_sentences_end_at_full_stops_question_and_exclamation_marks_colons_and_the_end():
    assert lix("Ett. Två! Tre? Fyra: fem").sentences == 5


def test_numbers_and_addresses_with_dots_do_not_end_sentences():
    result = lix("Mötet börjar 10:30 och kostar 3,5 kr, se www.example.se för mer.")

    assert result.sentences == 1
    # "10:30" and "3,5" are one word each; the address is three ("www", "example", "se").
    assert result.words == 13


def test_hyphenated_compounds_are_one_word_and_only_letters_make_a_word_long():
    result = lix("föräldraskaps-stöd 1234567890 barn-och")

    assert result.words == 3
    assert result.long_words == 2  # "barn-och" has seven letters


def test_swedish_letters_count_also_when_decomposed():
    decomposed = "fo\u0308ra\u0308ldrar"  # "föräldrar" with combining diaereses

    assert lix(decomposed).words == 1
    assert lix(decomposed).long_words == 1


@pytest.mark.parametrize("text", ["", "   ", "... !? :", "— – …"])
def test_a_text_without_words_has_no_lix(text):
    assert lix(text) is None
    assert lix_of_markdown(text) is None


def test_each_item_of_a_bullet_list_is_a_sentence():
    result = lix_of_markdown("- Fler föräldrar\n- Bättre stöd\n- Samverkan i länet")

    assert result.sentences == 3
    assert result.words == 7


def test_a_heading_is_its_own_sentence():
    assert lix_of_markdown("## Mål\n\nVi ska samverka mer").sentences == 2


def test_the_lix_of_a_version_is_the_lix_of_all_its_sections_together():
    first = "# Inledning\n\nDen här strategin beskriver föräldraskapsstöd i länet. Den gäller alla."
    second = "- Kommunerna samverkar regelbundet\n- Regionen samordnar\n\nUppföljning sker årligen."

    combined = combine([lix_of_markdown(first), None, lix_of_markdown(second)])
    whole = lix_of_markdown(first + "\n\n" + second)

    assert combined == whole
    assert round(combined.value) == round(whole.value)


def test_combining_weighs_sections_by_their_size_not_by_their_value():
    short = Lix(words=2, sentences=1, long_words=2)  # 102
    long = Lix(words=98, sentences=14, long_words=14)  # 7 + 14.3

    combined = combine([short, long])

    assert combined == Lix(words=100, sentences=15, long_words=16)
    assert combined.value == pytest.approx(100 / 15 + 16)


def test_combining_nothing_gives_no_lix():
    assert combine([]) is None
    assert combine([None, None]) is None
    assert combine(iter([lix("Ett ord.")])) == lix("Ett ord.")


@settings(
    max_examples=300,
    deadline=None,
    database=None,  # leaves no .hypothesis/ directory in the repository
    suppress_health_check=[HealthCheck.function_scoped_fixture],  # the autouse language fixture
)
@given(st.text())
def test_any_text_gives_no_lix_or_a_consistent_one(text):
    result = lix_of_markdown(text)

    if result is not None:
        assert result.words >= result.sentences >= 1
        assert 0 <= result.long_words <= result.words
        assert result.value >= 1
