"""Writing a set of finished files all or nothing, and finishing or undoing a
write that a crash (kill -9, a power cut) interrupted.

write_files(files, root=…):

1. every target is checked (name and path length, nothing in the way) before
   anything is written;
   a target that already holds exactly the new bytes, as a file this write
   leaves (a regular file, mode 644), is left as it is: not written again,
   not in the journal, its modification time and inode unchanged (a rebuild
   after a small change rewrites only what changed; the folder ends the same);
2. every other file goes to a temporary file beside its target (.gw-*.tmp)
   and is flushed to disk;
3. the journal, root/.gw-journal.json, is written and flushed: each target,
   its temporary file, and the name the file it replaces is kept under
   (.gw-*.tmp beside it) until the write is done;
4. the old files are kept aside (a hard link, else a rename), then the new
   ones renamed into place, each step flushed to disk (the folders fsync'd)
   and with Ctrl-C held back; any failure here puts the old files back and
   removes the new ones;
5. the commit: `commit(token)` (the register's transaction, which calls
   mark_committed(con, token) so that the register says, atomically with its
   own records, that this write happened), or without a register the
   journal rewritten as committed;
6. `finish()` (an earlier build's stale files removed), the kept old files
   and the journal removed, the token forgotten.

recover(root), at the start of the next run (holding the folder's lock): a
journal left behind is finished if it was committed (step 6), else undone
(the old files back, the new ones and any folders the write made removed):
the folder is as after or as before, never between, and always as the
register says. Leftover temporary files with no journal are removed
(remove_temporaries)."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import signal
import sqlite3
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from gongwen.errors import UserError, excerpt

JOURNAL = ".gw-journal.json"
TEMP_PREFIX, TEMP_SUFFIX = ".gw-", ".tmp"
COMMITS = "writes"  # the register's table of committed write tokens
NAME_MAX, PATH_MAX = 255, 4096  # bytes, where the file system does not say


# -- checks before anything is written -------------------------------------------------


def _is(test, path: Path) -> bool:
    """path.exists() and the like, False where the path cannot even be looked up (too long)."""
    try:
        return test(path)
    except OSError:
        return False


def _limit(folder: Path, name: str, default: int) -> int:
    while not _is(Path.exists, folder) and folder != folder.parent:
        folder = folder.parent
    try:
        return os.pathconf(folder, name)
    except (OSError, ValueError):
        return default


def check_targets(paths) -> None:
    """Every target writable as named: each part of its path within the file
    system's name length, the whole path within its path length, no folder
    where the file goes and no file where a folder must be. Raises UserError
    listing every problem before anything is written."""
    problems = []
    limits: dict[Path, tuple[int, int]] = {}
    for path in map(Path, paths):
        parent = path.parent
        if parent not in limits:
            limits[parent] = (_limit(parent, "PC_NAME_MAX", NAME_MAX), _limit(parent, "PC_PATH_MAX", PATH_MAX))
        name_max, path_max = limits[parent]
        shown = excerpt(str(path), 80)
        long = [part for part in path.parts if len(os.fsencode(part)) > name_max]
        if long:
            problems.append(f"文件名太长（{len(os.fsencode(long[0]))} 字节，上限 {name_max} 字节）：{shown}")
        elif len(os.fsencode(str(path.absolute()))) >= path_max:
            problems.append(f"路径太长（上限 {path_max} 字节）：{shown}")
        elif _is(Path.is_dir, path):
            problems.append(f"要写的文件位置上已有一个同名文件夹：{shown}")
        elif any(_is(Path.exists, p) and not _is(Path.is_dir, p) for p in path.parents):
            problems.append(f"要建文件夹的位置上已有一个同名文件：{shown}")
    if problems:
        raise UserError(f"有 {len(problems)} 个文件无法按这个名字写出，没有写出任何文件，原有的文件保持不变：", problems)


# -- writing ---------------------------------------------------------------------------


@dataclass
class _Move:
    target: Path
    temp: Path
    kept: Path | None  # where the file it replaces waits until the write is done; None: a new file

    def as_json(self, root: Path) -> dict:
        rel = lambda p: None if p is None else p.relative_to(root).as_posix()  # noqa: E731
        return {"target": rel(self.target), "temp": rel(self.temp), "kept": rel(self.kept)}

    @classmethod
    def from_json(cls, root: Path, entry: dict) -> _Move:
        at = lambda p: None if p is None else root / p  # noqa: E731
        return cls(at(entry["target"]), at(entry["temp"]), at(entry["kept"]))


def temp_beside(path: Path, data) -> Path:
    """`data` (bytes, or a staged file with .path) in a new temporary file beside `path`, on disk."""
    import tempfile

    # A short name: the target's own name may already be near the 255-byte limit.
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            if hasattr(data, "path"):
                with open(data.path, "rb") as src:
                    shutil.copyfileobj(src, fh, 1 << 20)
            else:
                fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, FILE_MODE)
    except BaseException:
        os.unlink(tmp)
        raise
    return Path(tmp)


FILE_MODE = 0o644  # every file a write leaves
_COMPARE_CHUNK = 1 << 20


def unchanged(path: Path, data) -> bool:
    """Whether `path` is already what writing `data` (bytes, or a staged file
    with .path) there would leave: a regular file (not a link), mode 644,
    the same size and the same bytes. False where it cannot be read."""
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or stat.S_IMODE(st.st_mode) != FILE_MODE or st.st_size != len(data):
            return False
        with open(path, "rb") as old:
            if not hasattr(data, "path"):
                return old.read() == data
            with open(data.path, "rb") as new:
                while True:
                    a, b = old.read(_COMPARE_CHUNK), new.read(_COMPARE_CHUNK)
                    if a != b:
                        return False
                    if not a:
                        return True
    except OSError:
        return False


def _sync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _missing_folders(paths) -> list[Path]:
    """Folders the write will make, outermost first."""
    made: list[Path] = []
    for path in paths:
        for parent in reversed(Path(path).parents):
            if not parent.exists() and parent not in made:
                made.append(parent)
    return made


def _save_journal(root: Path, journal: dict) -> None:
    tmp = root / f"{TEMP_PREFIX}journal{TEMP_SUFFIX}"
    with open(tmp, "wb") as fh:
        fh.write(json.dumps(journal, ensure_ascii=False).encode("utf-8"))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, root / JOURNAL)
    _sync_dir(root)


def write_files(files: Mapping[Path, object], root: Path | None = None, *,
                commit: Callable[[str], None] | None = None, register: Path | None = None,
                stale: dict[str, str] | None = None, finish: Callable[[], None] | None = None) -> None:
    """Write `files` (target -> bytes or a staged file) all or nothing (see the
    module's note). With `root` (a folder holding every target, locked by the
    caller) a journal there lets the next run finish or undo this write after
    a crash; `commit(token)` runs once every file is in place (the register's
    transaction; `register` is its file, so recover can ask it); `stale`
    (path under root -> SHA-256) are files to remove once committed, which
    `finish()` does now and recover does if a crash came first."""
    # absolute paths throughout: temp files are made absolute, and --out may be relative
    files = {Path(p).absolute(): data for p, data in files.items()}
    root = None if root is None else Path(root).absolute()
    targets = list(files)
    check_targets(targets)
    files = {path: data for path, data in files.items() if not unchanged(path, data)}
    targets = list(files)
    made = _missing_folders(targets)
    moves: list[_Move] = []
    try:
        for path, data in files.items():
            path = Path(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            moves.append(_Move(path, temp_beside(path, data), None))
    except BaseException:
        for m in moves:
            m.temp.unlink(missing_ok=True)
        _remove_folders(made)
        raise
    for m in moves:
        if os.path.lexists(m.target):
            m.kept = m.target.parent / f"{TEMP_PREFIX}{secrets.token_hex(6)}-old{TEMP_SUFFIX}"
    token = secrets.token_hex(16)
    journal = None
    if root is not None:
        root = Path(root)
        journal = {"token": token, "register": str(Path(register).absolute()) if register else None,
                   "committed": False, "moves": [m.as_json(root) for m in moves],
                   "made": [p.relative_to(root).as_posix() for p in made if p.is_relative_to(root)],
                   "stale": dict(stale or {})}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        try:
            if journal is not None:
                _save_journal(root, journal)
            folders = {m.target.parent for m in moves}
            for m in moves:
                if m.kept is not None:
                    _keep(m.target, m.kept)
            for folder in folders:  # every old file kept, on disk, before the first one is replaced
                _sync_dir(folder)
            for m in moves:
                os.replace(m.temp, m.target)
            for folder in folders:
                _sync_dir(folder)
            if commit is not None:
                commit(token)
            elif journal is not None:
                _save_journal(root, {**journal, "committed": True})
        except BaseException:
            _undo(moves, made)
            if root is not None:
                (root / JOURNAL).unlink(missing_ok=True)
            raise
        try:  # committed: anything left undone here the next run's recover finishes
            if finish is not None:
                finish()
            _finish(moves, root, register, token)
        except (OSError, UserError, sqlite3.Error):
            pass
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _keep(target: Path, kept: Path) -> None:
    """The file `target` names, also under `kept` (a hard link; where the file
    system has none, the file itself moves there)."""
    try:
        os.link(target, kept, follow_symlinks=False)
    except OSError:
        os.replace(target, kept)


def _undo(moves: list[_Move], made: list[Path]) -> None:
    """Every target as it was before the write: old files back from where
    they were kept, new ones removed, temporary files and made folders gone."""
    for m in reversed(moves):
        if m.kept is not None and os.path.lexists(m.kept):
            if os.path.lexists(m.target) and os.path.samestat(os.lstat(m.kept), os.lstat(m.target)):
                m.kept.unlink()  # the old file still in place (a rename onto its own hard link does nothing)
            else:
                os.replace(m.kept, m.target)
        elif m.kept is None and not m.temp.exists():
            m.target.unlink(missing_ok=True)  # a new file, already in place
        m.temp.unlink(missing_ok=True)
    _remove_folders(made)


def _remove_folders(made: list[Path]) -> None:
    for folder in reversed(made):
        try:
            folder.rmdir()
        except OSError:
            pass


def _finish(moves: list[_Move], root: Path | None, register: Path | None, token: str) -> None:
    for m in moves:
        if m.temp.exists():  # not renamed yet (only after a crash before the commit, which is undone instead)
            os.replace(m.temp, m.target)
        if m.kept is not None:
            m.kept.unlink(missing_ok=True)
    if root is not None:
        (root / JOURNAL).unlink(missing_ok=True)
        _sync_dir(root)
    if register is not None:
        forget(register, token)


# -- the register's side ----------------------------------------------------------------


def mark_committed(con: sqlite3.Connection, token: str) -> None:
    """Inside the register's transaction: this write's token, committed with it."""
    con.execute(f"CREATE TABLE IF NOT EXISTS {COMMITS} (token TEXT PRIMARY KEY)")
    con.execute(f"INSERT OR IGNORE INTO {COMMITS} (token) VALUES (?)", (token,))


def forget(register: Path, token: str) -> None:
    """The token of a finished write (its journal gone) removed from the register."""
    con = sqlite3.connect(str(register), timeout=600)
    try:
        with con:
            con.execute(f"DELETE FROM {COMMITS} WHERE token = ?", (token,))
    finally:
        con.close()


def _committed_in(register: str | None, token: str, root: Path) -> bool:
    if not register:
        return False
    path = Path(register)
    if not path.is_file():
        return False  # a register moved away: the folder goes back to what it had before the write
    try:
        con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=600)
        try:
            if not con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (COMMITS,)).fetchone():
                return False
            return con.execute(f"SELECT 1 FROM {COMMITS} WHERE token = ?", (token,)).fetchone() is not None
        finally:
            con.close()
    except sqlite3.Error:
        raise UserError(f"上次写出 {root} 时中断了；要看发文登记 {path} 才能决定是完成那次写出还是恢复原有的文件，"
                        "但发文登记无法读取（已损坏）。请先按 docs/存档.md 从备份恢复发文登记，再重新运行") from None


# -- the next run -----------------------------------------------------------------------


def recover(root: Path, sweep: bool = True) -> list[str]:
    """Finish or undo a write a crash interrupted in `root` (the caller holds
    the folder's lock), then remove leftover temporary files. Returns what
    was done, as Chinese lines for the user (none when there was nothing)."""
    root = Path(root).absolute()
    path = root / JOURNAL
    notes = []
    if path.is_file():
        try:
            journal = json.loads(path.read_text(encoding="utf-8"))
            moves = [_Move.from_json(root, e) for e in journal["moves"]]
            made = [root / p for p in journal.get("made", [])]
        except (OSError, ValueError, KeyError, TypeError):
            raise UserError(f"{path} 是上次中断的写出留下的记录，但已损坏无法读取；请把输出文件夹 {root} 改名保存，"
                            "再重新生成") from None
        done = journal.get("committed") or _committed_in(journal.get("register"), journal["token"], root)
        if done:
            _finish(moves, None, None, journal["token"])
            _remove_stale(root, journal.get("stale", {}))
            path.unlink()
            _sync_dir(root)
            if journal.get("register"):
                try:
                    forget(Path(journal["register"]), journal["token"])
                except sqlite3.Error:
                    pass  # a token left behind is harmless: no journal names it any more
            notes.append(f"上次写出 {root} 时中断了（停电或程序被强行结束），但发文登记已记下那次写出：已把它完成，"
                         f"{len(moves)} 个文件都是那次生成的")
        else:
            _undo(moves, made)
            path.unlink()
            _sync_dir(root)
            notes.append(f"上次写出 {root} 时中断了（停电或程序被强行结束），发文登记没有记下那次写出：已恢复为那次之前的"
                         f"文件（涉及 {len(moves)} 个文件）")
    swept = remove_temporaries(root) if sweep else 0
    if swept and not notes:
        notes.append(f"已删除 {root} 里上次中断时留下的 {swept} 个临时文件")
    return notes


def remove_empty_parents(path: Path, root: Path) -> None:
    """The folders between `path` (removed) and `root` that are now empty."""
    for parent in path.parents:
        if parent == root or not parent.is_relative_to(root):
            break
        try:
            parent.rmdir()
        except OSError:
            break


def _remove_stale(root: Path, stale: dict[str, str]) -> None:
    for rel, digest in stale.items():
        path = root / rel
        if path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == digest:
            path.unlink()
            remove_empty_parents(path, root)


def remove_temporaries(root: Path) -> int:
    """Temporary files of writes that never got as far as their journal (.gw-*.tmp), removed."""
    count = 0
    for p in Path(root).rglob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"):
        if p.is_file() and not p.is_symlink():
            p.unlink(missing_ok=True)
            count += 1
    return count
