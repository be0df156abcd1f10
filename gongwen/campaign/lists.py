"""一马当先榜 and 奋起直追榜 (names and places from campaign.yaml `lists`).

Leaders: in each category, the units with at least one qualifying record, ranked
among themselves by total with shared places; places 1..N are listed (a tie at
place N lists every tied unit). Laggards: every unit without one, in rank order."""

from __future__ import annotations

from dataclasses import dataclass, field

from gongwen.campaign.folder import Campaign
from gongwen.campaign.ranking import competition_ranks


@dataclass
class CategoryLists:
    category: str
    leaders: list[tuple[int, object]] = field(default_factory=list)  # (place, UnitScore | FinalUnit)
    laggards: list[object] = field(default_factory=list)


@dataclass
class Lists:
    period: str  # YYYY-MM or "final"
    leaders_name: str
    laggards_name: str
    categories: list[CategoryLists]
    rewards: dict[int, str] = field(default_factory=dict)  # place -> reward text

    def category(self, name: str) -> CategoryLists:
        return next(c for c in self.categories if c.category == name)


def _lists(campaign: Campaign, period: str, units) -> Lists:
    cfg = campaign.config.lists
    out = Lists(period, cfg.leaders.name, cfg.laggards.name, [], dict(cfg.leaders.rewards))
    for cat in campaign.categories:
        members = [u for u in units if u.category == cat]
        cl = CategoryLists(cat)
        with_q = [u for u in members if u.qualifying]
        for place, u in competition_ranks(with_q, lambda u: u.total, lambda u: u.unit.order):
            if place <= cfg.leaders.places:
                cl.leaders.append((place, u))
        cl.laggards = sorted((u for u in members if not u.qualifying), key=lambda u: (u.rank, u.unit.order))
        out.categories.append(cl)
    return out


def _label(campaign: Campaign, lists: Lists, units) -> None:
    cfg = campaign.config.lists
    for u in units:
        u.label = ""
    for cl in lists.categories:
        for _, u in cl.leaders:
            u.label = cfg.leaders.label
        for u in cl.laggards:
            u.label = cfg.laggards.label


def month_lists(campaign: Campaign, score) -> Lists:
    """Lists of one month from a MonthScore."""
    return _lists(campaign, score.month, score.units)


def final_lists(campaign: Campaign, result) -> Lists:
    """Campaign-end lists from a CampaignResult: campaign totals, qualifying records over the period."""
    return _lists(campaign, "final", result.units)


def label_month(campaign: Campaign, score) -> None:
    _label(campaign, month_lists(campaign, score), score.units)


def label_final(campaign: Campaign, result) -> None:
    _label(campaign, final_lists(campaign, result), result.units)
