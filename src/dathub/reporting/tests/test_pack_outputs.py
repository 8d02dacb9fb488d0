"""What a pack says, in each of its three forms (web page, PDF, Word): summary cards that
add up to their table, nothing dated after the day the figures are as at, a PDF a screen
reader can use (tagged, real page numbers in the contents, charts with alt text and their
tables), and numbers written as people write them."""

from __future__ import annotations

import io
import json
import logging
import re
import zipfile
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal as D
from typing import Any

import pytest
from django.db.models import Q

from dathub.core import clock
from dathub.performance import board_pack
from dathub.performance import services as performance
from dathub.performance.models import Computation
from dathub.performance.periods import quarter_of
from dathub.planning import services as planning
from dathub.planning.models import Action, ProgressUpdate
from dathub.reporting import builder, registry, services
from dathub.reporting.models import BoardPack

from .pdf_text import Pdf

pytestmark = pytest.mark.calendar


def _pack(demo: Any, board: Any, meeting: date, as_at: date | None = None) -> BoardPack:
    pack = services.board_pack_create(
        actor=demo.coordinator, partnership=demo.northshire, body=board, meeting_date=meeting
    )
    return services.board_pack_build_now(actor=demo.coordinator, pack=pack, as_at=as_at)


def _docx_parts(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name).decode() for name in z.namelist() if name.endswith(".xml")}


def _docx_text(data: bytes) -> str:
    """The words of the document and its page headers."""
    parts = _docx_parts(data)
    xml = " ".join(v for k, v in parts.items() if k == "word/document.xml" or "header" in k)
    return " ".join(" ".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml)).split())


def _outputs(client: Any, pack: BoardPack) -> dict[str, str]:
    """Every form the pack takes, as text (of the web page, the pack itself: not the page's
    controls, which say when it was built)."""
    page = client.get(f"/p/N01A/board-packs/{pack.pk}/").content.decode()
    page = page.split('<article class="dathub-pack">')[1].split("</article>")[0]
    return {
        "content": json.dumps(pack.content),
        "web page": " ".join(re.sub(r"<[^>]+>", " ", page).split()),
        "pdf": " ".join(Pdf(bytes(pack.pdf)).page_texts()),
        "docx": _docx_text(bytes(pack.docx)),
    }


def _local(demo: Any, code: str, name: str, unit: str = "percent") -> Any:
    return performance.local_indicator_create(
        actor=demo.analyst,
        partnership=demo.northshire,
        code=code,
        name=name,
        unit=unit,
        higher_is_better=True,
    )


def _figure(demo: Any, indicator: Any, fy: str, q: int, num: int, den: int | None = 100) -> None:
    performance.local_figure_set(
        actor=demo.analyst,
        indicator=indicator,
        financial_year=fy,
        quarter=q,
        numerator=num,
        denominator=den,
    )


def _target(demo: Any, indicator: Any, fy: str, value: str, tolerance: str = "0", **q: D) -> None:
    performance.target_set(
        actor=demo.analyst,
        partnership=demo.northshire,
        indicator=indicator.key,
        financial_year=fy,
        value=D(value),
        tolerance=D(tolerance),
        **q,
    )


def _context(demo: Any, as_at: date) -> registry.PackContext:
    return registry.PackContext(
        actor=demo.board,
        body=None,
        meeting_date=as_at + timedelta(days=8),
        as_at=as_at,
        since=None,
        kind=registry.BOARD_PACK,
    )


# --- 1. the summary cards add up to the table ----------------------------------------------


CARD_FOR_RATING = {
    "Met": "Indicators meeting their target",
    "Within tolerance": "Indicators within tolerance of their target",
    "Missed": "Indicators missing their target",
    "No target": "Indicators with no target set for the quarter",
    "No figure": "Indicators with no figure for the quarter",
    "Suppressed": "Indicators whose figure is suppressed (1 to 4 people)",
}


