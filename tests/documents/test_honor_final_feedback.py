"""The monthly 一马当先榜/奋起直追榜 document, the campaign-end 通报 and the
per-unit 得分反馈单, for both demo campaigns. Each document is built from the
computed scores, typeset, read back (python-docx; pdfplumber for the feedback
sheets' page count) and compared with the scores, lists and targets."""

from __future__ import annotations

import dataclasses
import io
from decimal import Decimal
from pathlib import Path, PurePosixPath

import docx
import pdfplumber
import pytest

from gongwen import INPUTS_DIR
from gongwen.campaign import compute, load_campaign
from gongwen.campaign.build import Rendered
from gongwen.documents import feedback, final, honor
from gongwen.documents import numbers as N
from gongwen.documents.kinds import build_kind
from gongwen.documents.templating import Templates
from gongwen.build.notices import typeset
from gongwen.writers.docx import docx_bytes

LEAD_HEAD = ["名次", "单位", "总分", "类别排名", "上榜依据"]


@pytest.fixture(scope="module")
def xf():
    c = compute(load_campaign(INPUTS_DIR / "xinfeng-2023"))
    return c, Templates(c.campaign.folder)


@pytest.fixture(scope="module")
def sz():
    c = compute(load_campaign(INPUTS_DIR / "suzhou-2020"))
    return c, Templates(c.campaign.folder)


def read_docx(data: bytes):
    d = docx.Document(io.BytesIO(data))
    tables = [[[cell.text for cell in row.cells] for row in t.rows] for t in d.tables]
    return [p.text for p in d.paragraphs], tables


def tables_with(tables, first_header_cell: str, ncols: int | None = None):
    return [t for t in tables if t[0][0] == first_header_cell and (ncols is None or len(t[0]) == ncols)]


# ------------------------------------------------------------------ 榜单

@pytest.fixture(scope="module")
def xf_lists(xf):
    c, templates = xf
    doc = honor.build(c, "2023-06", templates, [])
    data = docx_bytes(doc.notice)  # the PDF is typeset by the same tree; only the DOCX is read here
    return doc, data, *read_docx(data)


def test_lists_document_path_and_title(xf_lists):
    doc, data, paras, _ = xf_lists
    assert doc.rel == "2023-06/6月一马当先榜和奋起直追榜"
    assert doc.kind == "榜单" and doc.period == "2023-06"
    d = docx.Document(io.BytesIO(data))
    title = "".join(p.text for p in d.paragraphs if p.style.name == "标题").replace("\n", "")
    assert title == "关于公布全县招大引强“百日攻坚”6月“一马当先榜”和“奋起直追榜”的通报"
    assert "信丰县扩大开放工作领导小组办公室" in "".join(paras)


def test_lists_leader_tables_equal_the_lists(xf, xf_lists):
    c, _ = xf
    _, _, _, tables = xf_lists
    lists = c.lists["2023-06"]
    leader_tables = tables_with(tables, "名次")
    expected_cats = [cl for cl in lists.categories if cl.leaders]
    assert len(leader_tables) == len(expected_cats) == 3
    for table, cl in zip(leader_tables, expected_cats):
        assert table[0] == LEAD_HEAD
        got = [row[:4] for row in table[1:]]
        assert got == [[str(p), u.name, N.score(u.total), str(u.rank)] for p, u in cl.leaders]
        for row, (_, u) in zip(table[1:], cl.leaders):
            rec = honor.best_qualifying(c, u)
            # the fact that earned the place: a qualifying project of the unit, its enterprise and amount
            assert rec in u.qualifying
            assert row[4].startswith(str(rec["项目名称"]))
            assert str(rec["企业名称"]) in row[4] and N.yi(rec["投资额（亿元）"]) in row[4]
            assert rec["投资额（亿元）"] >= 1
            assert str(rec["签约类型"]) in row[4]


