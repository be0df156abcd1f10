"""`build`: read and check everything, compute everything, render every file to
bytes, and only then write them (manifest.json last). Finished files wait in a
FileStore (large ones on disk in a private staging folder) until that write."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gongwen.campaign.folder import Campaign, load_campaign
from gongwen.campaign.intake import MonthData, intake
from gongwen.campaign.lists import Lists, final_lists, month_lists
from gongwen.campaign.manifest import MANIFEST_FILE, Manifest
from gongwen.campaign.results import SCORE_FILE, final_workbook, month_workbook
from gongwen.campaign.scoring import CampaignResult, MonthScore, campaign_result, score_month
from gongwen.campaign.submissions import Submissions, submissions
from gongwen.campaign.tables import Notice, notice
from gongwen.campaign.targets import TargetResult, targets
from gongwen.campaign.xlsxio import FileStore, write_all
from gongwen.errors import UserError

FINAL_DIR = "final"


@dataclass
class Computed:
    campaign: Campaign
    data: dict[str, MonthData]
    scores: dict[str, MonthScore]
    final: CampaignResult | None
    lists: dict[str, Lists]  # month or "final"
    targets: list[TargetResult]

    @property
    def warnings(self) -> list[str]:
        """Every warning as its Chinese line (each is also a Notice: see notices)."""
        return [w for md in self.data.values() for w in md.warnings]

    @property
    def notices(self) -> list[Notice]:
        """Every warning in structured form: file, sheet, row, column, value,
        message (and str() the whole line), for a caller to list before it
        writes anything, or to refuse (see strict)."""
        return [notice(w) for w in self.warnings]

    def submissions(self) -> Submissions:
        """报送情况: per month and unit, which sheets had rows; who sent nothing."""
        return submissions(self.campaign, self.data)


@dataclass
class Rendered:
    files: FileStore = field(default_factory=FileStore)  # target path -> bytes (large ones staged on disk)
    manifest: Manifest = field(default_factory=Manifest)


def compute(campaign: Campaign, data: dict[str, MonthData] | None = None, strict: bool = False,
            jobs: int | None = None) -> Computed:
    """Everything a build issues, computed. `strict`: any warning is an error
    (UserError listing problems and warnings alike), as intake(strict=True)."""
    if data is None:
        data = intake(campaign, jobs=jobs, strict=strict)
    elif strict:
        raise_warnings([w for md in data.values() for w in md.warnings])
    scores = {m: score_month(campaign, data, m) for m in campaign.months if m in data}
    final = campaign_result(campaign, data, scores)
    lists = {m: month_lists(campaign, s) for m, s in scores.items()}
    if final is not None:
        lists[FINAL_DIR] = final_lists(campaign, final)
    return Computed(campaign, data, scores, final, lists, targets(campaign, data))


def raise_warnings(warnings: list[str]) -> None:
    """Warnings turned into errors (strict): one UserError listing them all, if any."""
    if warnings:
        raise UserError(f"报表有 {len(warnings)} 处需要核对的地方（严格模式下按错误处理），未生成任何文件：",
                        list(warnings))


def check(folder: str | Path, strict: bool = False, jobs: int | None = None) -> Computed:
    """Read and check a campaign folder and compute everything, writing
    nothing: the check-only run. Problems raise UserError (with `strict`,
    warnings too); the result's notices and submissions() say what to look at."""
    campaign = load_campaign(folder)
    return compute(campaign, strict=strict, jobs=jobs)


def month_inputs(c: Computed, manifest: Manifest, month: str) -> list[str]:
    campaign = c.campaign
    base = [manifest.add_input(campaign.rel(p), p) for p in campaign.inputs]
    cumulative = any(p.rule == "completion" and p.period == "to_date"
                     for d in campaign.config.scoring.dimensions for p in d.parts)
    months = [m for m in campaign.months if m in c.data and (m == month or (cumulative and m < month))]
    return base + [manifest.add_input(campaign.rel(p), p) for m in months for p in c.data[m].files]


def render(c: Computed, out: Path) -> Rendered:
    out = Path(out)
    r = Rendered(manifest=Manifest(campaign=c.campaign.id))
    for month, score in c.scores.items():
        data = month_workbook(c.campaign, score)
        rel = f"{month}/{SCORE_FILE}"
        r.files[out / rel] = data
        r.manifest.add(rel, data, month_inputs(c, r.manifest, month), kind="得分明细", period=month)
    if c.final is not None:
        data = final_workbook(c.campaign, c.final)
        rel = f"{FINAL_DIR}/{SCORE_FILE}"
        r.files[out / rel] = data
        inputs = sorted({i for m in c.scores for i in month_inputs(c, r.manifest, m)})
        r.manifest.add(rel, data, inputs, kind="得分明细", period=FINAL_DIR)
    return r


LOCK_FILE = ".gongwen.lock"
LOCK_WAIT_S = 600


def write(r: Rendered, out: Path) -> list[Path]:
    """Write everything rendered and manifest.json, all or nothing, holding the
    output folder's lock so two builds of the same campaign never interleave."""
    from filelock import FileLock, Timeout

    files = r.files.raw() if isinstance(r.files, FileStore) else dict(r.files)  # staged files stay on disk
    files[Path(out) / MANIFEST_FILE] = r.manifest.to_bytes()
    Path(out).mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(str(Path(out) / LOCK_FILE), timeout=LOCK_WAIT_S):
            write_all(files)
    except Timeout:
        raise UserError(f"另一个生成任务正在写入 {out}，等了 {LOCK_WAIT_S} 秒仍未结束；请稍后再试") from None
    except OSError as exc:
        raise UserError(f"写出文件失败：{os_reason(exc)}。本次没有写出任何文件，{out} 里原有的文件保持不变，"
                        "也没有留下临时文件") from None
    return list(files)


def os_reason(exc: OSError) -> str:
    """An OSError in words for office staff."""
    import errno

    where = f"（{exc.filename}）" if exc.filename else ""
    reasons = {
        errno.ENOSPC: "磁盘空间已满，请腾出空间后重新运行",
        errno.EDQUOT: "超出了磁盘配额，请腾出空间后重新运行",
        errno.EACCES: "没有写入权限" + where,
        errno.EPERM: "没有写入权限" + where,
        errno.EROFS: "输出位置是只读的" + where,
        errno.ENAMETOOLONG: "文件名太长" + where,
    }
    return reasons.get(exc.errno, f"{exc.strerror or exc}{where}")


def build(folder: str | Path, out: str | Path, strict: bool = False) -> tuple[Computed, list[Path]]:
    campaign = load_campaign(folder)
    c = compute(campaign, strict=strict)
    if not c.scores:
        raise UserError(f"{campaign.rel(campaign.folder / 'reports')} 里还没有任何月份的报表，没有可生成的内容")
    rendered = render(c, Path(out))
    return c, write(rendered, Path(out))