def test_summary_cards_count_every_rating_in_the_table(demo):
    fy = "2026/27"
    ratings_wanted = {
        "met": (90, "85.0", "3.0"),
        "within": (83, "85.0", "3.0"),
        "missed": (70, "85.0", "3.0"),
        "missed-too": (60, "85.0", "3.0"),
        "untargeted": (50, None, None),
        "small": (3, "10.0", "0"),  # 3 people: the published figure is suppressed
    }
    for code, (num, target, tolerance) in ratings_wanted.items():
        indicator = _local(demo, code, f"Indicator {code}")
        _figure(demo, indicator, fy, 1, 40)
        _figure(demo, indicator, fy, 2, num)
        if target is not None:
            _target(demo, indicator, fy, target, tolerance)

    built = board_pack.section(demo.northshire, _context(demo, date(2026, 11, 22)))
    cards = next(b for b in built["blocks"] if b["type"] == "figures")["items"]
    table = next(b for b in built["blocks"] if b.get("caption", "").startswith("Each indicator"))
    rating_column = table["columns"].index("Rating")
    shown = Counter(row[rating_column]["text"] for row in table["rows"])
    assert shown == {"Met": 1, "Within tolerance": 1, "Missed": 2, "No target": 1, "Suppressed": 1}
    counted = {c["label"]: c["value"] for c in cards}
    # every rating the table shows has its card, with the number of rows that show it
    for word, rows in shown.items():
        assert counted[CARD_FOR_RATING[word]] == rows, word
    assert sum(counted.values()) == len(table["rows"]) == 6
    # and nothing else: no card for a rating no row has (no figure here)
    assert CARD_FOR_RATING["No figure"] not in counted


# --- 2. nothing after the day the figures are as at -------------------------------------------


def test_a_pack_shows_nothing_after_its_as_at_day(demo, client_for, delivery, board):
    from dathub.planning.document.dates import financial_year_label, financial_year_of
    from dathub.planning.models import Plan

    t = delivery.today
    as_at = t - timedelta(days=3)
    # the plan delivered on the as-at day: early in April, that is the year just ended
    Plan.objects.filter(pk=delivery.plan.pk).update(
        financial_year=financial_year_label(financial_year_of(as_at))
    )
    # the plan's history starts long before: every action as created, 90 days ago
    Action.history.filter(id__in=[a.pk for a in delivery.actions.values()]).update(
        history_date=clock.now() - timedelta(days=90)
    )
    # after the as-at day: a completion with its note, a note and a decision asked for, a
    # new action, a deadline moved (and the action renamed), a later quarter's figure
    planning.progress_update_create(
        actor=demo.coordinator,
        action=delivery["police_risk"],
        status="complete",
        note="Zanzibar suite funded",
        date=t,
    )
    planning.progress_update_create(
        actor=demo.coordinator,
        action=delivery["not_started"],
        status="at_risk",
        note="Quokka tender delayed",
        decision_needed="Decide on the Wombat contract extension",
        date=t - timedelta(days=1),
    )
    planning.action_create(
        actor=demo.coordinator,
        partnership=demo.northshire,
        text="Yeti action agreed after the meeting",
        source="JCG",
    )
    moved = (t + timedelta(days=200)).strftime("%d/%m/%Y")
    planning.action_update(
        actor=demo.coordinator,
        action=delivery["trust_overdue"],
        text="Trust training renamed Xylophone",
        **planning.read_due(moved, delivery.plan.financial_year),
    )
    indicator = _local(demo, "dip-then", "DIP assessments kept")
    fy_then, q_then = quarter_of(as_at - timedelta(days=120))
    fy_later, q_later = quarter_of(t)  # this quarter: it ends after the as-at day
    _figure(demo, indicator, fy_then, q_then, 61)
    _figure(demo, indicator, fy_later, q_later, 97)
    # the figures were last computed today, after the as-at day
    Computation.objects.create(status=Computation.Status.DONE, as_of=t, finished_at=clock.now())

    pack = _pack(demo, board, meeting=as_at)  # a past meeting: figures as at that day
    assert pack.content["as_at"] == as_at.isoformat()
    client = client_for(demo.coordinator)
    outputs = _outputs(client, pack)
    day = f"{as_at.day} {as_at:%B %Y}"
    # single words, which a PDF table cell cannot split over two lines
    later_words = ["Zanzibar", "Quokka", "Wombat", "Yeti", "Xylophone", "97.0%", "budget"]
    later_words.append("Prison")  # the fixture's notes of 2 and 1 days ago
    later_phrases = [
        f"{fy_later} Q{q_later}",
        f"{t.day} {t:%B %Y}",  # the day the figures were computed
        "Police note: no budget.",
        "Decide whether to fund the second suite.",
        "Prison has not signed.",
    ]
    for form, text in outputs.items():
        for words in later_words + ([] if form == "pdf" else later_phrases):
            assert words not in text, (form, words)
        assert "61.0%" in text, form  # the earlier quarter is there
        assert "computed after that day" in " ".join(text.split()) or form == "pdf", form
        if form != "content":
            assert f"Figures as at {day}" in text, form
    # the pack header says so on every page of the PDF and the Word document, and on the
    # web page above the pack
    assert all(f"Figures as at {day}" in p for p in Pdf(bytes(pack.pdf)).page_texts())
    headers = [v for k, v in _docx_parts(bytes(pack.docx)).items() if "header" in k]
    assert any(f"Figures as at {day}" in h for h in headers)
    page = client.get(f"/p/N01A/board-packs/{pack.pk}/").content.decode()
    controls = page.split('<article class="dathub-pack">')[0]
    assert f"Figures as at {day}." in controls

    # as things stood that day: the trust's action overdue under its old name and deadline,
    # the police action not yet complete, no decision asked for
    progress = next(s for s in pack.content["sections"] if s["key"] == "work_plan_progress")
    tables = [b for b in progress["blocks"] if b["type"] == "table"]
    overdue = [row[0] for b in tables if b["caption"] == "Overdue" for row in b["rows"]]
    assert "Trust overdue: train staff in naloxone" in overdue
    done = [r[0] for b in tables if b["caption"].startswith("Completed") for r in b["rows"]]
    assert "Police at risk: custody suite testing" not in done
    decisions = next(s for s in pack.content["sections"] if s["key"] == "decisions_needed")
    assert decisions["blocks"][0]["text"] == "No decisions have been asked for."