def test_lists_best_project_is_the_one_scored_for_signing_speed(xf):
    c, _ = xf
    for u in c.scores["2023-06"].units:
        if u.qualifying:
            earned = u.dimensions["比签约速度"].parts[0].earned
            assert honor.best_qualifying(c, u) is earned[0]


def test_lists_laggard_tables_equal_the_lists(xf, xf_lists):
    c, _ = xf
    _, _, paras, tables = xf_lists
    lists = c.lists["2023-06"]
    lag_tables = tables_with(tables, "类别排名")
    expected = [cl for cl in lists.categories if cl.laggards]
    assert len(lag_tables) == len(expected)
    for table, cl in zip(lag_tables, expected):
        assert table[0] == ["类别排名", "单位", "总分", "签约项目情况"]
        assert [r[:3] for r in table[1:]] == [[str(u.rank), u.name, N.score(u.total)] for u in cl.laggards]
        for row, u in zip(table[1:], cl.laggards):
            signed = c.data["2023-06"].rows("签约项目", u.name)
            assert not u.qualifying
            if signed:  # signed only projects under 1亿元: their number and total in 万元
                total = sum(Decimal(str(r["投资额（亿元）"])) for r in signed)
                assert row[3].startswith(f"签约项目{len(signed)}个") and N.yi(total) in row[3]
            else:
                assert row[3] == "无签约项目"
    # the text names every unit on both lists, and the condition as campaign.yaml words it
    text = "".join(paras)
    for cl in lists.categories:
        for u in cl.laggards:
            assert u.name in text
    assert "重大项目（投资额1亿元及以上）签约" in text


def test_lists_for_every_month_and_campaign(xf, sz):
    for c, templates in (xf, sz):
        docs = build_kind(honor.KIND, c, templates, Rendered().manifest)
        assert [d.period for d in docs] == list(c.scores)
        names = {d.rel for d in docs}
        assert len(names) == len(docs)
    c, templates = sz
    doc = honor.build(c, "2020-11", templates, [])
    assert doc.rel == "2020-11/11月招商引资先进单位和约谈提醒名单"
    paras, tables = read_docx(docx_bytes(doc.notice))
    lists = c.lists["2020-11"]
    leaders = [row[1] for t in tables_with(tables, "名次") for row in t[1:]]
    assert leaders == [u.name for cl in lists.categories for _, u in cl.leaders]
    laggards = [row[1] for t in tables_with(tables, "类别排名") for row in t[1:]]
    assert laggards == [u.name for cl in lists.categories for u in cl.laggards]
    assert "亿元以上合同项目签约" in "".join(paras)


# ------------------------------------------------------------ 活动总结通报

@pytest.fixture(scope="module")
def xf_final(xf):
    c, templates = xf
    docs = build_kind(final.KIND, c, templates, Rendered().manifest)
    assert len(docs) == 1
    data = docx_bytes(docs[0].notice)
    return docs[0], data, *read_docx(data)


def test_final_path_number_and_totals(xf, xf_final):
    c, _ = xf
    doc, t, paras, tables = xf_final
    assert doc.rel == "final/活动总结通报" and doc.period == "final"
    text = "".join(paras)
    assert "信开放办〔2023〕22号" in text  # documents.numbers.final
    assert "6月占60%、7月占20%、8月占20%" in text
    totals = tables_with(tables, "排名")
    assert len(totals) == len(c.campaign.categories)
    for table, cat in zip(totals, c.campaign.categories):
        assert table[0] == ["排名", "单位", "6月（60.0%）", "7月（20.0%）", "8月（20.0%）", "总分"]
        units = c.final.category(cat)
        assert [r[1] for r in table[1:]] == [u.name for u in units]
        for row, u in zip(table[1:], units):
            assert row[0] == str(u.rank) and row[-1] == N.score(u.total)
            assert row[2:5] == [N.score(u.monthly[m]) for m in c.campaign.months]
            weighted = sum(c.final.weights[m] * u.monthly[m] for m in c.campaign.months)
            assert abs(Decimal(row[-1]) - weighted) <= Decimal("0.005")


