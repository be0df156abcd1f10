"""发文登记: the register of issued document numbers, one SQLite file
(<campaign>/发文登记.sqlite unless --register names another).

A build makes drafts; staff issue them. The register reserves a number for
every numbered document the first time it is built (a draft: state
'draft', version 0, the files of the latest build at version 0); a rebuild
of a draft keeps its number and simply replaces its files and hashes, with
no --reissue and no （第N版） copy. `issue()` (the `issue` command,
gongwen.build.issue_documents) locks drafts as issued: version 1, a row in
versions, the files' hashes. From then on the document refuses to change
without --reissue, as before.

A build asks the register twice:

1. `assign()` right after the documents are collected, before typesetting
   (the number is printed in the document): a document whose 发文字号 is
   `auto` (documents.numbers: auto with documents.number_pattern, or a
   pattern with {n} written directly) gets its registered number if its
   identity (campaign, kind, period) was registered before, else the next
   free sequence number for (organ, pattern, year). Numbers given twice, or
   already issued to another document, are refused before anything is typeset.
2. `write_registered()` once every file is rendered: under the register's
   lock it checks again (another build may have issued meanwhile), refuses to
   overwrite an issued document whose bytes changed unless --reissue (then the
   old files are kept beside the new ones as ……（第1版）.pdf, and the new
   version is recorded as issued at once: --reissue is the act of issuing),
   writes all files (campaign.build.write, all or nothing, with a journal)
   and, once every file is in place, records the drafts' numbers, titles,
   dates and SHA-256 of the files in one transaction that also marks the
   write's journal committed: after a crash the next run finds folder and
   register both as before or both as after (gongwen.campaign.journal).

Numbers compare by number_key (full-width, spaces, brackets, leading zeros
folded). A register that is damaged (empty, truncated, failing SQLite's
quick_check, not a register) or missing beside its backup is refused with
how to restore it, never recreated; every write is followed by a backup
(SQLite's backup API) to 发文登记.sqlite.备份. issued_check() is verify's
check of issued documents against the register.

Schema versions (PRAGMA user_version): 1, the first, had no `state`: every
row was issued; 2 adds issued.state. Opening an older register migrates it
in place, its rows counting as issued.

Everything the register stores is derived from the documents (issued_at is
the 成文日期), so the same build gives the same register."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from gongwen.campaign.journal import mark_committed
from gongwen.campaign.manifest import REGISTER_NOTE, sha256
from gongwen.errors import UserError

REGISTER_FILE = "发文登记.sqlite"
BACKUP_SUFFIX = ".备份"
LOCK_WAIT_S = 600
AUTO = "auto"
SEQ = "{n}"
YEAR = "{year}"

SCHEMA = """
CREATE TABLE IF NOT EXISTS issued (          -- one row per document, its current version
    identity   TEXT PRIMARY KEY,             -- campaign/kind/period (+ /rel when a build has several)
    campaign   TEXT NOT NULL,
    kind       TEXT NOT NULL,
    period     TEXT NOT NULL,
    organ      TEXT NOT NULL,                -- 发文机关 (the lead organ of a joint issuance)
    year       INTEGER,                      -- the number's year
    code       TEXT,                         -- 机关代字, e.g. 信开放办
    seq        INTEGER,                      -- the number's sequence, e.g. 12
    number     TEXT NOT NULL,                -- 发文字号 as printed
    auto       INTEGER NOT NULL,             -- 1: assigned by the register
    title      TEXT NOT NULL,
    date       TEXT,                         -- 成文日期
    rel        TEXT NOT NULL,                -- output path without extension, under the output folder
    version    INTEGER NOT NULL,             -- 0 while a draft
    state      TEXT NOT NULL DEFAULT 'issued' -- 'draft' (number reserved) or 'issued' (locked)
);
CREATE TABLE IF NOT EXISTS versions (        -- reissue history: version 1 is the first issue
    identity   TEXT NOT NULL REFERENCES issued(identity),
    version    INTEGER NOT NULL,
    organ      TEXT NOT NULL,
    number     TEXT NOT NULL,
    title      TEXT NOT NULL,
    date       TEXT,
    rel        TEXT NOT NULL,
    issued_at  TEXT NOT NULL,                -- the 成文日期 (never the clock: builds stay deterministic)
    kept_as    TEXT,                         -- where the files were kept when superseded (rel with （第N版）)
    PRIMARY KEY (identity, version)
);
CREATE TABLE IF NOT EXISTS files (           -- the output files of each version (0: the draft) and their SHA-256
    identity   TEXT NOT NULL,
    version    INTEGER NOT NULL,
    path       TEXT NOT NULL,                -- under the output folder, as issued
    sha256     TEXT NOT NULL,
    bytes      INTEGER NOT NULL,
    PRIMARY KEY (identity, version, path)
);
CREATE INDEX IF NOT EXISTS versions_number ON versions(organ, number);
"""

SCHEMA_VERSION = 2
DRAFT, ISSUED = "draft", "issued"

NUMBER = re.compile(r"^(?P<code>.*?)〔(?P<year>\d{4})〕(?P<seq>\d+)号$")
BRACKETS = str.maketrans({"[": "〔", "]": "〕", "(": "〔", ")": "〕", "【": "〔", "】": "〕", "〖": "〔", "〗": "〕"})


def number_key(number: str) -> str:
    """What two 发文字号 must share to be the same number: full-width digits,
    letters and brackets folded (NFKC), every space and invisible character
    gone, 〔〕 [] () 【】 alike, leading zeros dropped (012 is 12).
    信开放办〔2023〕012号, 信开放办〔２０２３〕１２号 and 信开放办[2023]12号　are
    信开放办〔2023〕12号."""
    text = unicodedata.normalize("NFKC", str(number))
    text = "".join(c for c in text if not c.isspace() and unicodedata.category(c) not in ("Cf", "Cc"))
    return re.sub(r"\d+", lambda m: str(int(m.group())), text.translate(BRACKETS))


def organ_key(organ: str) -> str:
    """发文机关 compared as unit names are (NFKC, no spaces)."""
    from gongwen.campaign.sheets import value_key

    return value_key(organ)


def _migrate(con: sqlite3.Connection) -> None:
    """An older register brought to SCHEMA_VERSION in place. Version 1 (no
    issued.state) recorded every build as issued: its rows stay issued."""
    if con.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
        return
    con.execute("BEGIN IMMEDIATE")
    try:
        columns = {r[1] for r in con.execute("PRAGMA table_info(issued)")}
        if "state" not in columns:
            con.execute(f"ALTER TABLE issued ADD COLUMN state TEXT NOT NULL DEFAULT '{ISSUED}'")
        con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _reason(exc: sqlite3.Error) -> str:
    text = str(exc)
    if "not a database" in text:
        return "不是 SQLite 数据库文件（或开头已损坏）"
    if "malformed" in text or "corrupt" in text:
        return "已损坏（数据库内部结构不完整）"
    if "locked" in text or "busy" in text:
        return f"正被别的程序占用，等了 {LOCK_WAIT_S} 秒仍未结束"
    if "full" in text:
        return "磁盘空间已满"
    if "I/O" in text or "readonly" in text:
        return "磁盘读写出错或没有写入权限"
    return "已损坏，无法读取"


def register_path(campaign_folder: Path, override: Path | None = None) -> Path:
    return Path(override) if override else Path(campaign_folder) / REGISTER_FILE


def suffixed(rel: str, version: int) -> str:
    """6月工作情况通报 -> 6月工作情况通报（第1版）"""
    return f"{rel}（第{version}版）"


@dataclass
class Numbered:
    """A document of this build that carries a 发文字号."""

    doc: object  # gongwen.documents.common.Doc
    identity: str
    organ: str
    number: str
    auto: bool
    year: int | None = None
    code: str | None = None
    seq: int | None = None

    @property
    def title(self) -> str:
        return self.doc.notice.title.replace("\n", "")

    @property
    def date(self) -> str | None:
        return self.doc.notice.date.isoformat() if self.doc.notice.date else None

    def describe(self) -> str:
        return f"《{self.title}》（{self.doc.rel}）"


@dataclass
class Assigned:
    """What assign() decided; handed to write_registered()."""

    path: Path
    campaign: str
    items: list[Numbered] = field(default_factory=list)
    reissue: bool = False
    recorded: list[str] = field(default_factory=list)  # after writing: drafts first registered by this build
    redrafted: list[str] = field(default_factory=list)  # drafts registered before, rebuilt (their number kept)
    reissued: list[str] = field(default_factory=list)  # numbers issued again (a new version)


class Register:
    def __init__(self, path: Path):
        self.path = Path(path)

    @contextmanager
    def locked(self) -> Iterator[None]:
        from filelock import FileLock, Timeout

        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with FileLock(str(self.path) + ".lock", timeout=LOCK_WAIT_S):
                yield
        except Timeout:
            raise UserError(f"另一个生成任务正在使用发文登记 {self.path}，等了 {LOCK_WAIT_S} 秒仍未结束；请稍后再试") from None

    @property
    def backup_path(self) -> Path:
        """The copy of the register kept after every write (发文登记.sqlite.备份)."""
        return self.path.with_name(self.path.name + BACKUP_SUFFIX)

    def refused(self, why: str) -> UserError:
        """A damaged register: refused, never recreated, with how to restore it."""
        if self.backup_path.is_file():
            how = (f"请用备份恢复：把 {self.backup_path.name} 复制一份，改名为 {self.path.name}，替换 {self.path.parent} 里"
                   "坏的那个，再重新运行（备份是最近一次成功写入登记后自动保存的完整副本）")
        else:
            how = f"请从单位的备份（拷贝、网盘等）中找回 {self.path.name}，放回 {self.path.parent}，再重新运行"
        return UserError(f"发文登记 {self.path} {why}，无法使用。为免丢失已印发公文的记录，已停止：没有写出任何文件，"
                         f"也没有改动登记。{how}。不要删除或清空它，也不要另建一个：已用过的文号和已印发的内容都要靠它核对")

    def _damage(self) -> str | None:
        """What is wrong with the register file on its face, or None."""
        size = self.path.stat().st_size
        if size == 0:
            return "是空的（0 字节）"
        with open(self.path, "rb") as fh:
            head = fh.read(100)
        if not head.startswith(b"SQLite format 3\x00"):
            return "不是 SQLite 数据库文件（或开头已损坏）"
        page = int.from_bytes(head[16:18], "big") if len(head) >= 18 else 0
        page = 65536 if page == 1 else page
        hot = any(Path(f"{self.path}{s}").exists() for s in ("-journal", "-wal"))  # SQLite puts it right on opening
        if len(head) < 100 or not page or (size % page and not hot):
            return "不完整（文件被截断了）"
        return None

    def failed(self, exc: sqlite3.Error) -> UserError:
        """An SQLite error on opening: damage (refused), or the disk or another program in the way."""
        why = _reason(exc)
        if why.startswith(("不是", "已损坏")):
            return self.refused(why)
        return UserError(f"无法读写发文登记 {self.path}：{why}。没有写出任何文件，登记没有改动；请处理后重新运行")

    @contextmanager
    def connect(self, create: bool = True) -> Iterator[sqlite3.Connection]:
        """The register; when it does not exist yet and create is False, an empty
        one in memory (reading never creates the file). A register that exists
        must pass SQLite's own check (PRAGMA quick_check) and hold the
        register's tables; else it is refused (refused()). A missing register
        whose backup is there is refused too: it was deleted, not new."""
        exists = self.path.exists()
        if not exists and self.backup_path.is_file():
            raise UserError(f"发文登记 {self.path} 不见了，但它的备份 {self.backup_path.name} 还在：登记被删除或移走了。"
                            "为免重复使用已用过的文号，已停止，没有写出任何文件。请把备份复制一份，改名为 "
                            f"{self.path.name} 放回原处，再重新运行；确实要从头登记时，先删去备份")
        if exists and (why := self._damage()):
            raise self.refused(why)
        target = str(self.path) if create or exists else ":memory:"
        try:
            con = sqlite3.connect(target, isolation_level=None, timeout=LOCK_WAIT_S)
        except sqlite3.Error as exc:
            raise self.failed(exc) from None
        try:
            con.row_factory = sqlite3.Row
            con.create_function("number_key", 1, number_key, deterministic=True)
            con.create_function("organ_key", 1, organ_key, deterministic=True)
            if exists:
                problems = [r[0] for r in con.execute("PRAGMA quick_check")]
                if problems != ["ok"]:
                    raise self.refused(f"已损坏（SQLite 自检发现 {len(problems)} 处错误）")
                if not con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'issued'").fetchone():
                    raise self.refused("不是发文登记文件（里面没有登记公文的表）")
            con.executescript(SCHEMA)
            _migrate(con)
        except sqlite3.Error as exc:
            con.close()
            raise self.failed(exc) from None
        except BaseException:
            con.close()
            raise
        try:
            yield con
        finally:
            con.close()

    def backup(self, con: sqlite3.Connection) -> None:
        """After a write: the whole register copied with SQLite's backup API to
        backup_path (through a temporary file, so the backup is always whole),
        if it passes quick_check (a damaged register never replaces a good
        backup). A backup that cannot be written leaves the older one."""
        try:
            if [r[0] for r in con.execute("PRAGMA quick_check")] != ["ok"]:
                return
            tmp = self.path.with_name(f".{self.path.name}.备份中")
            tmp.unlink(missing_ok=True)
            copy = sqlite3.connect(str(tmp))
            try:
                con.backup(copy)
            finally:
                copy.close()
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, self.backup_path)
        except (OSError, sqlite3.Error):
            pass

    # queries -----------------------------------------------------------
    @staticmethod
    def drafts(con, campaign: str) -> list:
        return con.execute("SELECT * FROM issued WHERE campaign = ? AND state = ? ORDER BY rel", (campaign, DRAFT)).fetchall()

    @staticmethod
    def current(con, identity: str):
        return con.execute("SELECT * FROM issued WHERE identity = ?", (identity,)).fetchone()

    @staticmethod
    def holder(con, organ: str, number: str, identity: str):
        """Another document this number was ever issued to (any version), or
        reserved for (a draft; its issued_at is None), or None."""
        issued = con.execute(
            "SELECT v.*, i.kind, i.period, i.campaign FROM versions v JOIN issued i USING (identity) "
            "WHERE organ_key(v.organ) = ? AND number_key(v.number) = ? AND v.identity != ? ORDER BY v.version LIMIT 1",
            (organ_key(organ), number_key(number), identity)).fetchone()
        if issued is not None:
            return issued
        return con.execute(
            "SELECT identity, title, date, rel, kind, period, campaign, NULL AS issued_at FROM issued "
            "WHERE organ_key(organ) = ? AND number_key(number) = ? AND identity != ? AND state = ? LIMIT 1",
            (organ_key(organ), number_key(number), identity, DRAFT)).fetchone()

    @staticmethod
    def numbers(con, organ: str) -> list[str]:
        """Numbers issued (any version) or reserved by a draft."""
        return [r[0] for r in con.execute(
            "SELECT number FROM versions WHERE organ_key(organ) = ? "
            "UNION SELECT number FROM issued WHERE organ_key(organ) = ? AND state = ?",
            (organ_key(organ), organ_key(organ), DRAFT))]

    @staticmethod
    def files(con, identity: str, version: int) -> dict[str, str]:
        return {r["path"]: r["sha256"] for r in con.execute(
            "SELECT path, sha256 FROM files WHERE identity = ? AND version = ?", (identity, version))}

    def listing(self) -> list[dict]:
        """Every issued document with its first issue and number of versions, by organ, year, seq."""
        with self.connect(create=False) as con:
            rows = con.execute(
                "SELECT i.*, (SELECT issued_at FROM versions v WHERE v.identity = i.identity AND v.version = 1) AS first_issued "
                "FROM issued i ORDER BY i.organ, i.year, i.code, i.seq, i.number, i.identity").fetchall()
            return [dict(r) for r in rows]


# ---------------------------------------------------------------------------
# 1. before typesetting: numbers


def _pattern_regex(pattern: str, year: int) -> re.Pattern:
    text = re.escape(number_key(pattern.replace(YEAR, str(year))))
    return re.compile("^" + text.replace(re.escape(SEQ), r"(\d+)") + "$")


def _check_pattern(pattern: str, where: str) -> None:
    rest = pattern.replace(YEAR, "").replace(SEQ, "")
    if pattern.count(SEQ) != 1 or "{" in rest or "}" in rest:
        raise UserError(f"{where} 的发文字号格式“{pattern}”有误：应含一个 {{n}}（序号），可含 {{year}}（年份），"
                        "如 信开放办〔{year}〕{n}号")


def _identities(campaign_id: str, docs) -> list[str]:
    keys = [f"{campaign_id}/{d.kind}/{d.period}" for d in docs]
    return [f"{k}/{d.rel}" if keys.count(k) > 1 else k for k, d in zip(keys, docs)]


def _parse(number: str) -> tuple[str | None, int | None, int | None]:
    m = NUMBER.match(number) or NUMBER.match(number_key(number))
    if not m:
        return None, None, None
    return m["code"], int(m["year"]), int(m["seq"])


def assign(campaign, docs, reissue: bool = False, path: Path | None = None) -> Assigned:
    """Give every document whose number is auto its number (registered, else the
    next free one), in place: doc.notice.number and the template context. Refuses
    numbers given twice or already issued to another document."""
    reg = Register(register_path(campaign.folder, path))
    numbered = [d for d in docs if d.notice.number]
    result = Assigned(reg.path, campaign.id, reissue=reissue)
    if not numbered and not reg.path.exists():
        return result
    identities = dict(zip(map(id, docs), _identities(campaign.id, docs)))
    pattern = _default_pattern(campaign)
    problems: list[str] = []
    with reg.connect(create=False) as con:  # reads only; write_registered checks again under the lock
        items = []
        for d in numbered:
            number = d.notice.number
            organ = d.notice.organs[0] if d.notice.organs else campaign.name
            if number.strip().lower() == AUTO:
                if not pattern:
                    raise UserError(f"{d.rel} 的发文字号写了 auto，但 campaign.yaml 没有 documents.number_pattern"
                                    "（如 信开放办〔{year}〕{n}号）")
                number = pattern
            auto = SEQ in number
            items.append(Numbered(d, identities[id(d)], organ, number, auto))
        taken: dict[str, set[str]] = {}
        for it in items:
            if not it.auto:
                taken.setdefault(organ_key(it.organ), set()).add(it.number)
        # auto numbers in date order (then build order), so a register reads like the office's own
        order = sorted(range(len(items)), key=lambda i: (items[i].doc.notice.date or dt.date.max, i))
        for i in order:
            it = items[i]
            if not it.auto:
                continue
            _check_pattern(it.number, it.doc.rel)
            row = reg.current(con, it.identity)
            if row is not None:
                it.number = row["number"]
            else:
                if it.doc.notice.date is None and YEAR in it.number:
                    raise UserError(f"{it.doc.rel} 没有成文日期，无法按 {it.number} 自动编号")
                year = it.doc.notice.date.year if it.doc.notice.date else 0
                rx = _pattern_regex(it.number, year)
                used = set(reg.numbers(con, it.organ)) | taken.get(organ_key(it.organ), set())
                seqs = [int(m.group(1)) for n in used if (m := rx.match(number_key(n)))]
                it.number = it.number.replace(YEAR, str(year)).replace(SEQ, str(max(seqs, default=0) + 1))
            taken.setdefault(organ_key(it.organ), set()).add(it.number)
            _set_number(it.doc, it.number)
        for it in items:
            it.code, it.year, it.seq = _parse(it.number)
        problems += _duplicates(items)
        for it in items:
            problems += _conflicts(reg, con, it, reissue)
    if problems:
        raise UserError(f"发文字号有 {len(problems)} 处问题，未生成任何文件：", problems)
    result.items = items
    return result


def _default_pattern(campaign) -> str | None:
    from gongwen.documents.settings import load_documents

    return load_documents(campaign.config.documents).number_pattern


def _set_number(doc, number: str) -> None:
    doc.notice.number = number
    if doc.context and isinstance(doc.context.get("issue"), dict):
        doc.context["issue"]["number"] = number


def _duplicates(items: list[Numbered]) -> list[str]:
    seen: dict[tuple[str, str], Numbered] = {}
    problems = []
    for it in items:
        other = seen.setdefault((organ_key(it.organ), number_key(it.number)), it)
        if other is not it:
            problems.append(f"发文字号 {it.number} 同时用于 {other.describe()} 和 {it.describe()}：同一个文号只能发一份公文")
    return problems


def _conflicts(reg: Register, con, it: Numbered, reissue: bool) -> list[str]:
    holder = reg.holder(con, it.organ, it.number, it.identity)
    same = "" if holder is None or holder["number"] == it.number else f"（登记为 {holder['number']}，统一全角半角、空格、括号和前导零后是同一个文号）"
    if holder is not None and holder["issued_at"] is None:
        return [f"发文字号 {it.number}{same} 已预留给草稿《{holder['title']}》（{holder['kind']}，{holder['period']}，"
                f"{holder['rel']}），不能再用于 {it.describe()}：请改用别的文号或写 auto"]
    if holder is not None:
        return [f"发文字号 {it.number}{same} 已于 {_cn(holder['issued_at'])} 发给《{holder['title']}》"
                f"（{holder['kind']}，{holder['period']}），不能再用于 {it.describe()}：请改用别的文号或写 auto"]
    row = reg.current(con, it.identity)
    if row is not None and row["state"] == ISSUED and number_key(row["number"]) != number_key(it.number) and not reissue:
        return [f"{it.describe()} 已以 {row['number']} 印发（{_cn(row['date'])}），现在的发文字号是 {it.number}；"
                "改号等于重新印发，确需如此请加 --reissue（旧文件会以“（第N版）”保留）"]
    return []


def _cn(iso: str | None) -> str:
    if not iso:
        return "（无日期）"
    d = dt.date.fromisoformat(iso)
    return f"{d.year}年{d.month}月{d.day}日"


# ---------------------------------------------------------------------------
# 2. after typesetting: check, write, record


@dataclass
class _Action:
    item: Numbered
    files: dict[str, bytes]  # path under out -> bytes
    old: object | None  # the register's row, or None for a first build
    draft: bool = False  # recorded as a draft (version 0), not issued
    kept: dict[str, str] = field(default_factory=dict)  # old path -> kept path


def _doc_files(r, out: Path, doc) -> dict[str, bytes]:
    from gongwen.writers.registry import all_formats

    found = {}
    for ext in all_formats():
        p = Path(out) / f"{doc.rel}.{ext}"
        if p in r.files:
            found[f"{doc.rel}.{ext}"] = r.files[p]
    return found


def write_registered(rendered, out: Path, assigned: Assigned | None) -> list[Path]:
    """campaign.build.write under the register: finish or undo a write a crash
    interrupted, refuse changed issued documents (unless reissue), keep
    superseded files, write, and record in the same step: the register's
    transaction runs once every file is in place and marks the write's
    journal as committed (gongwen.campaign.journal), so after a crash at any
    moment the next run finds folder and register both as before or both as
    after. The register is backed up after every write."""
    from gongwen.campaign.build import recover_locked, write

    if assigned is None or (not assigned.items and not assigned.path.exists()):
        return write(rendered, out)
    out = Path(out)
    reg = Register(assigned.path)
    with reg.locked():
        rendered.recovered += recover_locked(out)  # before anything below reads the folder
        with reg.connect() as con:
            actions, problems = [], []
            problems += _duplicates(assigned.items)
            for it in assigned.items:
                problems += _conflicts(reg, con, it, assigned.reissue)
                files = _doc_files(rendered, out, it.doc)
                row = reg.current(con, it.identity)
                if row is None or row["state"] == DRAFT:  # a draft: (re)written freely, its number kept
                    if row is None or not _same_draft(con, row, it, files):
                        actions.append(_Action(it, files, row, draft=True))
                    continue
                old = reg.files(con, it.identity, row["version"])
                new = {p: sha256(b) for p, b in files.items()}
                if old == new and row["number"] == it.number:
                    continue
                if not assigned.reissue:
                    changed = sorted(set(old) ^ set(new) | {p for p in set(old) & set(new) if old[p] != new[p]})
                    problems.append(f"{it.describe()}（{row['number']}）已于 {_cn(row['date'])} 印发，这次生成的内容与已印发的不同"
                                    f"（{'、'.join(Path(p).name for p in changed)}）；不会覆盖。确需重新印发请加 --reissue，"
                                    "旧文件会以“（第N版）”保留在旁边")
                    continue
                act = _Action(it, files, row)
                for p, digest in old.items():
                    src = out / p
                    if src.is_file():
                        if sha256(src.read_bytes()) != digest:
                            problems.append(f"{p} 与发文登记记下的已印发版本（{row['number']}，第 {row['version']} 版）不同，"
                                            "保留旧版会留下错的内容：请先把已印发的原文件放回，再重新印发")
                            continue
                        stem, ext = p.rsplit(".", 1)
                        act.kept[p] = f"{suffixed(stem, row['version'])}.{ext}"
                actions.append(act)
            if problems:
                raise UserError(f"发文登记有 {len(problems)} 处问题，未写出任何文件：", problems)
            _carry_superseded(con, rendered, out, assigned.campaign)
            _carry_issued(con, rendered, out, assigned.campaign)
            for act in actions:
                for p, kept in act.kept.items():
                    data = (out / p).read_bytes()
                    rendered.files[out / kept] = data
                    rendered.manifest.add(kept, data, [], kind=act.item.doc.kind, period=act.item.doc.period,
                                          version=act.old["version"], superseded=True)

            def commit(token: str) -> None:
                try:
                    con.execute("BEGIN IMMEDIATE")
                    for act in actions:
                        if act.draft:
                            _record_draft(con, assigned.campaign, act)
                        else:
                            _record(con, assigned.campaign, act)
                    mark_committed(con, token)
                    _commit(con)
                except sqlite3.Error as exc:
                    if con.in_transaction:
                        con.execute("ROLLBACK")
                    raise UserError(f"写入发文登记 {reg.path} 失败（{_reason(exc)}）。本次没有写出任何文件，"
                                    f"{out} 里原有的文件保持不变，发文登记也没有改动") from None
                except BaseException:
                    if con.in_transaction:
                        con.execute("ROLLBACK")
                    raise

            note = {out / REGISTER_NOTE: _register_note(out, reg.path)}
            written = write(rendered, out, commit=commit if actions else None,
                            register=reg.path if actions else None, extra=note)
            for act in actions:
                if act.draft:
                    (assigned.recorded if act.old is None else assigned.redrafted).append(act.item.number)
                else:
                    assigned.reissued.append(act.item.number)
            if actions:
                reg.backup(con)
        for p in [out / p for act in actions for p in act.kept if p not in act.files]:
            p.unlink(missing_ok=True)  # a reissue under a new name: the old name lives on as （第N版）
    return [p for p in written if p not in note]


def _commit(con: sqlite3.Connection) -> None:
    """The register's COMMIT: the moment a build counts as done (kept apart so
    tests can stop a build just before or after it)."""
    con.execute("COMMIT")


def _register_note(out: Path, register: Path) -> bytes:
    """The note beside manifest.json saying where the register is (relative
    to the folder when it can be), so that verify finds it."""
    try:
        where = os.path.relpath(Path(register).resolve(), Path(out).resolve())
    except ValueError:  # another drive
        where = str(Path(register).resolve())
    return (json.dumps({"register": Path(where).as_posix()}, ensure_ascii=False) + "\n").encode("utf-8")


def _carry_superseded(con, rendered, out: Path, campaign: str) -> None:
    """Files kept from earlier versions stay in manifest.json (so verify passes)."""
    rows = con.execute(
        "SELECT v.identity, v.version, v.kept_as, v.rel, i.kind, i.period FROM versions v JOIN issued i USING (identity) "
        "WHERE i.campaign = ? AND v.kept_as IS NOT NULL ORDER BY v.identity, v.version", (campaign,)).fetchall()
    for row in rows:
        for path in Register.files(con, row["identity"], row["version"]):
            stem, ext = path.rsplit(".", 1)
            kept = f"{suffixed(stem, row['version'])}.{ext}"
            p = out / kept
            if p.is_file() and p not in rendered.files:
                rendered.manifest.add(kept, p.read_bytes(), [], kind=row["kind"], period=row["period"],
                                      version=row["version"], superseded=True)


def _carry_issued(con, rendered, out: Path, campaign: str) -> None:
    """Issued documents this build does not make again (a month's reports
    taken out, a kind switched off) stay where they are and in manifest.json:
    a rebuild never removes an issued document."""
    rows = con.execute("SELECT identity, version, kind, period FROM issued WHERE campaign = ? AND state = ?",
                       (campaign, ISSUED)).fetchall()
    for row in rows:
        for path, digest in Register.files(con, row["identity"], row["version"]).items():
            p = out / path
            if path in rendered.manifest.files or out / path in rendered.files or not p.is_file():
                continue
            data = p.read_bytes()
            if sha256(data) == digest:
                rendered.manifest.add(path, data, [], kind=row["kind"], period=row["period"], version=row["version"],
                                      issued_only=True)


def _values(campaign: str, it: Numbered, version: int, state: str) -> dict:
    doc = it.doc
    return dict(identity=it.identity, campaign=campaign, kind=doc.kind, period=doc.period,
                organ=it.organ, year=it.year, code=it.code, seq=it.seq, number=it.number, auto=int(it.auto),
                title=it.title, date=it.date, rel=doc.rel, version=version, state=state)


def _same_draft(con, row, it: Numbered, files: dict[str, bytes]) -> bool:
    """The draft as registered (number, title, date, place, file hashes): nothing to record."""
    same = (row["number"], row["title"], row["date"], row["rel"]) == (it.number, it.title, it.date, it.doc.rel)
    return same and Register.files(con, it.identity, 0) == {p: sha256(b) for p, b in files.items()}


def _record_draft(con, campaign: str, act: _Action) -> None:
    """A draft's row (its number reserved) and its files at version 0, replacing the last build's."""
    it = act.item
    values = _values(campaign, it, 0, DRAFT)
    con.execute(f"INSERT OR REPLACE INTO issued ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                list(values.values()))
    con.execute("DELETE FROM files WHERE identity = ? AND version = 0", (it.identity,))
    for path, data in sorted(act.files.items()):
        con.execute("INSERT INTO files (identity, version, path, sha256, bytes) VALUES (?,?,?,?,?)",
                    (it.identity, 0, path, sha256(data), len(data)))


def _record(con, campaign: str, act: _Action) -> None:
    it, doc = act.item, act.item.doc
    version = 1 if act.old is None else act.old["version"] + 1
    values = _values(campaign, it, version, ISSUED)
    if act.old is None:
        con.execute(f"INSERT INTO issued ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})", list(values.values()))
    else:
        sets = ", ".join(f"{k} = ?" for k in values if k != "identity")
        con.execute(f"UPDATE issued SET {sets} WHERE identity = ?", [v for k, v in values.items() if k != "identity"] + [it.identity])
        con.execute("UPDATE versions SET kept_as = ? WHERE identity = ? AND version = ?",
                    (suffixed(act.old["rel"], act.old["version"]) if act.kept else None, it.identity, act.old["version"]))
    con.execute("INSERT INTO versions (identity, version, organ, number, title, date, rel, issued_at) VALUES (?,?,?,?,?,?,?,?)",
                (it.identity, version, it.organ, it.number, it.title, it.date, doc.rel, it.date or "2000-01-01"))
    for path, data in sorted(act.files.items()):
        con.execute("INSERT INTO files (identity, version, path, sha256, bytes) VALUES (?,?,?,?,?)",
                    (it.identity, version, path, sha256(data), len(data)))


# ---------------------------------------------------------------------------
# 3. issuing drafts


@dataclass
class IssuedDoc:
    """A document of the register (issued by issue(), or issued before)."""

    identity: str
    kind: str
    period: str
    number: str
    title: str
    date: str | None
    rel: str
    version: int
    files: dict[str, str]  # path under the output folder -> SHA-256


@dataclass
class IssueResult:
    path: Path  # the register
    issued: list[IssuedDoc] = field(default_factory=list)  # drafts issued now
    already: list[IssuedDoc] = field(default_factory=list)  # chosen, but issued before: unchanged


def _doc_of(con, row) -> IssuedDoc:
    return IssuedDoc(row["identity"], row["kind"], row["period"], row["number"], row["title"], row["date"],
                     row["rel"], row["version"], Register.files(con, row["identity"], row["version"]))


def _matches(row, wanted: str, out: Path | None) -> bool:
    """Does `wanted` (a period, 发文字号, file or path of one, with or without
    its extension) name the document of `row`?"""
    from gongwen.writers.registry import all_formats

    text = wanted.strip().replace("\\", "/")
    if out is not None:
        p = Path(text)
        try:
            text = p.resolve().relative_to(Path(out).resolve()).as_posix() if p.is_absolute() or p.exists() else text
        except ValueError:
            pass
    stem, dot, ext = text.rpartition(".")
    if dot and ext.lower() in all_formats():
        text = stem
    rel = row["rel"]
    return (text in (row["period"], row["number"], rel, Path(rel).name) or rel.endswith("/" + text)
            or number_key(text) == number_key(row["number"]))


def issue(path: Path, campaign: str, chosen: list[str] | tuple[str, ...] = (), out: Path | None = None) -> IssueResult:
    """Lock drafts as issued: each chosen draft of `campaign` (all of them when
    nothing is chosen) gets version 1, a row in versions (issued_at: its
    成文日期) and its latest build's file hashes. With `out`, the files there
    must be the ones that build wrote (else nothing is issued). A choice that
    names no document of the campaign is refused, naming the drafts."""
    reg = Register(path)
    result = IssueResult(reg.path)
    if not reg.path.exists() and not reg.backup_path.exists():
        raise UserError(f"发文登记 {reg.path} 不存在：还没有生成过有发文字号的公文，没有可印发的草稿")
    with reg.locked():
        if out is not None:
            from gongwen.campaign.build import recover_locked

            recover_locked(Path(out))  # a build a crash interrupted: finished or undone before its files are checked
        with reg.connect() as con:
            _issue(reg, con, result, campaign, chosen, out)
    return result


def _issue(reg: Register, con, result: IssueResult, campaign: str, chosen, out: Path | None) -> None:
    rows = con.execute("SELECT * FROM issued WHERE campaign = ? ORDER BY rel", (campaign,)).fetchall()
    drafts = [r for r in rows if r["state"] == DRAFT]
    if chosen:
        unknown = [w for w in chosen if not any(_matches(r, w, out) for r in rows)]
        if unknown:
            names = "、".join(f"{r['rel']}（{r['number']}）" for r in drafts) or "（没有草稿）"
            raise UserError(f"没有找到要印发的公文：{'、'.join(unknown)}。可印发的草稿：{names}")
        picked = [r for r in rows if any(_matches(r, w, out) for w in chosen)]
    else:
        picked = drafts
    problems = []
    if out is not None:
        for r in picked:
            if r["state"] != DRAFT:
                continue
            for p, digest in Register.files(con, r["identity"], 0).items():
                f = Path(out) / p
                if not f.is_file():
                    problems.append(f"{p} 不在 {out} 里：请先生成，再印发")
                elif sha256(f.read_bytes()) != digest:
                    problems.append(f"{p} 与最近一次生成的不同（生成后被改动，或是另一次生成写的）：请重新生成后再印发")
    if problems:
        raise UserError(f"有 {len(problems)} 处问题，没有印发任何公文：", problems)
    con.execute("BEGIN IMMEDIATE")
    try:
        for r in picked:
            if r["state"] != DRAFT:
                result.already.append(_doc_of(con, r))
                continue
            con.execute("UPDATE issued SET state = ?, version = 1 WHERE identity = ?", (ISSUED, r["identity"]))
            con.execute("INSERT INTO versions (identity, version, organ, number, title, date, rel, issued_at) "
                        "VALUES (?,?,?,?,?,?,?,?)",
                        (r["identity"], 1, r["organ"], r["number"], r["title"], r["date"], r["rel"],
                         r["date"] or "2000-01-01"))
            con.execute("UPDATE files SET version = 1 WHERE identity = ? AND version = 0", (r["identity"],))
            result.issued.append(_doc_of(con, Register.current(con, r["identity"])))
    except BaseException:
        con.execute("ROLLBACK")
        raise
    _commit(con)
    if result.issued:
        reg.backup(con)


# ---------------------------------------------------------------------------
# 4. verify: issued documents against the register


def find_register(folder: Path) -> Path | None:
    """The register a build of `folder` used, from the note it left beside
    manifest.json (REGISTER_NOTE; for annual/ the one in the folder above), or None."""
    for where in (Path(folder), Path(folder).parent):
        try:
            path = json.loads((where / REGISTER_NOTE).read_text(encoding="utf-8"))["register"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if isinstance(path, str) and path:
            return (where / path).resolve()
    return None


def issued_check(register: Path):
    """verify's check of numbered documents (verify(folder, numbered=…)):
    every issued document of the folder's campaign whose file the folder has,
    or its manifest lists, must have the bytes the register recorded: the
    current version under its own name, each kept earlier version under its
    （第N版） name. Drafts are not checked (they may change until issued)."""
    from gongwen.archive.verify import inside

    reg = Register(register)

    def check(folder: Path, manifest: dict) -> list[str]:
        if not reg.path.exists() and not reg.backup_path.exists():
            return [f"发文登记 {reg.path} 不存在，无法核对已印发的公文：请用 --register 指定发文登记文件"]
        campaigns = set(str(manifest.get("campaign", "")).split("+"))
        listed = {e.get("path") for e in manifest.get("files", []) if isinstance(e, dict)}
        problems = []
        with reg.connect(create=False) as con:
            rows = con.execute(
                "SELECT v.identity, v.version, v.number, v.kept_as, i.version AS current, i.campaign "
                "FROM versions v JOIN issued i USING (identity) WHERE i.state = ? ORDER BY v.identity, v.version",
                (ISSUED,)).fetchall()
            for row in rows:
                if row["campaign"] not in campaigns or (row["version"] != row["current"] and not row["kept_as"]):
                    continue
                for path, digest in Register.files(con, row["identity"], row["version"]).items():
                    if row["version"] != row["current"]:
                        stem, ext = path.rsplit(".", 1)
                        path = f"{suffixed(stem, row['version'])}.{ext}"
                    rel = _in_folder(folder, path, listed, inside)
                    if rel is None:
                        continue
                    what = f"{row['number']}，第 {row['version']} 版"
                    target = folder / rel
                    if not target.is_file():
                        problems.append(f"{rel}：已印发（{what}），文件不见了")
                    elif sha256(target.read_bytes()) != digest:
                        problems.append(f"{rel}：与发文登记记下的已印发内容不同（{what}）")
        return problems

    return check


def _in_folder(folder: Path, path: str, listed: set, inside) -> str | None:
    """Where a register path (under the build's output folder) is in `folder`
    (that folder, or its annual/ taken on its own), if the folder has the
    file or its manifest lists it; None when it is not this folder's. A path
    in a subfolder with its own manifest is left to that subfolder's check."""
    candidates = [path]
    if path.startswith(folder.name + "/"):
        candidates.append(path.split("/", 1)[1])
    for rel in candidates:
        if not inside(folder, rel):
            continue
        if "/" in rel and (folder / rel.split("/", 1)[0] / "manifest.json").is_file():
            continue
        if rel in listed or (folder / rel).exists():
            return rel
    return None