def test_demo_packs_hold_nothing_later_than_the_day_they_were_built(demo):
    from django.utils import timezone

    from dathub.planning import demo as planning_demo
    from dathub.reporting import demo as reporting_demo

    planning_demo.load(demo.partnerships)
    reporting_demo.load(demo.partnerships)
    packs = list(BoardPack.objects.filter(partnership=demo.northshire, status="issued"))
    assert len(packs) == 2
    for pack in packs:
        built = timezone.localtime(pack.built_at).date()
        assert pack.content["as_at"] == built.isoformat()
        later = ProgressUpdate.objects.filter(partnership=demo.northshire, date__gt=built)
        notes = {u.note for u in later if len(u.note) > 20} | {
            u.decision_needed for u in later if len(u.decision_needed) > 20
        }
        assert notes  # the demo has progress after each pack's papers went out
        text = json.dumps(pack.content)
        for note in notes:
            earlier = ProgressUpdate.objects.filter(
                partnership=demo.northshire, date__lte=built
            ).filter(Q(note=note) | Q(decision_needed=note))
            if not earlier.exists():  # the same words were not written before as well
                assert json.dumps(note)[1:-1] not in text, note


# --- 3. the PDF: tagged, page numbers, headings kept with their content, charts --------------


def _charted_pack(demo: Any, board: Any, delivery: Any) -> BoardPack:
    """A pack with the plan's progress and two local indicators' charts."""
    t = delivery.today
    for code, name, unit, figures in (
        ("nx-returns", "Needle exchange returns", "percent", [(55, 100), (61, 100)]),
        ("kits", "Naloxone kits given out", "count", [(1480, None), (1527, None)]),
    ):
        indicator = _local(demo, code, name, unit)
        for back, (num, den) in zip((250, 150), figures, strict=True):
            fy, q = quarter_of(t - timedelta(days=back))
            _figure(demo, indicator, fy, q, num, den)
            _target(demo, indicator, fy, "1425" if unit == "count" else "60.0")
    return _pack(demo, board, meeting=t + timedelta(days=7))


