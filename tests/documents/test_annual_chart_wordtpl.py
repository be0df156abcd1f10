"""The 年终考评 (levels by hand-computed rules, the document read back against
the campaign result), the monthly chart (numbers, fonts, identical bytes, the
picture in the PDF), and offices' own Word templates (the June 通报 filled into
templates/word/通报.docx: ranking rows equal the scores; LibreOffice PDF)."""

from __future__ import annotations

import io
import shutil
import struct
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import docx
import pdfplumber
import pytest
from click.testing import CliRunner

from gongwen import INPUTS_DIR, TEMPLATES_DIR
from gongwen.campaign import compute, load_campaign
from gongwen.documents.kinds import build_kind
from gongwen.documents import annual, bulletin, chart, wordtpl
from gongwen.build.typesetters import typeset_doc
from gongwen.documents.common import ranking_table, settings
from gongwen.documents.settings import Level
from gongwen.documents.templating import Templates
from gongwen.errors import UserError
from gongwen.notice.tree import Image
from gongwen.build.notices import typeset
from tests import pdfmeasure as pm

CENT = Decimal("0.01")
TITLE = "关于2023年度全县招大引强“百日攻坚”工作考评结果的通报"
LEVELS = [Level(name="一等", top=1), Level(name="二等", top=3), Level(name="三等", top=6)]


def q(d: Decimal) -> Decimal:
    return d.quantize(CENT, ROUND_HALF_UP)


def docx_tables(data: bytes) -> list[list[list[str]]]:
    d = docx.Document(io.BytesIO(data))
    return [[[c.text.strip() for c in row.cells] for row in t.rows] for t in d.tables]


