"""`build`: read and check everything, compute everything, render every file to
bytes, and only then write them (manifest.json last). Finished files wait in a
FileStore (large ones on disk in a private staging folder) until that write."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from gongwen.campaign.folder import Campaign, load_campaign
from gongwen.campaign.intake import MonthData, intake
from gongwen.campaign.lists import Lists, final_lists, month_lists
from gongwen.campaign.manifest import MANIFEST_FILE, REGISTER_NOTE, Manifest
from gongwen.campaign.results import SCORE_FILE, final_workbook, month_workbook
from gongwen.campaign.scoring import CampaignResult, MonthScore, campaign_result, score_month
from gongwen.campaign.submissions import SUBMISSIONS_FILE, Submissions, submissions, submissions_workbook
from gongwen.campaign.tables import Notice, notice
from gongwen.campaign.targets import TargetResult, targets
from gongwen.campaign.xlsxio import FileStore
from gongwen.errors import UserError, os_reason

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
    # after write(): files an earlier build wrote that this one did not, removed;
    # files of an earlier build edited since (kept); files no build wrote (kept)
    removed: list[str] = field(default_factory=list)
    edited: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)  # a write a crash interrupted, finished or undone first


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
    # 报送情况: who sent what, for the office to look at before it issues anything
    data = submissions_workbook(c.campaign, c.submissions())
    inputs = sorted({i for m in c.scores for i in month_inputs(c, r.manifest, m)})
    r.files[out / SUBMISSIONS_FILE] = data
    r.manifest.add(SUBMISSIONS_FILE, data, inputs, kind="报送情况", period="all")
    return r


LOCK_FILE = ".gongwen.lock"
LOCK_WAIT_S = 600


def write(r: Rendered, out: Path, commit=None, register: Path | None = None,
          extra: dict[Path, bytes] | None = None) -> list[Path]:
    """Write everything rendered and manifest.json, all or nothing, holding the
    output folder's lock so two builds of the same campaign never interleave.
    A write a crash interrupted is finished or undone first (r.recovered says
    which). `commit(token)`: the register's transaction, run once every file
    is in place (see gongwen.campaign.journal); `extra`: files written with
    the others but not listed in manifest.json (the register's note)."""
    from gongwen.campaign.journal import write_files

    out = Path(out)
    files = r.files.raw() if isinstance(r.files, FileStore) else dict(r.files)  # staged files stay on disk
    files[out / r.manifest.folder / MANIFEST_FILE] = r.manifest.to_bytes()
    files.update(extra or {})
    try:
        with folder_lock(out):
            r.recovered += recover_folder(out)
            stale = earlier_files(out, r)
            folder = out / r.manifest.folder
            write_files(files, out, commit=commit, register=register,
                        stale={(folder / p).relative_to(out).as_posix(): h for p, h in stale.items()},
                        finish=lambda: remove_stale(folder, stale, r))
    except OSError as exc:
        raise UserError(f"写出文件失败：{os_reason(exc)}。本次没有写出任何文件，{out} 里原有的文件保持不变，"
                        "也没有留下临时文件") from None
    return list(files)


@contextmanager
def folder_lock(out: Path) -> Iterator[None]:
    """The output folder's lock (made if missing): one build writes into it at a time."""
    from filelock import FileLock, Timeout

    Path(out).mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(str(Path(out) / LOCK_FILE), timeout=LOCK_WAIT_S):
            yield
    except Timeout:
        raise UserError(f"另一个生成任务正在写入 {out}，等了 {LOCK_WAIT_S} 秒仍未结束；请稍后再试") from None


def recover_folder(out: Path) -> list[str]:
    """A write into `out` a crash interrupted, finished or undone (the caller
    holds the folder's lock); staging folders killed builds left in the
    system's temporary folder removed. Chinese lines saying what was done."""
    from gongwen.campaign.journal import recover
    from gongwen.campaign.xlsxio import sweep_staging

    sweep_staging()
    return recover(out) if Path(out).is_dir() else []


def recover_locked(out: Path, sweep: bool = True) -> list[str]:
    """recover_folder under the folder's lock, for commands that only read the
    folder (issue; verify with sweep=False: only a journal is acted on, stray
    temporary files stay for verify to list, and without a journal the folder
    is not even locked)."""
    from gongwen.campaign.journal import JOURNAL, recover

    if not Path(out).is_dir() or (not sweep and not (Path(out) / JOURNAL).is_file()):
        return []
    with folder_lock(out):
        return recover_folder(out) if sweep else recover(out, sweep=False)


def earlier_files(out: Path, r: Rendered) -> dict[str, str]:
    """Files the earlier build into this folder wrote (its manifest.json says
    which, with their SHA-256) that this build does not write: path under the
    manifest's folder -> the hash that build wrote. An unreadable manifest
    gives none (nothing is removed on a guess)."""
    import json

    folder = out / r.manifest.folder
    try:
        earlier = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
        entries = {e["path"]: e["sha256"] for e in earlier["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    now = {r.manifest.relative(p) for p in r.manifest.files}
    return {p: h for p, h in entries.items() if p not in now and _inside(folder, p)}


def _inside(folder: Path, rel: str) -> bool:
    """A manifest path that names a file inside `folder` (no .., no absolute path)."""
    if not rel or Path(rel).is_absolute() or ".." in Path(rel).parts:
        return False
    return (folder / rel).resolve().is_relative_to(folder.resolve())


def remove_stale(folder: Path, stale: dict[str, str], r: Rendered) -> None:
    """The output folder belongs to the build: files an earlier build wrote
    that this one did not are removed, unless edited since (then kept and
    listed); files no build wrote are left alone and listed. Folders left
    empty go too."""
    from gongwen.campaign.journal import JOURNAL, remove_empty_parents
    from gongwen.campaign.manifest import sha256

    own = {r.manifest.relative(p) for p in r.manifest.files} | {MANIFEST_FILE, LOCK_FILE, JOURNAL, REGISTER_NOTE}
    for rel, digest in sorted(stale.items()):
        path = folder / rel
        if not path.is_file():
            continue
        if sha256(path.read_bytes()) != digest:
            r.edited.append(rel)
            continue
        path.unlink()
        r.removed.append(rel)
        remove_empty_parents(path, folder)
    known = own | set(r.edited)
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_file() and rel not in known and not p.name.endswith((".tmp", ".part")) \
                and not rel.startswith(tuple(f"{d}/" for d in own_subfolders(folder, r))):
            r.foreign.append(rel)


def own_subfolders(folder: Path, r: Rendered) -> list[str]:
    """Subfolders that hold a manifest of their own (annual/ written by `annual`): another build's files."""
    return [p.parent.relative_to(folder).as_posix() for p in folder.glob(f"*/{MANIFEST_FILE}")
            if p.parent.name != r.manifest.folder]


def build(folder: str | Path, out: str | Path, strict: bool = False) -> tuple[Computed, list[Path]]:
    campaign = load_campaign(folder)
    c = compute(campaign, strict=strict)
    if not c.scores:
        raise UserError(f"{campaign.rel(campaign.folder / 'reports')} 里还没有任何月份的报表，没有可生成的内容")
    rendered = render(c, Path(out))
    return c, write(rendered, Path(out))