def test_the_pdf_is_tagged_for_screen_readers(demo, delivery, board, caplog):
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pack = _charted_pack(demo, board, delivery)
    # WeasyPrint says when a tagged PDF lacks what PDF/UA needs (language, alt text)
    assert not [r for r in caplog.records if r.name.startswith("weasyprint")]
    pdf = Pdf(bytes(pack.pdf))
    catalog = pdf.catalog
    assert pdf.ref(catalog, "StructTreeRoot") is not None
    assert b"/MarkInfo <</Marked true>>" in catalog
    assert b"/Lang (en-GB)" in catalog
    assert b"/DisplayDocTitle true" in catalog
    metadata = pdf.streams[pdf.ref(catalog, "Metadata")]
    assert b'pdfuaid:part="1"' in metadata and pack.title.encode() in metadata
    raw = pdf.raw
    for tag in (b"/S /H1", b"/S /H2", b"/S /Table", b"/S /TH", b"/S /TD", b"/S /Figure"):
        assert tag in raw, tag
    alts = re.findall(rb"/Alt \(([^)]*)\)", raw)
    assert b"Line chart of Needle exchange returns for each quarter from" in b" ".join(alts)
    assert b"Line chart of Naloxone kits given out for each quarter from" in b" ".join(alts)


def test_the_contents_give_the_page_each_section_starts_on(demo, delivery, board):
    pack = _charted_pack(demo, board, delivery)
    pages = Pdf(bytes(pack.pdf)).page_lines()
    contents = next(i for i, lines in enumerate(pages) if "Contents" in lines)
    entries = {}
    for line in pages[contents]:
        m = re.fullmatch(r"(\d+)\.\s+(.+?)\s+(\d+)", line)
        if m:
            entries[int(m.group(1))] = (m.group(2), int(m.group(3)))
    sections = pack.content["sections"]
    assert sorted(entries) == [s["number"] for s in sections]
    starts = []
    for s in sections:
        heading = f"{s['number']}. {s['title']}"
        first = next(i for i, lines in enumerate(pages) if i > contents and heading in lines)
        assert entries[s["number"]] == (s["title"], first + 1), heading
        starts.append(first + 1)
    assert len(set(starts)) == len(starts) > 2  # real, different pages


def test_the_pdf_keeps_headings_with_their_tables_and_repeats_table_headers(demo):
    """Sub-headings then tables, enough to fill several pages: no page ends with a
    heading or a caption, and a table that goes on to a new page repeats its header."""
    blocks: list[dict[str, Any]] = []
    for n in range(1, 13):
        rows = 4 if n % 4 else 60
        blocks += [
            {"type": "heading", "text": f"Heading number {n}"},
            {
                "type": "table",
                "caption": f"Caption number {n}",
                "columns": ["Column alpha", "Column beta"],
                "rows": [[f"row {n}-{r}", r] for r in range(rows)],
            },
        ]
    content = {
        "title": "A long pack",
        "kind_label": "Board pack",
        "partnership": {"name": "Northshire DAAT", "code": "N01A"},
        "body": "Board",
        "meeting_date": "2027-01-12",
        "as_at": "2027-01-05",
        "since": None,
        "sections": [
            {
                "key": "long",
                "number": 1,
                "anchor": "section-1",
                "title": "A long section",
                "narrative": None,
                "blocks": blocks,
                "template": "reporting/sections/blocks.html",
            }
        ],
    }
    pages = Pdf(builder.render_pdf(content, builder.render_html(content))).page_lines()
    split = 0
    for lines in pages:
        body = lines[1:-1]  # less the running header and footer
        assert body, lines
        assert not re.match(r"(Heading|Caption) number", body[-1]), body[-3:]
        if body[0].startswith("row "):  # a table carried over from the page before
            pytest.fail(f"a table went on without its header: {body[:2]}")
        if body[0] == "Column alpha Column beta":
            split += 1
    assert split >= 2  # the long tables did run on to further pages


