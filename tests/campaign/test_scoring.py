"""Every rule type of the reference campaign, against hand-computed points."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gongwen.campaign import campaign_result, intake, load_campaign, month_lists, score_month, targets
from gongwen.campaign.ranking import competition_ranks
from gongwen.campaign.values import round2

from campaign_helpers import report, sign, start, trip, write_xlsx


def score(folder, sheets, month="2023-06"):
    write_xlsx(folder / "reports" / f"{month}.xlsx", sheets)
    camp = load_campaign(folder)
    data = intake(camp)
    return camp, data, score_month(camp, data, month)


def dims(ms, unit):
    u = ms.unit(unit)
    return {k: v.points for k, v in u.dimensions.items()} | {"总分": u.total}


def test_signing_dimensions_take_the_best_qualifying_project(mini):
    _, _, ms = score(mini, {"签约项目": [
        sign("甲小分队", 2, etype="其他", industry="文旅", kind="意向性签约"),
        sign("甲小分队", 5, etype="世界500强", industry="新能源汽车配件", kind="合同文本送签"),
        sign("甲小分队", 0.5, etype="上市公司", industry="电子信息", kind="实质性签约"),  # under 1亿: ignored
    ]})
    d = dims(ms, "甲小分队")
    assert d["比签约速度"] == 12  # best of 意向性签约 12 and 合同文本送签 8
    assert d["比项目体量"] == 20  # 世界500强
    assert d["比项目质量"] == 18  # "新能源..." contains 新能源
    part = ms.unit("甲小分队").dimensions["比签约速度"].parts[0]
    assert [r["签约类型"] for r in part.earned] == ["意向性签约"]
    assert len(part.matched) == 2


def test_threshold_of_one_yi_is_inclusive(mini):
    _, _, ms = score(mini, {"签约项目": [
        sign("甲镇", 1, etype="头部企业", industry="农业深加工"),
        sign("乙镇", "0.99", etype="世界500强"),
    ]})
    assert dims(ms, "甲镇")["比签约速度"] == 20
    assert dims(ms, "甲镇")["比项目体量"] == 14
    assert dims(ms, "甲镇")["比项目质量"] == 12
    assert dims(ms, "乙镇")["比签约速度"] == 0
    assert ms.unit("甲镇").qualifying and not ms.unit("乙镇").qualifying


def test_other_industry_and_blank_industry_score_six(mini):
    row = sign("县甲局", 3, industry=None)
    _, _, ms = score(mini, {"签约项目": [row, sign("县乙局", 3, industry="纺织服装")]})
    assert dims(ms, "县甲局")["比项目质量"] == 6
    assert dims(ms, "县乙局")["比项目质量"] == 6


def test_start_types(mini):
    _, _, ms = score(mini, {"开工项目": [
        start("甲镇", "稳步推进"), start("甲镇", "举行开工仪式", amount=0.2), start("乙镇", "实质性开工"),
    ]})
    assert dims(ms, "甲镇")["比落地见效"] == 20  # 开工 has no amount threshold
    assert dims(ms, "乙镇")["比落地见效"] == 16
    assert dims(ms, "县甲局")["比落地见效"] == 0


@pytest.mark.parametrize("trips, reports, expected", [
    (2, [10, 20], 20),  # 10 + 10
    (3, [10, 20], 20),  # trips count at most 2
    (1, [10, 20], 5),   # 5 + 10 - 10 (one missing trip, double)
    (1, [], 0),         # 5 - 10 = -5, clamped to 0
    (0, [10, 20], 0),   # 0 + 10 - 20, clamped
    (2, [15], 15),      # the 15th counts for the first deadline
    (2, [16], 15),      # the 16th for the second
    (2, [3, 9], 15),    # two reports before the 15th count once
    (2, [30], 15),      # the last day of June
])
def test_basic_work_trips_reports_deduction_and_clamp(mini, trips, reports, expected):
    rows = [trip("甲镇", day=d + 1) for d in range(trips)] + [trip("甲镇", "否", day=25)]
    _, _, ms = score(mini, {"外出招商": rows, "信息报送": [report("甲镇", d) for d in reports]})
    assert dims(ms, "甲镇")["比基础工作"] == expected


def test_deduction_is_recorded_as_evidence(mini):
    _, _, ms = score(mini, {"外出招商": [trip("甲镇")], "信息报送": [report("甲镇", 2)]})
    dim = ms.unit("甲镇").dimensions["比基础工作"]
    trips = dim.parts[0]
    assert (trips.points, trips.missing, trips.deduction) == (5, 1, 10)
    assert "少 1 条，扣 10 分" in trips.note
    assert dim.raw == Decimal(0) and dim.points == 0
    assert dim.parts[2].points == 0 and not dim.parts[2].earned  # no report after the 15th


def test_monthly_total_is_the_sum_and_idle_units_score_zero(mini):
    _, _, ms = score(mini, {
        "签约项目": [sign("甲小分队", 10, etype="中国500强", industry="高端装备制造", kind="实质性签约")],
        "开工项目": [start("甲小分队", "举行开工仪式")],
        "外出招商": [trip("甲小分队", day=1), trip("甲小分队", day=2)],
        "信息报送": [report("甲小分队", 14), report("甲小分队", 29)],
    })
    assert dims(ms, "甲小分队") == {"比签约速度": 20, "比项目体量": 18, "比项目质量": 18, "比落地见效": 20,
                                   "比基础工作": 20, "总分": 96}
    assert ms.unit("乙小分队").total == 0  # nothing reported: still scored, deductions clamp at 0


def test_ranks_are_shared_and_skip_with_roster_order_for_ties():
    items = [("A", 50), ("B", 70), ("C", 50), ("D", 70), ("E", 10)]
    ranked = competition_ranks(items, lambda t: Decimal(t[1]), lambda t: "ABCDE".index(t[0]))
    assert [(r, t[0]) for r, t in ranked] == [(1, "B"), (1, "D"), (3, "A"), (3, "C"), (5, "E")]


def test_ranks_per_category_and_lists(mini):
    _, _, ms = score(mini, {
        "签约项目": [sign("乙镇", 1, kind="合同文本送签", etype="其他", industry="文旅"),
                     sign("甲镇", 1, kind="合同文本送签", etype="其他", industry="文旅"),
                     sign("县乙局", 2, kind="意向性签约", etype="其他", industry="文旅")],
        "开工项目": [start("甲小分队", "稳步推进")],
    })
    # 8 + 8 + 12, basic work clamps to 0 on its own
    assert (ms.unit("甲镇").total, ms.unit("乙镇").total) == (28, 28)
    assert [(u.rank, u.name) for u in ms.category("乡镇")] == [(1, "甲镇"), (1, "乙镇")]  # roster order
    assert [(u.rank, u.name) for u in ms.category("县直部门")] == [(1, "县乙局"), (2, "县甲局")]
    assert [(u.rank, u.name) for u in ms.category("专业招商小分队")] == [(1, "甲小分队"), (2, "乙小分队")]
    assert ms.unit("甲小分队").label == "奋起直追"  # no qualifying signed project


def test_tie_at_third_place_lists_every_tied_unit(tmp_path):
    from campaign_helpers import write_roster
    import shutil
    from campaign_helpers import XINFENG

    folder = tmp_path / "c"
    (folder / "reports").mkdir(parents=True)
    shutil.copy(XINFENG / "campaign.yaml", folder / "campaign.yaml")
    roster = [(f"镇{i}", "乡镇", "") for i in range(1, 7)] + [("队", "专业招商小分队", ""), ("局", "县直部门", "")]
    write_roster(folder, roster)
    kinds = ["实质性签约", "意向性签约", "合同文本送签", "合同文本送签", None, None]
    rows = [sign(f"镇{i + 1}", 2, etype="其他", industry="文旅", kind=k) for i, k in enumerate(kinds) if k]
    rows.append(sign("镇6", "0.5"))  # under 1亿: not qualifying
    _, _, ms = score(folder, {"签约项目": rows, "信息报送": [report("镇5", 2), report("镇5", 20)],
                              "外出招商": [trip("镇5", day=1), trip("镇5", day=2)]})
    totals = {u.name: u.total for u in ms.units if u.category == "乡镇"}
    assert totals == {"镇1": 40, "镇2": 32, "镇3": 28, "镇4": 28, "镇5": 20, "镇6": 0}
    lists = month_lists(load_campaign(folder), ms).category("乡镇")
    assert [(p, u.name) for p, u in lists.leaders] == [(1, "镇1"), (2, "镇2"), (3, "镇3"), (3, "镇4")]
    assert [u.name for u in lists.laggards] == ["镇5", "镇6"]
    assert [ms.unit(f"镇{i}").rank for i in range(1, 7)] == [1, 2, 3, 3, 5, 6]
    assert [ms.unit(f"镇{i}").label for i in range(1, 7)] == ["一马当先"] * 4 + ["奋起直追"] * 2


def test_leaders_rank_among_themselves(mini):
    # 乙镇 outscores 甲镇 without a qualifying project: 甲镇 still leads, placed 1st among leaders
    _, _, ms = score(mini, {
        "签约项目": [sign("甲镇", 1, kind="合同文本送签", etype="其他", industry="文旅")],
        "开工项目": [start("乙镇", "举行开工仪式")],
        "外出招商": [trip("乙镇", day=1), trip("乙镇", day=2)],
        "信息报送": [report("乙镇", 1), report("乙镇", 20)],
    })
    assert ms.unit("乙镇").rank == 1 and ms.unit("甲镇").rank == 2
    lists = month_lists(load_campaign(mini), ms).category("乡镇")
    assert [(p, u.name) for p, u in lists.leaders] == [(1, "甲镇")]
    assert [u.name for u in lists.laggards] == ["乙镇"]


def test_half_up_rounding():
    assert round2(Decimal("84.125")) == Decimal("84.13")
    assert round2(Decimal("2.675")) == Decimal("2.68")  # round(2.675, 2) gives 2.67 in binary floats
    assert round2(Decimal("0.005")) == Decimal("0.01")
    assert round2(Decimal("-0")) == 0


def _three_months(folder, rows_by_month):
    for m, rows in rows_by_month.items():
        write_xlsx(folder / "reports" / f"{m}.xlsx", rows)
    camp = load_campaign(folder)
    data = intake(camp)
    scores = {m: score_month(camp, data, m) for m in camp.months}
    return camp, data, scores, campaign_result(camp, data, scores)


def test_campaign_total_is_the_weighted_sum(mini):
    rows = {
        "2023-06": {"签约项目": [sign("甲镇", 3, etype="其他", industry="文旅", kind="意向性签约")]},  # 12+8+12 = 32
        "2023-07": {"开工项目": [start("甲镇", "稳步推进", month=7)]},  # 10
        "2023-08": {"信息报送": [report("甲镇", 1, month=8), report("甲镇", 31, month=8)]},  # 10 - 20 -> 0
    }
    camp, _, scores, final = _three_months(mini, rows)
    u = final.unit("甲镇")
    assert u.monthly == {"2023-06": 32, "2023-07": 10, "2023-08": 0}
    assert u.total == Decimal("21.20")  # 0.6*32 + 0.2*10 + 0.2*0
    assert sum(camp.weights.values()) == 1
    for v in final.units:
        assert v.total == round2(sum(camp.weights[m] * v.monthly[m] for m in camp.months))
    assert u.qualifying and u.label == "一马当先"
    assert final.unit("乙镇").label == "奋起直追"


def test_campaign_total_half_up_with_exact_weights(mini):
    text = (mini / "campaign.yaml").read_text(encoding="utf-8")
    text = text.replace("2023-06: 0.6", "2023-06: 0.125").replace("2023-07: 0.2", "2023-07: 0.375") \
        .replace("2023-08: 0.2", "2023-08: 0.5")
    (mini / "campaign.yaml").write_text(text, encoding="utf-8")
    rows = {
        "2023-06": {"签约项目": [sign("甲镇", 3, etype="其他", industry="文旅", kind="合同文本送签")]},  # 8+8+12 = 28
        "2023-07": {"开工项目": [start("甲镇", "稳步推进", month=7)]},  # 10 -> 3.75
        "2023-08": {},
    }
    rows["2023-08"] = {"开工项目": [start("乙镇", "稳步推进", month=8)]}
    _, _, _, final = _three_months(mini, rows)
    # 0.125*28 + 0.375*10 = 3.5 + 3.75 = 7.25
    assert final.unit("甲镇").total == Decimal("7.25")
    # 0.5*10 = 5
    assert final.unit("乙镇").total == Decimal("5.00")


def test_no_campaign_total_until_every_month_is_in(mini):
    write_xlsx(mini / "reports" / "2023-06.xlsx", {"信息报送": [report("甲镇", 2)]})
    camp = load_campaign(mini)
    data = intake(camp)
    scores = {m: score_month(camp, data, m) for m in data}
    assert list(scores) == ["2023-06"]
    assert campaign_result(camp, data, scores) is None


def test_targets_june(mini):
    write_xlsx(mini / "reports" / "2023-06.xlsx", {
        "在谈项目": [
            ["甲镇", "P1", "某上市甲", "上市公司", 3, "实质性谈判"],
            ["乙镇", "P2", "某上市甲", "上市公司", 3, "实质性谈判"],  # same enterprise: one 家
            ["乙镇", "P3", "某上市乙", "上市公司", 3, "初步接洽"],
            ["县甲局", "P4", "某头部", "头部企业", 3, "实质性谈判"],
        ],
        "签约项目": [sign("甲镇", 10), sign("乙镇", "9.99"), sign("县甲局", 12, etype="其他")],
    })
    camp = load_campaign(mini)
    res = {t.name: t for t in targets(camp, intake(camp), "2023-06")}
    t = res["上市公司进入实质性谈判"]
    assert (t.done, t.target, t.rate, t.complete) == (1, 10, Decimal("10.00"), True)
    assert res["签约上市公司项目"].done == 2
    assert res["签约10亿元以上项目"].done == 2
    each = res["各单位进入实质性谈判项目"]
    assert len(each.units) == 6 and each.units_met == 3
    assert {u.unit.name for u in each.units if u.met} == {"甲镇", "乙镇", "县甲局"}
