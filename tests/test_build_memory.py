"""What keeps a large build's memory down, checked on real outputs and real
processes: finished files wait on disk in a staging folder (not in memory) and
reach their targets byte for byte; a full disk while staging writes nothing;
pool workers never load pandas; heavy documents are typeset first, together."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

import pytest

from gongwen.bench.memory import children, default_role
from gongwen.bench.synthetic import make_campaign
from gongwen.campaign import xlsxio
from gongwen.campaign.build import compute, render, write
from gongwen.campaign.folder import load_campaign
from gongwen.campaign.xlsxio import SPILL_BYTES, FileStore, Staged, ram_backed, write_all
from gongwen.build import typesetters as pool
from gongwen.build.campaign import collect
from tests.build_helpers import add_documents
from gongwen.documents.common import Doc
from gongwen.errors import UserError
from gongwen.notice.tree import Notice, Paragraph, Table


def _staged_files(store: FileStore) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in store.staging.iterdir()} if store.staging else {}


def test_store_keeps_large_files_on_disk(tmp_path):
    store = FileStore()
    big, small = os.urandom(SPILL_BYTES + 1), b"small"
    store[tmp_path / "a.pdf"] = big
    store[tmp_path / "b.xml"] = small
    if ram_backed(tempfile.gettempdir()):
        pytest.skip("the temporary folder is in memory here: nothing is staged")
    staged = _staged_files(store)
    assert list(staged.values()) == [big]  # the large file on disk, the small one not
    assert not store.staging.is_relative_to(tmp_path)  # never inside the output folder
    assert store[tmp_path / "a.pdf"] == big and store[tmp_path / "b.xml"] == small
    assert tmp_path / "a.pdf" in store and str(tmp_path / "a.pdf") in store and tmp_path / "c" not in store
    assert store.size(tmp_path / "a.pdf") == len(big)
    # replacing an entry removes the old staged file
    bigger = os.urandom(2 * SPILL_BYTES)
    store[tmp_path / "a.pdf"] = bigger
    assert list(_staged_files(store).values()) == [bigger]
    # written byte for byte, without a temporary file left, from the staged copy
    out = tmp_path / "out"
    write_all({out / "x" / "a.pdf": store.raw()[tmp_path / "a.pdf"], out / "b.xml": small})
    assert (out / "x" / "a.pdf").read_bytes() == bigger and (out / "b.xml").read_bytes() == small
    assert sorted(p.name for p in out.rglob("*")) == ["a.pdf", "b.xml", "x"]
    folder = store.staging
    store.close()
    assert not folder.exists() and list(store) == [tmp_path / "b.xml"]


def test_store_in_memory_where_temp_is_tmpfs(tmp_path, monkeypatch):
    shm = Path("/dev/shm")
    if not (shm.is_dir() and ram_backed(shm) and os.access(shm, os.W_OK)):
        pytest.skip("no writable tmpfs at /dev/shm")
    assert not ram_backed(tmp_path) or str(tmp_path).startswith("/dev/shm")
    monkeypatch.setattr(tempfile, "tempdir", str(shm))
    store = FileStore()
    data = os.urandom(SPILL_BYTES * 2)
    store[tmp_path / "a.pdf"] = data
    assert store.staging is None and not isinstance(store.raw()[tmp_path / "a.pdf"], Staged)
    assert store[tmp_path / "a.pdf"] == data


@pytest.fixture(scope="module")
def small_campaign(tmp_path_factory):
    folder = tmp_path_factory.mktemp("campaign")
    make_campaign(folder, units=6)
    return folder


def test_build_stages_documents_and_writes_them_unchanged(small_campaign, tmp_path):
    c = compute(load_campaign(small_campaign))
    out = tmp_path / "out"
    r = render(c, out)
    docs = collect(c, r)
    add_documents(c, out, r, docs, jobs=2)
    if ram_backed(tempfile.gettempdir()):
        pytest.skip("the temporary folder is in memory here: nothing is staged")
    raw = r.files.raw()
    staged = {p: v for p, v in raw.items() if isinstance(v, Staged)}
    pdfs = [p for p in raw if p.suffix == ".pdf"]
    assert len(pdfs) == len(docs) and set(pdfs) <= set(staged)  # every PDF waited on disk
    for p, v in staged.items():
        assert v.path.parent == r.files.staging and v.path.stat().st_size == v.size
        assert r.manifest.files[p.relative_to(out).as_posix()]["bytes"] == v.size
    written = write(r, out)
    assert len(written) == len(raw) + 1  # and manifest.json
    import hashlib
    for p in raw:
        entry = r.manifest.files[p.relative_to(out).as_posix()]
        assert hashlib.sha256(p.read_bytes()).hexdigest() == entry["sha256"]
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


def test_disk_full_while_staging(small_campaign, tmp_path, monkeypatch):
    if ram_backed(tempfile.gettempdir()):
        pytest.skip("the temporary folder is in memory here: nothing is staged")
    c = compute(load_campaign(small_campaign))
    out = tmp_path / "out"
    r = render(c, out)
    docs = [d for d in collect(c, r) if d.kind == "得分反馈单"][:2]
    real_open = open

    def full(path, mode="r", *args, **kw):
        if "x" in mode:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(path, mode, *args, **kw)

    monkeypatch.setattr(xlsxio, "open", full, raising=False)
    with pytest.raises(UserError) as exc:
        add_documents(c, out, r, docs, jobs=1)
    assert exc.value.message.startswith("暂存排好的文件失败：磁盘空间已满，请腾出空间后重新运行")
    assert "本次没有写出任何文件" in exc.value.message
    assert not out.exists()


def test_workers_do_not_load_pandas(small_campaign, tmp_path):
    """Read each pool worker's memory map while it runs: the typesetting
    libraries are there, pandas (and the rest of intake) is not."""
    c = compute(load_campaign(small_campaign))
    r = render(c, tmp_path / "out")
    docs = collect(c, r)
    maps: dict[int, str] = {}

    def look(_doc):
        for pid in children(os.getpid()):
            if default_role(pid, os.getpid()) == "worker":
                try:
                    maps[pid] = Path(f"/proc/{pid}/maps").read_text()
                except OSError:
                    pass

    done = list(pool.typeset_all(docs, c.campaign.folder, 2, done=look))
    assert len(done) == len(docs)
    assert len(maps) == 2
    for text in maps.values():
        assert "libpango" in text  # a worker that typesets
        assert "/pandas/" not in text and "/numpy/" not in text


def _doc(name: str, paragraphs: int = 1, rows: int = 0) -> Doc:
    body = [Paragraph("正文" * 20) for _ in range(paragraphs)]
    if rows:
        body.append(Table(header=[["单位", "得分"]], rows=[["某单位", "1"]] * rows))
    return Doc(rel=name, notice=Notice(title=name, body=body), kind="k", period="p")


def test_heavy_documents_first_together_biggest_first():
    docs = [_doc(f"d{i}") for i in range(300)]
    docs[3] = _doc("bulletin", 50, 200)
    docs[298] = _doc("annual", 60, 400)
    docs[299] = _doc("final", 40, 250)
    chunks = pool._chunks(docs, 2)
    first, heavy = chunks[0]
    assert heavy and [job.rel for _, job in first] == ["annual", "final", "bulletin"]
    assert not any(h for _, h in chunks[1:])
    seen = sorted(i for chunk, _ in chunks for i, _ in chunk)
    assert seen == list(range(300))  # every document once
    assert all(job.context is None for chunk, _ in chunks for _, job in chunk)  # no template context sent
    # heavier than one worker's share together: each alone, still first
    docs = [_doc(f"d{i}") for i in range(10)] + [_doc("a", 50, 3000), _doc("b", 50, 2000)]
    chunks = pool._chunks(docs, 2)
    assert [[job.rel for _, job in chunk] for chunk, heavy in chunks if heavy] == [["a"], ["b"]]
    assert chunks[0][1] and chunks[1][1]


def test_bigger_light_documents_go_alone_and_first():
    """A small campaign: the plan, 通报 and summaries are several times a 得分反馈单
    but not heavy; each is a chunk of its own, biggest first, so the two
    workers share them instead of one getting them all at the end."""
    docs = [_doc("plan", 40)] + [_doc(f"fb{i}", 1, 5) for i in range(30)] + [_doc("final", 8, 40), _doc("annual", 8, 30)]
    chunks = pool._chunks(docs, 2)
    assert not any(h for _, h in chunks)
    names = [[job.rel for _, job in chunk] for chunk, _ in chunks]
    assert names[:3] == [["final"], ["annual"], ["plan"]]
    assert all(n[0].startswith("fb") for n in names[3:])
    assert sorted(i for chunk, _ in chunks for i, _ in chunk) == list(range(len(docs)))