def test_the_word_document_has_the_charts_with_alt_text_and_their_tables(demo, delivery, board):
    pack = _charted_pack(demo, board, delivery)
    with zipfile.ZipFile(io.BytesIO(bytes(pack.docx))) as z:
        pictures = [n for n in z.namelist() if n.startswith("word/media/")]
        xml = z.read("word/document.xml").decode()
    assert len(pictures) == 2
    descr = re.findall(r'<wp:docPr [^>]*descr="([^"]*)"', xml)
    assert {d.split(" for each")[0] for d in descr} == {
        "Line chart of Needle exchange returns",
        "Line chart of Naloxone kits given out",
    }
    # each picture is followed by its data table, headed by its caption
    for name in ("Needle exchange returns", "Naloxone kits given out"):
        after = xml.split(f'descr="Line chart of {name}')[1]
        caption, table = after.index(f"{name} by quarter"), after.index("<w:tbl>")
        assert caption < table < after.index("</w:tbl>")
        assert "Quarter" in after[table : after.index("</w:tbl>")]
        # its header row repeats on each page Word lays it over
        assert '<w:tblHeader w:val="true"/>' in after[table : after.index("</w:tbl>")]
    # the web page and the PDF have the same charts, as images with the same alt text
    assert pack.html.count('src="data:image/png;base64,') == 2
    assert f'alt="{descr[0]}"' in pack.html
    assert descr[1].encode() in Pdf(bytes(pack.pdf)).raw


# --- 4. numbers as people write them --------------------------------------------------------


def test_numbers_read_as_people_write_them_in_every_format(demo, client_for, delivery, board):
    def counts(partnership, ctx):
        return {
            "blocks": [
                {"type": "figures", "items": [{"label": "people waiting", "value": 1425}]},
                {
                    "type": "table",
                    "caption": "Numbers",
                    "columns": ["What", "People", "Target", "Rate"],
                    "rows": [["Seen", 1527, 750.0, 12.5]],
                    "numeric": [1, 2, 3],
                },
            ]
        }

    registry.register_section("counts", "Counts", 90, counts)
    try:
        pack = _pack(demo, board, meeting=delivery.today + timedelta(days=7))
    finally:
        registry.unregister_section("counts")
    for form, text in _outputs(client_for(demo.coordinator), pack).items():
        if form == "content":
            continue  # the content keeps the numbers as numbers
        assert "1,425 people waiting" in text, form
        assert "Seen 1,527 750 12.5" in text, form
        for wrong in ("1425", "1527", "750.0"):
            assert wrong not in text, (form, wrong)


def test_the_performance_section_writes_targets_and_forecasts_as_people_do(demo):
    kits = _local(demo, "kits", "Naloxone kits given out", "count")
    _figure(demo, kits, "2026/27", 2, 1527, None)
    _target(demo, kits, "2026/27", "6000", q2=D("1425.0"))
    returns = _local(demo, "returns", "Needle exchange returns")
    _figure(demo, returns, "2026/27", 1, 50)
    _figure(demo, returns, "2026/27", 2, 56)
    _target(demo, returns, "2026/27", "50.0")
    built = board_pack.section(demo.northshire, _context(demo, date(2026, 11, 22)))
    table = next(b for b in built["blocks"] if b.get("caption", "").startswith("Each indicator"))
    rows = {row[0]: row for row in table["rows"]}
    assert rows["Naloxone kits given out"][2:4] == ["1,527", "1,425"]
    assert rows["Needle exchange returns"][2:4] == ["56.0%", "50.0%"]
    forecast = rows["Needle exchange returns"][6]
    assert re.fullmatch(r"\d+\.\d% against a target of 50\.0%", forecast), forecast
    chart = next(b for b in built["blocks"] if b["type"] == "chart" and "Naloxone" in b["alt"])
    assert chart["table"]["rows"][-1] == ["2026/27 Q2", "1,527", "1,425"]
