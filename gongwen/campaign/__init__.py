"""Campaign data: the campaign folder, intake and checks, scores, ranks, lists, targets.

The API the document builders use:

    campaign = load_campaign("inputs/xinfeng-2023")
    data = intake(campaign)                      # {month: MonthData}
    score = score_month(campaign, data, "2023-06")   # MonthScore, with evidence per part
    final = campaign_result(campaign, data, scores)  # CampaignResult | None
    month_lists(campaign, score), final_lists(campaign, final)
    targets(campaign, data, period="2023-06")
or all at once: compute(campaign) -> Computed.

Before issuing anything: check(folder, strict=False) reads, checks and
computes and writes nothing; Computed.notices lists every warning in
structured form (Notice: file, sheet, row, column, value, message);
strict=True turns warnings into errors; submissions(campaign, data) (or
Computed.submissions()) says who sent what, submissions_workbook() writes it
as 报送情况.xlsx (SUBMISSIONS_FILE).
"""

from gongwen.campaign.build import Computed, build, check, compute, render, write
from gongwen.campaign.folder import Campaign, Roster, Unit, load_campaign
from gongwen.campaign.intake import MonthData, intake
from gongwen.campaign.lists import Lists, final_lists, month_lists
from gongwen.campaign.manifest import Manifest
from gongwen.campaign.scoring import (
    CampaignResult,
    DimensionScore,
    FinalUnit,
    MonthScore,
    PartScore,
    UnitScore,
    campaign_result,
    record_label,
    score_month,
)
from gongwen.campaign.submissions import SUBMISSIONS_FILE, Submissions, UnitMonth, submissions, submissions_workbook
from gongwen.campaign.tables import Notice, Record, Source
from gongwen.campaign.targets import TargetResult, targets

__all__ = [
    "Campaign", "CampaignResult", "Computed", "DimensionScore", "FinalUnit", "Lists", "Manifest",
    "MonthData", "MonthScore", "PartScore", "Record", "Roster", "Source", "TargetResult", "Unit",
    "UnitScore", "build", "campaign_result", "compute", "final_lists", "intake", "load_campaign",
    "month_lists", "record_label", "render", "score_month", "targets", "write",
    "Notice", "SUBMISSIONS_FILE", "Submissions", "UnitMonth", "check", "submissions", "submissions_workbook",
]
