"""verify cannot be fooled: manifest paths outside the folder (../, absolute,
through a link) are refused and never opened; leftover temporaries are extra."""

from __future__ import annotations

import hashlib
import json

from click.testing import CliRunner

from archive_helpers import main


def sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def test_manifest_cannot_reach_outside_and_temps_are_listed(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"outside")
    (out / "a.docx").write_bytes(b"doc")
    (out / "link.docx").symlink_to(secret)
    (out / "a.docx.tmp").write_bytes(b"half")
    (out / "b.pdf.part").write_bytes(b"half")
    files = [
        {"path": "a.docx", "sha256": sha(b"doc")},
        {"path": "../secret.txt", "sha256": sha(b"outside")},
        {"path": str(secret), "sha256": sha(b"outside")},
        {"path": "sub/../../secret.txt", "sha256": sha(b"outside")},
        {"path": "link.docx", "sha256": sha(b"outside")},
    ]
    (out / "manifest.json").write_text(json.dumps({"files": files}), encoding="utf-8")

    from gongwen.archive.verify import verify

    report = verify(out)
    assert report.refused == sorted(["../secret.txt", str(secret), "sub/../../secret.txt", "link.docx"])
    assert report.extra == ["a.docx.tmp", "b.pdf.part"]
    assert report.missing == [] and report.changed == [] and not report.ok

    result = CliRunner().invoke(main, ["verify", str(out)])
    assert result.exit_code == 1
    assert "清单里指向文件夹以外、已拒绝核对 4 个：" in result.output
    assert "  · ../secret.txt" in result.output and "  · a.docx.tmp" in result.output
    assert "核对了 1 个文件：缺失 0，被改动 0，多出 2，拒绝 4" in result.output
    assert "Traceback" not in result.output


def test_register_hook_is_called(tmp_path):
    from gongwen.archive.verify import verify

    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({"files": []}), encoding="utf-8")
    seen = []
    report = verify(out, numbered=lambda folder, manifest: seen.append((folder, manifest)) or ["信办字〔2023〕1号 与登记不符"])
    assert seen == [(out, {"files": []})] and report.numbered == ["信办字〔2023〕1号 与登记不符"] and not report.ok
