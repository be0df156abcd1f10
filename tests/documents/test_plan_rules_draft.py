"""The 实施方案 with its 印发通知, the 评比细则 generated from the scoring rules,
and draft-next. The plan is read back from its DOCX and PDF and compared with
campaign.yaml and with the computed scores; the rules text is regenerated
from altered configurations to see each number follow the config; draft-next
writes a folder that loads and a 征求意见稿 whose placeholders are highlighted."""

from __future__ import annotations

import io
import math
import re
from decimal import Decimal
from types import SimpleNamespace

import docx
import pdfplumber
import pytest
import yaml
from click.testing import CliRunner

from gongwen import INPUTS_DIR
from gongwen.campaign import Computed, compute, load_campaign
from gongwen.cli import main
from gongwen.documents import plan, rules
from gongwen.documents.build import KINDS
from gongwen.documents.templating import Templates
from gongwen.build.notices import typeset
from gongwen.writers.docx import docx_bytes

CN_DIGITS = "一二三四五六七八九十"


def paragraphs(data: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


def pdf_pages(data: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [(p.extract_text() or "") for p in pdf.pages]


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def xinfeng():
    c = compute(load_campaign(INPUTS_DIR / "xinfeng-2023"))
    doc = plan.build(c, Templates(c.campaign.folder), [])
    return c, doc, typeset(doc.notice)


@pytest.fixture(scope="module")
def suzhou():
    # The plan needs no reports: a campaign without data, and only the DOCX is read back.
    c = Computed(load_campaign(INPUTS_DIR / "suzhou-2020"), {}, {}, None, {}, [])
    doc = plan.build(c, Templates(c.campaign.folder), [])
    return c, doc, SimpleNamespace(docx=docx_bytes(doc.notice))


# ------------------------------------------------------------------ the plan document

def test_notice_is_the_seed_002_issuance(xinfeng):
    c, doc, out = xinfeng
    paras = paragraphs(out.docx)
    text = "\n".join(paras)
    assert "关于印发《全县招大引强“百日攻坚”工作方案》的通知" in flat(text)
    assert "信办字〔2023〕31号" in text
    assert "经县委、县政府研究同意，现将《全县招大引强“百日攻坚”工作方案》印发给你们，请认真贯彻落实。" in paras
    assert "各乡（镇）党委、人民政府，县委各部门，县直、驻县各单位，各人民团体：" in paras
    # joint issuance: both offices sign, the date under them
    assert "中共信丰县委办公室" in text and "信丰县人民政府办公室" in text
    assert "2023年5月30日" in text
    assert doc.rel == "plan/全县招大引强“百日攻坚”工作方案" and doc.period == "plan"
    # the plan is attachment 1, the 细则 inside it (as in the original)
    assert [a.title for a in doc.notice.attachments] == ["全县招大引强“百日攻坚”工作方案"]


def test_plan_sections_in_order(xinfeng):
    _, _, out = xinfeng
    heads = [p for p in paragraphs(out.docx) if re.match(rf"^[{CN_DIGITS}]、", p)]
    plan_heads = heads[:heads.index("一、评比内容及评分办法")]
    assert plan_heads == ["一、指导思想", "二、目标任务", "三、实施步骤", "四、主要措施", "五、有关要求"]


def test_targets_written_from_config(xinfeng):
    c, _, out = xinfeng
    text = "\n".join(paragraphs(out.docx))
    for t in c.campaign.config.targets:
        value = f"{t.target.normalize():f}"
        phrase = (f"{t.name}每个单位{value}{t.measure_word}以上" if t.scope == "unit"
                  else f"{t.name}{value}{t.measure_word}以上")
        assert phrase in text, phrase
    # each month's targets sit in that month's paragraph
    june = next(p for p in paragraphs(out.docx) if "招大引强攻坚月" in p and "任务为" in p)
    assert "签约10亿元以上项目10个以上" in june
    assert next(p for p in paragraphs(out.docx) if p.startswith("7月任务为")).count("以上") >= 2


def test_steps_dated_from_months(xinfeng):
    c, _, out = xinfeng
    paras = paragraphs(out.docx)
    steps = [p for p in paras if re.match(r"^（[一二三四]）\d+月（", p)]
    assert [p[3:p.index("（", 3)] for p in steps] == [f"{int(m[5:])}月" for m in c.campaign.months]
    assert steps[0].startswith("（一）6月（2023年6月1日至6月30日）")
    assert "2023年7月2日前评比通报，占活动总分的60%" in steps[0]
    assert any(p.startswith("（四）总结评比阶段（2023年9月2日前）") for p in paras)


def test_rules_follow_the_scoring_config(xinfeng):
    c, _, out = xinfeng
    paras = paragraphs(out.docx)
    cfg = c.campaign.config
    for i, d in enumerate(cfg.scoring.dimensions):
        heading = f"（{CN_DIGITS[i]}）{d.name}（{d.max.normalize():f}分）"
        assert heading in paras
        body = paras[paras.index(heading) + 1: paras.index(heading) + 6]
        for part in d.parts:
            for value, points in part.table.items():
                assert any(f"{value}{points.normalize():f}分" in p for p in body), (d.name, value)
    assert "实行每月基础分100分，活动总分按各月得分加权计算：6月占60%，7月、8月各占20%。评比内容和评分办法如下。" in paras
    assert any("每月至少2次，每少1次扣10分" in p for p in paras)
    assert any("投资额1亿元及以上" in p for p in paras)
    assert any("前3名列入“一马当先榜”" in p and "列入“奋起直追榜”" in p for p in paras)


def test_published_points_agree_with_computed_scores(xinfeng):
    """For every unit and month: the points the scoring gave for its best record
    are the points the printed 细则 states for that record's value."""
    c, _, out = xinfeng
    text = "\n".join(paragraphs(out.docx))
    checked = 0
    for month, score in c.scores.items():
        for unit in score.units:
            for dim_cfg in c.campaign.config.scoring.dimensions:
                for part_cfg, part in zip(dim_cfg.parts, unit.dimensions[dim_cfg.name].parts):
                    if part_cfg.rule != "best" or not part.earned:
                        continue
                    value = str(part.earned[0].get(part_cfg.column))
                    key = next((k for k in part_cfg.table if k == value or (part_cfg.match == "contains" and k in value)), None)
                    printed = f"{key}{part.points.normalize():f}分" if key else f"其他{part.points.normalize():f}分"
                    assert printed in text, (month, unit.name, dim_cfg.name, value)
                    checked += 1
    assert checked > 20


def test_rules_page_starts_with_attachment_mark(xinfeng):
    _, _, out = xinfeng
    pages = pdf_pages(out.pdf)
    start = next(i for i, t in enumerate(pages) if flat(t).startswith("附件招大引强“百日攻坚”工作评比细则"))
    assert start > 1
    # the page before ends the plan with its 附件 line; the 细则 runs to the end
    assert "附件：招大引强“百日攻坚”工作评比细则" in flat(pages[start - 1])
    assert "三、排名和榜单" not in flat("".join(pages[:start]))
    assert "评比内容及评分办法" in flat(pages[start])


def test_suzhou_rules_as_second_attachment(suzhou):
    c, doc, out = suzhou
    assert [a.title for a in doc.notice.attachments] == ["宿州市招商引资“百日竞赛”活动实施方案",
                                                          "宿州市招商引资“百日竞赛”活动评比细则"]
    paras = [p.replace("\t", "") for p in paragraphs(out.docx)]
    assert "附件：1.宿州市招商引资“百日竞赛”活动实施方案" in paras
    assert "2.宿州市招商引资“百日竞赛”活动评比细则" in paras
    assert "附件2" in paras
    text = "\n".join(paras)
    # completion targets per category, and the categories not assessed
    assert "目标为县区10个、市管园区6个，市直招商协作组不考核此项" in text
    assert "第1名奖励用地指标100亩，第2名奖励用地指标80亩，第3名奖励用地指标50亩" in text
    assert "该类别总分按已考核项目折算为100分制" in text
    assert "9月占20%，10月占30%，11月占50%" in text
    assert "宿招组办〔2020〕4号" in text


def test_plan_is_the_first_builder():
    assert KINDS[0].name == "实施方案"


# ------------------------------------------------------------------ rules unit tests

@pytest.fixture(scope="module")
def cfg():
    return load_campaign(INPUTS_DIR / "xinfeng-2023").config


def text_of(config) -> str:
    return "\n".join(rules.describe(config).paragraphs())


def test_points_table_change_shows(cfg):
    c2 = cfg.model_copy(deep=True)
    assert "实质性签约20分、意向性签约12分、合同文本送签8分" in text_of(cfg)
    c2.scoring.dimensions[0].parts[0].table["实质性签约"] = Decimal(17)
    assert "实质性签约17分、意向性签约12分" in text_of(c2)


def test_deduction_and_required_change_shows(cfg):
    c2 = cfg.model_copy(deep=True)
    part = c2.scoring.dimensions[4].parts[0]
    part.required, part.deduct_per_missing, part.each, part.max_count = 3, Decimal(7), Decimal(4), 5
    t = text_of(c2)
    assert "每月至少3次，每少1次扣7分" in t and "每次4分，最多计5次" in t


def test_filter_and_weights_change_shows(cfg):
    c2 = cfg.model_copy(deep=True)
    c2.filters["重大项目"][0].min = Decimal("0.5")
    c2.months = {"2023-06": Decimal("0.5"), "2023-07": Decimal("0.3"), "2023-08": Decimal("0.2")}
    t = text_of(c2)
    assert "重大项目（投资额5000万元及以上）" in t and "投资额1亿元" not in t
    assert "6月占50%，7月占30%，8月占20%" in t


def test_lists_and_targets_change_shows(cfg):
    c2 = cfg.model_copy(deep=True)
    c2.lists.leaders.places = 5
    c2.targets[0].target = Decimal(12)
    r = rules.describe(c2)
    assert "前5名列入“一马当先榜”（第5名并列的全部列入）" in "".join(r.lists)
    assert "上市公司进入实质性谈判12家以上" in r.targets[0].items


def test_pending_targets_print_placeholder(cfg):
    r = rules.describe(cfg, pending=["targets[1]"])
    june = r.targets[0].items
    assert june[0] == "上市公司进入实质性谈判**家以上"
    assert june[1] == "签约上市公司项目4个以上"


# ------------------------------------------------------------------ draft-next

def run(*args):
    return CliRunner().invoke(main, ["draft-next", *map(str, args)])


@pytest.fixture(scope="module")
def drafted(tmp_path_factory):
    out = tmp_path_factory.mktemp("next") / "xinfeng-2024"
    res = run(INPUTS_DIR / "xinfeng-2023", "--year", 2024, "--growth", "10%", "--out", out,
              "--deadline", "2023-12-15", "--contact", "王邦力 18720888958", "--date", "2023-12-01")
    return out, res


def test_draft_folder_loads_with_dates_moved(drafted):
    out, res = drafted
    assert res.exit_code == 0, res.output
    camp = load_campaign(out)
    old = load_campaign(INPUTS_DIR / "xinfeng-2023")
    assert camp.id == "xinfeng-2024"
    assert camp.months == ["2024-06", "2024-07", "2024-08"]
    assert list(camp.weights.values()) == list(old.weights.values())
    assert [t.period for t in camp.config.targets] == [t.period.replace("2023", "2024") for t in old.config.targets]
    assert (out / "units.xlsx").read_bytes() == (INPUTS_DIR / "xinfeng-2023" / "units.xlsx").read_bytes()
    assert not any((out / "reports").iterdir())
    docs = camp.config.documents
    assert docs["plan"]["number"] == "信办字〔2024〕**号"
    assert str(docs["plan"]["date"]) == "2024-05-30"
    assert docs["numbers"]["2024-06"] == "信开放办〔2024〕**号"
    assert (out / "campaign.yaml").read_text(encoding="utf-8").startswith("# 由 draft-next 根据")


def test_draft_targets_grown_and_listed(drafted):
    out, res = drafted
    new = load_campaign(out).config.targets
    old = load_campaign(INPUTS_DIR / "xinfeng-2023").config.targets
    for o, n in zip(old, new):
        assert n.target == math.ceil(o.target * Decimal("1.1"))
        assert f"{o.name}（{n.period}）：{o.target.normalize():f}{o.measure_word} → {n.target.normalize():f}{n.measure_word}" \
            in res.output
    assert load_campaign(out).config.documents["draft"]["pending"] == []


def test_draft_notice_shape(drafted):
    out, _ = drafted
    files = sorted((out / "征求意见稿").iterdir())
    assert [f.suffix for f in files] == [".docx", ".pdf"]
    paras = paragraphs(files[0].read_bytes())
    text = "\n".join(paras)
    assert "关于征求《全县招大引强“百日攻坚”工作方案（征求意见稿）》意见的通知" in flat(text)
    assert any("于2023年12月15日前将书面意见反馈至" in p for p in paras)
    assert any(p.startswith("联系人：王邦力") and "电话：18720888958" in p for p in paras)
    assert "（征求意见稿）" in paras  # the subtitle under the attached plan's title
    assert "2023年12月1日" in text
    # the plan inside carries next year's dates and the grown targets
    assert any(p.startswith("（一）6月（2024年6月1日至6月30日）") for p in paras)
    assert "上市公司进入实质性谈判11家以上" in text
    pdf = flat("".join(pdf_pages(files[1].read_bytes())))
    assert "（征求意见稿）" in pdf and "2024年6月1日" in pdf


def test_draft_refuses_existing_folder(drafted):
    out, _ = drafted
    before = (out / "campaign.yaml").read_bytes()
    res = run(INPUTS_DIR / "xinfeng-2023", "--year", 2024, "--out", out)
    assert res.exit_code == 2
    assert "已存在" in res.output and "--force" in res.output
    assert (out / "campaign.yaml").read_bytes() == before


def test_draft_without_growth_leaves_highlighted_placeholders(tmp_path):
    out = tmp_path / "suzhou-2021"
    res = run(INPUTS_DIR / "suzhou-2020", "--year", 2021, "--out", out, "--fixed", "新增合同项目", "--date", "2020-12-01")
    assert res.exit_code == 0, res.output
    camp = load_campaign(out)
    pending = camp.config.documents["draft"]["pending"]
    # every target but the fixed one awaits a value; completion targets of the scoring too
    assert "targets[3]" not in pending
    assert {f"targets[{i}]" for i in (1, 2, 4, 5, 6, 7)} <= set(pending)
    assert "scoring.dimensions[2].parts[1].target" in pending
    assert "待定" in res.output and "新增合同项目（活动期间）" in res.output
    docx_file = next((out / "征求意见稿").glob("*.docx"))
    d = docx.Document(str(docx_file))
    text = "\n".join(p.text for p in d.paragraphs)
    assert "新增合同项目县区30个以上、市管园区20个以上、市直招商协作组1个以上" in text
    assert "投资5000万元以上项目线索县区**条以上" in text
    assert "（2021年9月上旬）" in text  # prose dates moved too
    marked = [r for p in d.paragraphs for r in p.runs if r.text == "**"]
    assert marked and all(r.font.highlight_color is not None for r in marked)
    assert "电话：**" in text  # no contact given: a visible placeholder
    y = yaml.safe_load((out / "campaign.yaml").read_text(encoding="utf-8"))
    assert y["documents"]["plan"]["number"] == "宿招组办〔2021〕**号"
