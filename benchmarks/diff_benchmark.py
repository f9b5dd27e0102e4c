"""How long the document diff takes on a 50-page strategy, next to a plain difflib baseline.

    .venv/bin/python -m benchmarks.diff_benchmark [--repeat 7] [--json]

Builds a deterministic document of 60 sections (about 25,000 words of Swedish-looking text), makes
a typical revision (5 % of the paragraphs edited) and a heavy one (50 % edited, 20 paragraphs
moved, within and across sections), and times `documents.diff.diff_documents` on each.

The baseline is the least a two-level difflib comparison has to do: one SequenceMatcher over the
list of all the document's paragraphs (headings included), then a word-level SequenceMatcher on
each replaced pair, paired by position, with the same tokens as the engine and nothing produced
but the opcodes. Both run in this process, so the ratio does not depend on the machine much.

Targets: the engine within 2x of the baseline, and the heavy revision under 250 ms. This is a
script, not a test: timings on shared CI machines are too noisy to fail a build on.

A third case, "formatted", is for information: every third section also has a list and a table
(so those sections go through the Markdown parser, as the comparison renders them), revised as
the typical case. The baseline knows nothing of Markdown, so the ratio says what rendering costs.
"""

import argparse
import gc
import json
import os
import random
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from difflib import SequenceMatcher

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workspace.test_settings")
django.setup()
# As in the web processes that run the diff (workspace/asgi.py): what is loaded by now is frozen,
# so the garbage collector's full collections, which the diff's allocations set off now and
# then, do not walk Django's objects. Without it one run in seven or so took 30 ms instead of 4
# (ours; the baseline allocates less and was spared), which moved the medians by 10 %.
gc.freeze()

from benchmarks.targets import Target  # noqa: E402
from documents.diff import SectionText, diff_documents  # noqa: E402

SEED = 20250
SECTIONS = 60
WORDS_PER_SECTION = (350, 420)
SENTENCES_PER_PARAGRAPH = (3, 8)
WORDS_PER_SENTENCE = (6, 18)
TYPICAL_SHARE = 0.05
HEAVY_SHARE = 0.50
HEAVY_MOVES = 20
RATIO_TARGET = 2.0
HEAVY_TARGET_MS = 250.0

_WORD_LIST = """
föräldraskapsstöd föräldraskap förälder föräldrar föräldrarna barn barnen barnets barnens unga
ungdomar ungdomarna familj familjer familjen familjerna kommun kommunen kommuner kommunerna
region regionen regionens regioner länet länsstyrelsen samverkan samverka samverkar strategi
strategin strategiska insatser insatserna insats stöd stödet stödja stödjer arbete arbetet
arbetar verksamhet verksamheten verksamheter socialtjänst socialtjänsten skola skolan skolor
förskola förskolan förskolor elevhälsa elevhälsan sjukvård vården barnhälsovård
mödrahälsovård barnavårdscentral ungdomsmottagning familjecentral familjecentraler öppen
förskola fritid fritidsgård civilsamhälle civilsamhället föreningar organisationer
idéburna myndigheter huvudmän huvudmännen personal medarbetare ledare gruppledare
samordnare nätverk nätverket nätverkets styrgrupp styrgruppen arbetsgrupp referensgrupp
uppdrag uppdraget mål målet målen syfte syftet inriktning inriktningen prioritering
prioriteringar område områden fokusområde fokusområden utveckling utveckla utvecklas
förbättra förbättring stärka stärker stärkt främja främjar främjande förebygga förebyggande
tidiga tidigt universella riktade indikerade evidensbaserade metoder metod program
programmen utbildning utbildningar kompetens kompetensen kunskap kunskaper forskning
beprövad erfarenhet uppföljning följa upp utvärdering utvärderingar resultat resultaten
effekter indikatorer statistik enkät enkäter kartläggning behov behoven målgrupp målgrupper
tillgänglighet jämlikhet jämlik jämställdhet delaktighet inflytande barnrätt barnkonventionen
rättigheter perspektiv barnperspektiv föräldraperspektiv mångfald språk tolk tolkning
information kommunikation digitala digitalt webbplats material broschyr samtal samtalsstöd
grupper gruppverksamhet hembesök rådgivning vägledning relation relationer anknytning
trygghet trygg trygga hälsa hälsan psykisk psykiska välbefinnande livsvillkor
uppväxtvillkor levnadsvillkor ekonomi ekonomiska resurser finansiering budget medel
bidrag långsiktig långsiktigt hållbar hållbart hållbarhet struktur strukturer organisering
ansvar ansvaret ansvarsfördelning roller rollerna gemensam gemensamma gemensamt
överenskommelse överenskommelsen avtal handlingsplan handlingsplanen aktiviteter
tidsplan period perioden år året åren under inom mellan genom för med till från mot
och att som är det den de en ett i på av om eller men samt även också särskilt
särskild särskilda viktigt viktiga behöver ska kan bör får vill har hade blir bli
varit vara finns fanns ges ge ger ta tar tas göra gör görs skapa skapar skapas
erbjuda erbjuder erbjuds nå når nås alla flera många fler olika hela varje egen egna
nya ny nytt befintliga befintlig god goda gott bättre bästa stor stora större mindre
lokala lokal lokalt regional regionala regionalt nationella nationell nationellt
"""
WORDS = _WORD_LIST.split()

