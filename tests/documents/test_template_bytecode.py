"""Compiled wording templates kept in the typesetting cache's folder
(gongwen.documents.templating.bytecode_cache): a second run does not compile
a template again, a changed template is compiled again and gives its new
words, a damaged or unwritable cache only means compiling, and the output is
the same with or without it."""

from __future__ import annotations

import jinja2
import pytest

from gongwen.documents import templating
from gongwen.documents.templating import Templates

TEMPLATE = "---\n标题: {{ title }}\n---\n一、情况\n\n{{ units | join_cn }}按时报送。\n"


@pytest.fixture
def compiles(monkeypatch):
    """How many times Jinja compiles a template's text."""
    calls = []
    real = jinja2.Environment.compile

    def compile(self, source, name=None, filename=None, *args, **kwargs):
        calls.append(name)
        return real(self, source, name, filename, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", compile)
    return calls


def campaign(tmp_path, text=TEMPLATE):
    folder = tmp_path / "camp"
    (folder / "templates").mkdir(parents=True, exist_ok=True)
    (folder / "templates" / "测试.txt.j2").write_text(text, encoding="utf-8")
    return folder


CONTEXT = {"title": "关于报送情况的通报", "units": ["甲镇", "乙镇"]}


def test_a_second_run_does_not_compile_again(tmp_path, compiles):
    folder, cache = campaign(tmp_path), tmp_path / "cache" / "templates"
    first = Templates(folder, cache).source("测试.txt.j2", CONTEXT)
    assert compiles == ["测试.txt.j2"] and len(list(cache.glob("*.cache"))) == 1
    again = Templates(folder, cache).source("测试.txt.j2", CONTEXT)  # a new environment: a new process's
    assert again == first and compiles == ["测试.txt.j2"]
    assert Templates(folder).source("测试.txt.j2", CONTEXT) == first  # no cache: the same words
    assert Templates(folder, cache).notice("测试.txt.j2", CONTEXT) == Templates(folder).notice("测试.txt.j2", CONTEXT)


def test_a_changed_template_is_compiled_again(tmp_path, compiles):
    folder, cache = campaign(tmp_path), tmp_path / "cache" / "templates"
    Templates(folder, cache).source("测试.txt.j2", CONTEXT)
    campaign(tmp_path, TEMPLATE.replace("按时报送", "均已报送"))
    text = Templates(folder, cache).source("测试.txt.j2", CONTEXT)
    assert "甲镇、乙镇均已报送。" in text and compiles == ["测试.txt.j2"] * 2
    assert len(list(cache.glob("*.cache"))) == 1  # the template's one file, replaced


def test_another_compiler_leaves_no_stale_code(tmp_path, monkeypatch, compiles):
    """Code compiled by another version of templating.py (its options decide the code) is removed, not run."""
    folder, cache = campaign(tmp_path), tmp_path / "cache" / "templates"
    Templates(folder, cache).source("测试.txt.j2", CONTEXT)
    monkeypatch.setattr(templating, "_compiler_digest", lambda: "0" * 16)
    Templates(folder, cache).source("测试.txt.j2", CONTEXT)
    assert compiles == ["测试.txt.j2"] * 2
    assert [p.name[:16] for p in cache.glob("*.cache")] == ["0" * 16]


def test_a_damaged_or_unwritable_cache_only_compiles(tmp_path, compiles):
    folder, cache = campaign(tmp_path), tmp_path / "cache" / "templates"
    want = Templates(folder).source("测试.txt.j2", CONTEXT)
    Templates(folder, cache).source("测试.txt.j2", CONTEXT)
    [entry] = cache.glob("*.cache")
    entry.write_bytes(entry.read_bytes()[:40])  # cut short
    assert Templates(folder, cache).source("测试.txt.j2", CONTEXT) == want
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert Templates(folder, blocked / "templates").source("测试.txt.j2", CONTEXT) == want
    assert compiles == ["测试.txt.j2"] * 4