def docx_paragraphs(data: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


@pytest.fixture(scope="module")
def xinfeng():
    return compute(load_campaign(INPUTS_DIR / "xinfeng-2023"))


@pytest.fixture(scope="module")
def partial(tmp_path_factory):
    """xinfeng-2023 as a second, unfinished campaign of the year: August not reported yet."""
    folder = tmp_path_factory.mktemp("campaigns") / "xinfeng-2023-b"
    shutil.copytree(INPUTS_DIR / "xinfeng-2023", folder)
    (folder / "reports" / "2023-08.xlsx").unlink()
    shutil.rmtree(folder / "reports" / "2023-08")
    cfg = folder / "campaign.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("id: xinfeng-2023", "id: xinfeng-2023-b", 1), encoding="utf-8")
    return compute(load_campaign(folder))


@pytest.fixture(scope="module")
def annual_cli(tmp_path_factory):
    """`pipeline.py annual inputs/xinfeng-2023 --year 2023 --out DIR`: the written DOCX and PDF."""
    from gongwen.cli import main

    out = tmp_path_factory.mktemp("annual-out")
    register = tmp_path_factory.mktemp("annual-register") / "发文登记.sqlite"
    result = CliRunner().invoke(main, ["annual", str(INPUTS_DIR / "xinfeng-2023"), "--year", "2023", "--out", str(out),
                                       "--register", str(register)])
    assert result.exit_code == 0, result.output
    folder = out / "annual"
    return folder, (folder / f"{TITLE}.docx").read_bytes(), (folder / f"{TITLE}.pdf").read_bytes(), result.output


# ------------------------------------------------------------------ 等次 rules

def test_levels_by_rank_ties_share_a_level():
    # ranks as competition ranks: two units tie 2nd, two tie 6th (both inside top 6)
    ranked = [(1, Decimal(90)), (2, Decimal(80)), (2, Decimal(80)), (4, Decimal(70)),
              (5, Decimal(60)), (6, Decimal(50)), (6, Decimal(50)), (8, Decimal(40))]
    got = [lv.name if lv else None for lv in annual.assign_levels(ranked, LEVELS)]
    assert got == ["一等", "二等", "二等", "三等", "三等", "三等", "三等", None]
    # a tie across the boundary of 二等 (top 3): both 3rd places are 二等, the next is 三等
    ranked = [(1, Decimal(9)), (2, Decimal(8)), (3, Decimal(7)), (3, Decimal(7)), (5, Decimal(6))]
    got = [lv.name if lv else None for lv in annual.assign_levels(ranked, LEVELS)]
    assert got == ["一等", "二等", "二等", "二等", "三等"]


def test_levels_by_score_threshold_and_both():
    levels = [Level(name="优秀", min_score=80), Level(name="良好", min_score=65),
              Level(name="一般", min_score=50), Level(name="较差")]
    scores = [Decimal("80.00"), Decimal("79.99"), Decimal("65"), Decimal("50.00"), Decimal("49.99"), Decimal(0)]
    got = [lv.name for lv in annual.assign_levels([(i + 1, s) for i, s in enumerate(scores)], levels)]
    assert got == ["优秀", "良好", "良好", "一般", "较差", "较差"]
    both = [Level(name="先进", top=2, min_score=60)]
    got = annual.assign_levels([(1, Decimal(70)), (2, Decimal(55)), (3, Decimal(90))], both)
    assert [lv.name if lv else None for lv in got] == ["先进", None, None]


def test_bad_level_rules_are_named(xinfeng):
    with pytest.raises(UserError) as exc:
        annual.compute_annual([xinfeng], 2023, [Level(name="一等", top=1), Level(name="一等", top=2),
                                                Level(name="三等", categories=["街道"])])
    text = str(exc.value)
    assert "没有类别“街道”" in text and "重复" in text
    with pytest.raises(UserError, match="不在2020年内"):
        annual.compute_annual([xinfeng], 2020, LEVELS)


# ------------------------------------------------------------------ the computation

def test_single_campaign_follows_the_final_result(xinfeng):
    a = annual.compute_annual([xinfeng], 2023, LEVELS)
    for f in xinfeng.final.units:
        u = a.unit(f.name)
        assert (u.score, u.rank, u.category) == (f.total, f.rank, f.category)
    # hand-checked from 得分明细 final: 小分队 ranks 1,2,3,4,5,6,6 -> the two 6th places are both 三等
    team = a.category("专业招商小分队")
    assert [u.rank for u in team] == [1, 2, 3, 4, 5, 6, 6]
    assert [u.level.name for u in team] == ["一等", "二等", "二等", "三等", "三等", "三等", "三等"]
    assert [u.name for u in a.category("县直部门") if u.level and u.level.name == "二等"] == ["县工业和信息化局", "县商务局"]
    assert a.unit("县交通运输局").level is None


def test_figures_count_every_month_of_the_year(xinfeng):
    a = annual.compute_annual([xinfeng], 2023, LEVELS)
    assert [c.key for c in a.columns] == ["trips", "principal_trips", "signed", "signed_amount", "starts", "starts_amount"]
    for name in ("嘉定镇", "高端装备制造产业招商小分队", "县交通运输局"):
        signed = [r for m in xinfeng.data for r in xinfeng.data[m].rows("签约项目", name)]
        trips = [r for m in xinfeng.data for r in xinfeng.data[m].rows("外出招商", name)]
        f = a.unit(name).figures
        assert f["signed"] == len(signed)
        assert f["signed_amount"] == sum((Decimal(str(r["投资额（亿元）"])) for r in signed), Decimal(0))
        assert f["trips"] == len(trips)
        assert f["principal_trips"] == sum(1 for r in trips if r["是否主要负责人"] == "是")
    assert a.unit("县交通运输局").figures["signed"] == 0  # reported nothing


def test_two_campaigns_one_unfinished(xinfeng, partial):
    assert partial.final is None
    a = annual.compute_annual([xinfeng, partial], 2023, LEVELS)
    assert [r.complete for r in a.runs] == [True, False]
    assert a.runs[1].scored == ["2023-06", "2023-07"]
    for name in ("嘉定镇", "县商务局", "文旅产业招商小分队"):
        u = a.unit(name)
        # by hand: unfinished campaign -> mean of its two monthly totals; annual -> mean of the two campaigns
        avg = q((partial.scores["2023-06"].unit(name).total + partial.scores["2023-07"].unit(name).total) / 2)
        assert u.results[1].score == avg
        assert u.results[0].score == xinfeng.final.unit(name).total
        assert u.score == q((xinfeng.final.unit(name).total + avg) / 2)
        signed = sum(len(c.data[m].rows("签约项目", name)) for c in (xinfeng, partial) for m in c.scores)
        assert u.figures["signed"] == signed
    # ranks: competition ranks of the annual score within each category
    for cat in a.categories:
        units = a.category(cat)
        for u in units:
            assert u.rank == 1 + sum(1 for o in units if o.score > u.score)


def test_builder_waits_for_the_campaign_end(xinfeng, partial):
    class R:  # only the manifest's add_input is used
        class manifest:
            @staticmethod
            def add_input(shown, path):
                return shown

    assert build_kind(annual.KIND, partial, Templates(partial.campaign.folder), R.manifest) == []
    docs = build_kind(annual.KIND, xinfeng, Templates(xinfeng.campaign.folder), R.manifest)
    assert [(d.rel, d.kind, d.period) for d in docs] == [(f"annual/{TITLE}", "年终考评", "annual")]
    assert "reports/2023-08.xlsx" in docs[0].inputs and "campaign.yaml" in docs[0].inputs


# ------------------------------------------------------------------ the document (written by the command)

def test_annual_document_tables_equal_the_result(xinfeng, annual_cli):
    _, data, _, output = annual_cli
    s = settings(xinfeng)
    a = annual.compute_annual([xinfeng], 2023, s.annual.levels)
    tables = docx_tables(data)
    results = [t for t in tables if t[0] == ["排名", "单位", "活动总分", "等次"]]
    assert len(results) == len(xinfeng.campaign.categories)
    for cat, table in zip(xinfeng.campaign.categories, results):
        expected = [[str(f.rank), f.name, f"{f.total:.2f}", a.unit(f.name).level.name if a.unit(f.name).level else "—"]
                    for f in xinfeng.final.category(cat)]
        assert table[1:] == expected
    figures = [t for t in tables if t[0][0] == "单位" and t[-1][0] == "合计"]
    assert len(figures) == len(xinfeng.campaign.categories)
    for cat, table in zip(xinfeng.campaign.categories, figures):
        col = table[0].index("签约项目（个）")
        rows = [r for m in xinfeng.data for r in xinfeng.data[m].rows("签约项目")
                if xinfeng.campaign.roster.by_name(r.unit).category == cat]
        assert int(table[-1][col]) == len(rows)
        assert sum(int(r[col]) for r in table[1:-1]) == len(rows)
    assert "一等" in output and "嘉定镇" in output


def test_annual_text_names_levels_and_rewards(xinfeng, annual_cli):
    _, data, _, _ = annual_cli
    text = "\n".join(docx_paragraphs(data))
    a = annual.compute_annual([xinfeng], 2023, settings(xinfeng).annual.levels)
    for lv in settings(xinfeng).annual.levels:
        units = [u.name for cat in a.categories for u in a.category(cat) if u.level and u.level.name == lv.name]
        line = next(p for p in text.splitlines() if p.startswith(f"评为{lv.name}的"))
        assert line == f"评为{lv.name}的{'、'.join(units)}，{lv.reward}。"
    assert "100亩用地指标" in text and "50亩用地指标" in text
    assert "二等为排名第2至第3名" in text
    total = sum(len(xinfeng.data[m].rows("签约项目")) for m in xinfeng.data)
    amount = sum(Decimal(str(r["投资额（亿元）"])) for m in xinfeng.data for r in xinfeng.data[m].rows("签约项目"))
    assert f"签约项目{total}个、总投资{q(amount)}亿元" in text


def test_annual_pdf_layout_and_manifest(annual_cli, tmp_path):
    folder, _, pdf, _ = annual_cli
    path = tmp_path / "annual.pdf"
    path.write_bytes(pdf)
    with pdfplumber.open(path) as doc:
        assert len(doc.pages) % 2 == 0
        first = "".join(l.text for l in pm.page_lines(doc.pages[0]))
        assert "关于2023年度全县招大引强" in first
        text = "".join(p.extract_text() for p in doc.pages)
        assert "2023年度各单位主要招商指标" in text
        assert "2024年1月2日" in text  # default date: bulletin day of next January
    import json

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    paths = [f["path"] for f in manifest["files"]]
    assert paths == [f"{TITLE}.docx", f"{TITLE}.pdf"]  # relative to annual/, where manifest.json is
    assert all(f["kind"] == "年终考评" and f["period"] == "annual" for f in manifest["files"])
    from gongwen.archive.verify import verify

    report = verify(folder)
    assert report.checked == 2 and not report.missing and not report.changed and not report.extra


def test_annual_command_wrong_year_is_a_plain_error(tmp_path):
    from gongwen.cli import main

    result = CliRunner().invoke(main, ["annual", str(INPUTS_DIR / "suzhou-2020"), "--year", "2023", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "不在2023年内" in result.output
    assert not any(tmp_path.iterdir())


# ------------------------------------------------------------------ chart

@pytest.fixture(scope="module")
def suzhou():
    return compute(load_campaign(INPUTS_DIR / "suzhou-2020"))


def test_chart_numbers_are_the_month_scores(suzhou):
    month = "2020-10"
    got = chart.category_totals(suzhou, month)
    assert [t.category for t in got] == suzhou.campaign.categories
    for t in got:
        totals = [u.total for u in suzhou.scores[month].units if u.category == t.category]
        assert (t.units, t.highest, t.lowest) == (len(totals), max(totals), min(totals))
        assert t.average == q(sum(totals) / len(totals))


def test_chart_png_is_stable_and_in_the_pdf_fonts(suzhou):
    from matplotlib.font_manager import FontProperties, findfont

    from gongwen.notice.fonts import available_chain

    totals = chart.category_totals(suzhou, "2020-09")
    one, two = chart.draw(totals, Decimal(100)), chart.draw(totals, Decimal(100))
    assert one == two and one[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", one[16:24])
    assert (width, height) == (round(6.14 * chart.DPI), round(3.9 * chart.DPI))
    assert b"tIME" not in one and b"Software" not in one
    families = chart._font_families("body")
    assert findfont(FontProperties(family=families), fallback_to_default=False) == available_chain("body")[0].file
    img = chart.category_totals_chart(suzhou, "2020-09")
    assert Path(img.path).read_bytes() == one


def test_suzhou_bulletin_carries_the_chart_page(suzhou, tmp_path):
    assert settings(suzhou).chart is True
    doc = bulletin.build(suzhou, "2020-11", Templates(suzhou.campaign.folder), [])
    att = doc.notice.attachments[0]
    assert any(isinstance(b, Image) for b in att.body)
    out = typeset(doc.notice)
    path = tmp_path / "b.pdf"
    path.write_bytes(out.pdf)
    with pdfplumber.open(path) as pdf:
        pages = [p for p in pdf.pages if p.images]
        assert len(pages) == 1
        page = pages[0]
        text = page.extract_text()
        assert "附件1" in text or "附件" in text
        img = page.images[0]
        # as wide as the 156 mm text block
        assert abs(pm.mm(img["x1"] - img["x0"]) - 156) < 1.5
    d = docx.Document(io.BytesIO(out.docx))
    assert len(d.inline_shapes) == 1


# ------------------------------------------------------------------ Word templates

@pytest.fixture(scope="module")
def june_word(xinfeng):
    doc = bulletin.build(xinfeng, "2023-06", Templates(xinfeng.campaign.folder), [])
    doc.word_template = "word/通报.docx"  # as documents.bulletin.word_template would name it
    t = typeset_doc(doc, xinfeng.campaign.folder)
    docx_bytes, pdf, pages = t.files["docx"], t.files["pdf"], t.pages
    return doc, docx_bytes, pdf, pages


def test_word_template_ranking_rows_equal_the_scores(xinfeng, june_word):
    doc, data, _, _ = june_word
    tables = docx_tables(data)
    assert len(tables) == len(xinfeng.campaign.categories)
    for cat, table in zip(xinfeng.campaign.categories, tables):
        expected = ranking_table(xinfeng, "2023-06", cat)
        assert table[0] == expected.header[0]
        assert table[1:] == expected.rows
        units = xinfeng.scores["2023-06"].category(cat)
        assert [r[1] for r in table[1:]] == [u.name for u in units]
        assert [Decimal(r[-1]) for r in table[1:]] == [u.total for u in units]
    paras = docx_paragraphs(data)
    assert "关于全县招大引强“百日攻坚”6月工作情况的通报" in paras
    assert "信开放办〔2023〕12号" in paras
    assert not any("{{" in p or "{%" in p for p in paras)


def test_word_template_columns_follow_the_cells(june_word):
    _, data, _, _ = june_word
    d = docx.Document(io.BytesIO(data))
    from docx.oxml.ns import qn

    for t in d.tables:
        cols = [int(c.get(qn("w:w"))) for c in t._tbl.find(qn("w:tblGrid")).findall(qn("w:gridCol"))]
        assert len(cols) == len(t.rows[0].cells)
        assert cols[1] > 2.5 * cols[2]  # 单位 stays wide, the score columns share the rest
        assert abs(sum(cols) / 56.7 - 156) < 2  # twips -> mm: the text-block width


def test_word_template_pdf_from_libreoffice(june_word, tmp_path):
    doc, data, pdf, pages = june_word
    if wordtpl.soffice() is None:
        pytest.skip("LibreOffice（soffice）未安装：Word 模板只生成 DOCX，不测 PDF")
    assert pdf is not None and pdf[:5] == b"%PDF-"
    path = tmp_path / "w.pdf"
    path.write_bytes(pdf)
    with pdfplumber.open(path) as p:
        assert len(p.pages) == pages >= 2
        text = "".join(pg.extract_text() or "" for pg in p.pages).replace(" ", "").replace("\n", "")
    assert "6月工作情况的通报" in text
    assert "高端装备制造产业招商小分队" in text
    assert b"/CreationDate" not in pdf
    assert wordtpl.pdf_via_libreoffice(data) == pdf  # a rebuild gives the same bytes


def test_word_template_without_libreoffice_says_so(xinfeng, june_word, monkeypatch, capsys):
    doc, data, _, _ = june_word
    monkeypatch.setattr(wordtpl, "soffice", lambda: None)
    t = typeset_doc(doc, xinfeng.campaign.folder)
    docx_bytes, pdf, pages = t.files["docx"], t.files["pdf"], t.pages
    assert pdf is None and pages == 0
    assert docx_bytes == data  # same input, same bytes
    assert f"未安装 LibreOffice，{doc.rel}.docx 只生成了 DOCX" in capsys.readouterr().err


def _tiny_template(path: Path, text: str) -> Path:
    d = docx.Document()
    d.add_paragraph(text)
    d.save(path)
    return path


def test_word_template_escapes_data_and_refuses_internals(tmp_path):
    tpl = _tiny_template(tmp_path / "t.docx", "{{ name }}：{{ amount|yi }}，{{ day }}")
    import datetime as dt

    out = wordtpl.fill(tpl, {"name": "A&B<公司>", "amount": Decimal("0.35"), "day": dt.date(2023, 6, 30)})
    assert docx_paragraphs(out)[0] == "A&B<公司>：3500万元，2023年6月30日"
    bad = _tiny_template(tmp_path / "bad.docx", "{{ name.__class__.__mro__ }}")
    with pytest.raises(UserError, match="试图访问程序内部|不存在的数据"):
        wordtpl.fill(bad, {"name": "x"})
    with pytest.raises(UserError, match="找不到 Word 模板"):
        wordtpl.resolve("word/没有这个.docx", tmp_path)
    assert wordtpl.resolve("word/通报.docx") == TEMPLATES_DIR / "word" / "通报.docx"


def test_example_template_is_reproducible(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("mwt", Path(__file__).resolve().parents[2] / "scripts" / "make_word_template.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.to_bytes(mod.build()) == (TEMPLATES_DIR / "word" / "通报.docx").read_bytes()