def test_final_targets_table(xf, xf_final):
    c, _ = xf
    _, _, paras, tables = xf_final
    [table] = tables_with(tables, "序号")
    assert table[0] == ["序号", "目标任务", "时段", "目标", "完成", "完成率", "达标单位"]
    assert len(table) - 1 == len(c.targets) == 8
    for row, t in zip(table[1:], c.targets):
        assert row[1] == t.name
        assert row[2] == ("活动期间" if t.period == "campaign" else N.month_cn(t.period))
        assert row[3] == f"{N.count(t.target)}{t.measure_word}" and row[4] == f"{N.count(t.done)}{t.measure_word}"
        assert row[5] == N.pct(t.done * 100 / t.target)
        assert row[6] == (f"{t.units_met}/{len(t.units)}" if t.units else "—")
    met = sum(1 for t in c.targets if t.met)
    assert f"{len(c.targets)}项目标任务中，{met}项完成目标" in "".join(paras)


def test_final_lists_and_default_commendation(xf, xf_final):
    c, _ = xf
    _, _, paras, tables = xf_final
    lists = c.lists["final"]
    leaders = [u.name for cl in lists.categories for _, u in cl.leaders]
    laggards = [u.name for cl in lists.categories for u in cl.laggards]
    assert [row[1] for t in tables_with(tables, "名次") for row in t[1:]] == leaders
    assert [row[1] for t in tables_with(tables, "类别排名") for row in t[1:]] == laggards
    praise = next(p for p in paras if "予以通报表扬" in p)
    blame = next(p for p in paras if "予以通报批评" in p)
    assert praise.startswith("对列入“一马当先榜”的" + "、".join(leaders))
    assert blame.startswith("对列入“奋起直追榜”的" + "、".join(laggards))
    assert not set(leaders) & set(laggards)


def test_final_commendation_from_campaign_yaml(xf):
    c, templates = xf
    docs_cfg = c.campaign.config.documents
    saved = dict(docs_cfg)
    try:
        docs_cfg["commend"] = ["对县商务局等单位予以通报表扬。", "希望受到表扬的单位再接再厉。"]
        docs_cfg["criticise"] = ["对县交通运输局予以通报批评。"]
        doc = final.build(c, templates, [])
    finally:
        docs_cfg.clear()
        docs_cfg.update(saved)
    paras, _ = read_docx(docx_bytes(doc.notice))
    for p in ("对县商务局等单位予以通报表扬。", "希望受到表扬的单位再接再厉。", "对县交通运输局予以通报批评。"):
        assert p in paras
    assert not any(p.startswith("对列入“") for p in paras)


def test_final_only_when_every_month_is_scored(xf):
    c, templates = xf
    partial = compute(c.campaign, {m: c.data[m] for m in c.campaign.months[:2]})
    assert partial.final is None
    assert build_kind(final.KIND, partial, templates, Rendered().manifest) == []
    assert len(build_kind(feedback.KIND, partial, templates, Rendered().manifest)) == 2 * len(c.campaign.roster)


def test_final_suzhou_rewards_and_ranks(sz):
    c, templates = sz
    [doc] = build_kind(final.KIND, c, templates, Rendered().manifest)
    paras, tables = read_docx(docx_bytes(doc.notice))
    lists = c.lists["final"]
    lead = tables_with(tables, "名次")
    assert all(t[0] == LEAD_HEAD + ["奖励"] for t in lead)
    rows = [row for t in lead for row in t[1:]]
    assert [(r[0], r[1], r[5]) for r in rows] == [
        (str(p), u.name, lists.rewards[p]) for cl in lists.categories for p, u in cl.leaders]
    assert any(r[5] == "奖励用地指标100亩" for r in rows)
    totals = tables_with(tables, "排名")
    assert [[r[1] for r in t[1:]] for t in totals] == [[u.name for u in c.final.category(cat)] for cat in c.campaign.categories]
    assert [row[1] for t in tables_with(tables, "序号") for row in t[1:]] == [t.name for t in c.targets]
    text = "".join(paras)
    assert "9月占20%、10月占30%、11月占50%" in text and "“招商引资先进单位”" in text