CASES = (("typical", TYPICAL_SHARE, 0), ("heavy", HEAVY_SHARE, HEAVY_MOVES))
FORMATTED_EVERY = 3  # every third section gets a list and a table in the "formatted" case
LIST_ITEMS = 5
TABLE_ROWS = 6

Document = list[tuple[str, str, list[str]]]  # (key, heading, paragraphs)


def sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(*WORDS_PER_SENTENCE))
    if len(words) > 8 and rng.random() < 0.4:
        words[rng.randint(3, len(words) - 3)] += ","
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(*SENTENCES_PER_PARAGRAPH)))


def build_document(rng: random.Random) -> Document:
    document = []
    for number in range(1, SECTIONS + 1):
        target = rng.randint(*WORDS_PER_SECTION)
        paragraphs: list[str] = []
        while sum(len(p.split()) for p in paragraphs) < target:
            paragraphs.append(paragraph(rng))
        heading = f"{number}. " + " ".join(rng.choices(WORDS, k=rng.randint(2, 5))).capitalize()
        document.append((f"s{number:02d}", heading, paragraphs))
    return document


def with_lists_and_tables(rng: random.Random, document: Document) -> Document:
    """The document with a bulleted list and a three-column table in every third section."""
    formatted = []
    for number, (key, heading, paragraphs) in enumerate(document):
        paragraphs = list(paragraphs)
        if number % FORMATTED_EVERY == 0:
            paragraphs.append("\n".join(f"- {sentence(rng)}" for _ in range(LIST_ITEMS)))
            rows = []
            for row in range(1, TABLE_ROWS + 1):
                action, owner = " ".join(rng.choices(WORDS, k=4)), rng.choice(WORDS).capitalize()
                rows.append(f"| {row} | {action} | {owner} |")
            paragraphs.append("\n".join(["| Mål | Insats | Ansvar |", "|---|---|---|", *rows]))
        formatted.append((key, heading, paragraphs))
    return formatted


def edit(rng: random.Random, text: str) -> str:
    """Change a few words: replace some, insert a short phrase, delete one."""
    words = text.split(" ")
    for _ in range(rng.randint(2, 4)):
        at = rng.randrange(len(words))
        action = rng.random()
        if action < 0.5:
            words[at] = rng.choice(WORDS)
        elif action < 0.8:
            words[at:at] = rng.choices(WORDS, k=rng.randint(1, 4))
        elif len(words) > 10:
            del words[at]
    return " ".join(words)


def revise(rng: random.Random, document: Document, share: float, moves: int) -> Document:
    revised = [(key, heading, list(paragraphs)) for key, heading, paragraphs in document]
    places = [(s, p) for s, (_, _, ps) in enumerate(revised) for p in range(len(ps))]
    edited = set(rng.sample(places, round(share * len(places))))
    for s, p in edited:
        revised[s][2][p] = edit(rng, revised[s][2][p])
    # Moves: unedited paragraphs cut and pasted, half within their section, half to another one.
    movable = [(s, revised[s][2][p]) for s, p in places if (s, p) not in edited]
    for number, (s, text) in enumerate(rng.sample(movable, moves)):
        source = revised[s][2]
        at = source.index(text)
        del source[at]
        if number % 2 == 0:
            target = source
            to = rng.choice([t for t in range(len(source) + 1) if t != at])  # not back in place
        else:
            target = revised[rng.choice([t for t in range(len(revised)) if t != s])][2]
            to = rng.randint(0, len(target))
        target.insert(to, text)
    return revised


def as_sections(document: Document) -> list[SectionText]:
    return [SectionText(key, heading, "\n\n".join(ps)) for key, heading, ps in document]


_BREAK = re.compile(r"\n\s*\n")
_TOKENS = re.compile(r"\w+|[^\w\s]")


def baseline(old: Sequence[SectionText], new: Sequence[SectionText]) -> list:
    """Plain two-level difflib: all paragraphs, then words of positionally paired replacements."""

    def lines(document: Sequence[SectionText]) -> list[str]:
        out = []
        for section in document:
            out.append(section.heading)
            out.extend(p.strip() for p in _BREAK.split(section.body) if p.strip())
        return out

    a, b = lines(old), lines(new)
    result = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "replace":
            for k in range(min(i2 - i1, j2 - j1)):
                words = SequenceMatcher(
                    None, _TOKENS.findall(a[i1 + k]), _TOKENS.findall(b[j1 + k]), autojunk=False
                )
                result.append(words.get_opcodes())
        else:
            result.append((tag, i1, i2, j1, j2))
    return result