# ------------------------------------------------------------- 得分反馈单

def pdf_pages_text(data: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [(p.extract_text() or "").replace("\n", "") for p in pdf.pages]


def feedback_doc(c, templates, month, unit):
    [doc] = feedback.build(c, month, templates, [], units=[unit])
    assert doc.notice.meta["单位"] == unit
    return doc


@pytest.mark.parametrize("camp,month,unit", [
    ("xf", "2023-06", "高端装备制造产业招商小分队"),  # 一马当先, every kind of evidence
    ("xf", "2023-06", "县交通运输局"),  # reported nothing: every shortfall listed
    ("xf", "2023-07", "县商务局"),  # July: one workbook per unit
    ("sz", "2020-11", "埇桥区"),  # cumulative completion
    ("sz", "2020-11", "现代物流招商协作组"),  # dimensions not assessed, total rescaled
])
def test_feedback_fits_one_page(request, camp, month, unit):
    c, templates = request.getfixturevalue(camp)
    doc = feedback_doc(c, templates, month, unit)
    assert doc.rel == f"{month}/得分反馈单/{unit}"
    t = typeset(doc.notice)
    pages = pdf_pages_text(t.pdf)
    assert len(pages) == 1 and t.pages == 1
    u = c.scores[month].unit(unit)
    assert unit in pages[0] and f"总分{N.score(u.total)}分" in pages[0] and f"排第{u.rank}名" in pages[0]


def test_feedback_table_rows_are_the_scores(xf):
    c, templates = xf
    month = "2023-06"
    for name in ("高端装备制造产业招商小分队", "县交通运输局", "小河镇", "县商务局"):
        u = c.scores[month].unit(name)
        paras, tables = read_docx(docx_bytes(feedback_doc(c, templates, month, name).notice))
        [table] = tables
        assert table[0] == ["维度", "得分/满分", "得分依据", "未得分原因"]
        assert [r[0] for r in table[1:]] == c.campaign.dimensions
        for row, d in zip(table[1:], u.dimensions.values()):
            assert row[1] == f"{N.count(d.points)}/{N.count(d.max)}"
            for part in d.parts:
                for rec in part.earned:  # every record that earned points, with its sheet and row
                    label = str(rec.get("项目名称") or rec.get("目的地") or f"{rec['报送日期'].month}月{rec['报送日期'].day}日")
                    assert label in row[2]
                    assert f"{rec.source.sheet}第" in row[2] and str(rec.source.row) in row[2]
            if d.points == d.max:
                assert row[3] == "—"
            else:
                assert row[3] != "—"
        text = "".join(paras)
        assert f"在本类别{len(c.scores[month].category(u.category))}个单位中排第{u.rank}名" in text
        if u.label:
            assert {"一马当先": "“一马当先榜”", "奋起直追": "“奋起直追榜”"}[u.label] in text


def test_feedback_shows_what_was_lacking(xf):
    c, templates = xf
    _, [table] = read_docx(docx_bytes(feedback_doc(c, templates, "2023-06", "县交通运输局").notice))
    rows = {r[0]: r for r in table[1:]}
    part = c.scores["2023-06"].unit("县交通运输局").dimensions["比基础工作"].parts[0]
    assert part.missing == 2 and part.deduction == 20
    assert "应有2条，少2条，扣20分" in rows["比基础工作"][3]
    assert rows["比签约速度"][3] == "无符合“投资额（亿元）≥1”的签约项目记录"
    assert rows["比项目体量"][3] == "同上"
    assert all(r[2] == "—" for r in table[1:])


def test_feedback_records_from_several_files_name_the_file(xf):
    # August: the summary workbook plus a 信息报送.csv
    c, templates = xf
    for u in c.scores["2023-08"].units:
        files = feedback.cited_files(u)
        if len(files) > 1:
            _, [table] = read_docx(docx_bytes(feedback_doc(c, templates, "2023-08", u.name).notice))
            text = "".join(r[2] for r in table[1:])
            for f in files:
                assert PurePosixPath(f).name in text
            break
    else:
        pytest.fail("no unit cites rows from two report files in 2023-08")


def test_feedback_one_document_per_unit_and_month(sz):
    c, templates = sz
    docs = build_kind(feedback.KIND, c, templates, Rendered().manifest)
    assert len(docs) == len(c.scores) * len(c.campaign.roster)
    assert len({d.rel for d in docs}) == len(docs)
    assert all(d.kind == "得分反馈单" and d.rel.startswith(f"{d.period}/得分反馈单/") for d in docs)
    u = c.scores["2020-11"].unit("现代物流招商协作组")
    _, [table] = read_docx(docx_bytes(feedback_doc(c, templates, "2020-11", u.name).notice))
    rows = {r[0]: r for r in table[1:]}
    for d in u.dimensions.values():
        if not d.assessed:
            assert rows[d.name][1] == "不考核"
        else:
            part = d.parts[0]
            assert f"完成{N.count(part.done)}，目标{N.count(part.target)}" in rows[d.name][2]


# ------------------------------------------------------------ file names

@pytest.mark.parametrize("name", ["../../etc/passwd", "a/b\\c", "..", ".", "", "CON", "nul.txt", "县商务局:*?", " .隐藏 ",
                                  "𠮷" * 70, "../../../" + "长" * 100])
def test_safe_filename_stays_in_folder(tmp_path, name):
    from gongwen.filenames import STEM_BYTES, WINDOWS_RESERVED, safe_stem

    safe = safe_stem(name)
    assert safe and "/" not in safe and "\\" not in safe and not safe.startswith(".")
    assert safe.split(".")[0].upper() not in WINDOWS_RESERVED
    assert len(safe.encode("utf-8")) <= STEM_BYTES and safe_stem(name) == safe  # capped, and stable
    (tmp_path / f"{safe}（第12版）.docx").write_bytes(b"")  # the longest name a build makes from it is allowed
    assert (tmp_path / safe).resolve().parent == tmp_path.resolve()


def test_long_names_that_share_a_beginning_stay_apart():
    from gongwen.filenames import safe_stem

    a, b = "某" * 100 + "甲", "某" * 100 + "乙"
    assert safe_stem(a) != safe_stem(b)


def test_hostile_unit_name_stays_in_feedback_folder(xf):
    c, templates = xf
    score = c.scores["2023-06"]
    a, b = score.units[0], score.units[1]
    saved = (a.unit, b.unit)
    try:
        a.unit = dataclasses.replace(a.unit, name="../../出界")
        b.unit = dataclasses.replace(b.unit, name="..\\..\\出界")
        docs = feedback.build(c, "2023-06", templates, [])
    finally:
        a.unit, b.unit = saved
    rels = [d.rel for d in docs]
    assert len(set(rels)) == len(rels)
    base = Path("/out/2023-06/得分反馈单")
    for rel in rels:
        assert rel.startswith("2023-06/得分反馈单/") and rel.count("/") == 2
        assert (Path("/out") / f"{rel}.pdf").resolve().parent == base
    assert "2023-06/得分反馈单/_.._出界" in rels and "2023-06/得分反馈单/_.._出界（2）" in rels


def test_kinds_registered_in_order():
    from gongwen.documents.build import KINDS

    names = [k.name for k in KINDS]
    assert names.index("通报") < names.index("榜单") < names.index("得分反馈单") < names.index("活动总结")
    kinds = {k.name: k for k in KINDS}
    assert kinds["榜单"] is honor.KIND and kinds["得分反馈单"] is feedback.KIND and kinds["活动总结"] is final.KIND