def timings(function: Callable[[], object], repeat: int) -> list[float]:
    function()  # warm up (regex caches, gettext catalogue)
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        runs.append((time.perf_counter() - start) * 1000)
    return runs


def _cases(rng: random.Random, document: Document):
    """(name, document, its revision), made one after the other: the typical and heavy
    revisions are the same as before the formatted case was added."""
    for name, share, moves in CASES:
        yield name, document, as_sections(revise(rng, document, share, moves))
    formatted = with_lists_and_tables(rng, document)
    yield "formatted", formatted, as_sections(revise(rng, formatted, TYPICAL_SHARE, 0))


def run(repeat: int) -> dict:
    rng = random.Random(SEED)  # noqa: S311 -- a repeatable document, not a secret
    document = build_document(rng)
    old = as_sections(document)
    results = {
        "sections": len(old),
        "paragraphs": sum(len(ps) for _, _, ps in document),
        "words": sum(len(s.heading.split()) + len(s.body.split()) for s in old),
        "repeat": repeat,
        "cases": [],
    }
    for name, base, new in _cases(rng, document):
        old = as_sections(base)
        ours = timings(lambda old=old, new=new: diff_documents(old, new), repeat)
        plain = timings(lambda old=old, new=new: baseline(old, new), repeat)
        stats = diff_documents(old, new).stats
        ratio = statistics.median(ours) / statistics.median(plain)
        passed = ratio <= RATIO_TARGET and (name != "heavy" or max(ours) < HEAVY_TARGET_MS)
        if name == "formatted":
            passed = None  # for information
        results["cases"].append(
            {
                "case": name,
                "ours_median_ms": round(statistics.median(ours), 2),
                "ours_best_ms": round(min(ours), 2),
                "ours_worst_ms": round(max(ours), 2),
                "baseline_median_ms": round(statistics.median(plain), 2),
                "baseline_best_ms": round(min(plain), 2),
                "ratio": round(ratio, 2),
                "passed": passed,
                "paragraphs_changed": stats.paragraphs_changed,
                "paragraphs_moved": stats.paragraphs_moved,
                "paragraphs_inserted": stats.paragraphs_inserted,
                "paragraphs_deleted": stats.paragraphs_deleted,
            }
        )
    return results


VERDICT = {True: "pass", False: "FAIL", None: "(info)"}


def print_table(results: dict) -> None:
    print(
        f"Document: {results['sections']} sections, {results['paragraphs']} paragraphs, "
        f"{results['words']} words; {results['repeat']} runs each."
    )
    print(
        f"Targets: within {RATIO_TARGET:g}x of the baseline (medians); "
        f"heavy under {HEAVY_TARGET_MS:g} ms (slowest run)."
    )
    header = ("case", "ours median", "ours best", "ours worst", "baseline", "ratio", "target")
    print("{:<8} {:>12} {:>10} {:>11} {:>9} {:>6}  {}".format(*header))
    for case in results["cases"]:
        print(
            f"{case['case']:<8} {case['ours_median_ms']:>9.2f} ms {case['ours_best_ms']:>7.2f} ms "
            f"{case['ours_worst_ms']:>8.2f} ms {case['baseline_median_ms']:>6.2f} ms "
            f"{case['ratio']:>5.2f}x  {VERDICT[case['passed']]}"
        )
    for case in results["cases"]:
        print(
            f"{case['case']}: {case['paragraphs_changed']} paragraphs changed, "
            f"{case['paragraphs_moved']} moved, {case['paragraphs_inserted']} inserted, "
            f"{case['paragraphs_deleted']} deleted"
        )


def targets(repeat: int = 7) -> list[Target]:
    """For benchmarks.run_all: each case next to the difflib baseline of the same run."""
    lines = []
    for case in run(repeat)["cases"]:
        worst = f", slowest {case['ours_worst_ms']:.1f} ms" if case["case"] == "heavy" else ""
        target = f"≤ {RATIO_TARGET:g}x the baseline"
        if case["case"] == "heavy":
            target += f", slowest < {HEAVY_TARGET_MS:g} ms"
        lines.append(
            Target(
                f"diff: {case['case']} revision",
                f"{case['ours_median_ms']:.1f} ms = {case['ratio']:.2f}x difflib "
                f"({case['baseline_median_ms']:.1f} ms; medians of {repeat}){worst}",
                target if case["passed"] is not None else "for information",
                case["passed"],
            )
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per case (default 7)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    results = run(args.repeat)
    if args.json:
        json.dump(results, sys.stdout, indent=2)
        print()
    else:
        print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
