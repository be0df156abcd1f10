"""The documentation a user reads: README.md stays short and starts with the two
commands CI and the hook run; every relative link in README.md and docs/ leads
to a file in the repository; nothing the project ships or generates points at
a document the user does not have (the old shared spec folder, docs pages that
do not exist)."""

from __future__ import annotations

import re
import shutil
import unicodedata
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest
from click.testing import CliRunner

from gongwen import INPUTS_DIR
from gongwen.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
README_MAX_BYTES = 20_000
COMMANDS = [
    "bash scripts/setup.sh && .venv/bin/python pipeline.py build inputs/xinfeng-2023 --out outputs/xinfeng-2023",
    "bash scripts/setup.sh && .venv/bin/python -m pytest -q",
]
# Where a user's eye (or a generated file) can meet a reference to a document.
SCANNED_DIRS = ("docs", "gongwen", "templates", "inputs", "scripts")
SCANNED_SUFFIXES = {".md", ".py", ".j2", ".yaml", ".yml", ".txt", ".docx", ".xlsx"}
FORBIDDEN = ("shared/spec", "CAMPAIGN.md")
# "docs/<name>.md" as it appears in prose, comments and generated text.
DOC_REF = re.compile(r"docs/[^\s`'\"()（）<>\[\]，。、；：“”|*]+?\.md")
# [text](target) and ![alt](target), with an optional "title".
MD_LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HTML_SRC = re.compile(r"<(?:img|a)\b[^>]*?\b(?:src|href)=\"([^\"]+)\"", re.I)


def markdown_files() -> list[Path]:
    return [README, *sorted(DOCS.rglob("*.md"))]


def strip_code(text: str, inline: bool = True) -> str:
    """The text without fenced code blocks (and inline code spans): a path in
    code is an example, not a link."""
    out, fence = [], None
    for line in text.split("\n"):
        m = re.match(r"\s*(`{3,}|~{3,})", line)
        if fence is None and m:
            fence = m.group(1)[0] * len(m.group(1))
            out.append("")
            continue
        if fence is not None:
            if line.strip().startswith(fence):
                fence = None
            out.append("")
            continue
        out.append(re.sub(r"(`+)(?:(?!\1).)+?\1", "", line) if inline else line)
    return "\n".join(out)


def links(text: str) -> list[str]:
    body = strip_code(text)
    return MD_LINK.findall(body) + HTML_SRC.findall(body)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to
    hyphens (CJK characters are kept)."""
    h = re.sub(r"`|\*\*|__", "", heading.strip().lower())
    kept = "".join(c for c in h if c in " -_" or unicodedata.category(c)[0] in "LNM")
    return kept.replace(" ", "-")


def anchors(md: Path) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    for line in strip_code(md.read_text(encoding="utf-8"), inline=False).split("\n"):
        m = re.match(r"#{1,6}\s+(.+?)\s*#*\s*$", line)
        if m:
            s = slug(m.group(1))
            n = seen.get(s, 0)
            seen[s] = n + 1
            found.add(s if n == 0 else f"{s}-{n}")
    return found


def broken_links(md: Path, root: Path = ROOT) -> list[str]:
    """Every relative link of `md` that does not lead to an existing file
    inside `root` (or to a heading that exists, for #anchors)."""
    problems = []
    for target in links(md.read_text(encoding="utf-8")):
        if re.match(r"[a-z][a-z0-9+.-]*:", target, re.I):  # http:, https:, mailto:
            continue
        path, _, anchor = unquote(target).partition("#")
        dest = (md.parent / path).resolve() if path else md.resolve()
        if not dest.is_relative_to(root.resolve()):
            problems.append(f"{md.name}: {target} 在仓库之外")
        elif not dest.is_file():
            problems.append(f"{md.name}: {target} 不存在")
        elif anchor and dest.suffix == ".md" and anchor.lower() not in anchors(dest):
            problems.append(f"{md.name}: {target} 没有这个标题")
    return problems


def text_of(path: Path) -> str:
    if path.suffix in (".docx", ".xlsx"):
        with zipfile.ZipFile(path) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
    return path.read_text(encoding="utf-8", errors="replace")


def dangling_references(text: str, where: str) -> list[str]:
    problems = [f"{where}: 提到 {bad}" for bad in FORBIDDEN if bad in text]
    for ref in sorted(set(DOC_REF.findall(text))):
        if not (ROOT / ref).is_file():
            problems.append(f"{where}: {ref} 不存在")
    return problems


# ------------------------------------------------------------------ README


def test_readme_is_short():
    size = len(README.read_bytes())
    assert size <= README_MAX_BYTES, f"README.md 有 {size} 字节，上限 {README_MAX_BYTES}：细节请放进 docs/"


def test_readme_first_code_block_is_the_two_commands():
    text = README.read_text(encoding="utf-8")
    m = re.search(r"^```[^\n]*\n(.*?)^```", text, re.M | re.S)
    assert m, "README.md 没有代码块"
    assert m.group(1).split("\n")[:-1] == COMMANDS
    assert text.index(COMMANDS[0]) < text.index("\n## "), "两条命令须在第一个小节之前"


def test_readme_links_every_docs_page():
    linked = {(README.parent / unquote(t).partition("#")[0]).resolve() for t in links(README.read_text(encoding="utf-8"))}
    pages = {p.resolve() for p in DOCS.glob("*.md")}
    assert pages, "docs/ 里没有文档"
    assert pages <= linked, f"README 没有链接：{sorted(p.name for p in pages - linked)}"


# ------------------------------------------------------------------ links


@pytest.mark.parametrize("md", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(md):
    assert broken_links(md) == []


def test_docs_index_lists_every_page():
    index = DOCS / "README.md"
    linked = {(DOCS / unquote(t).partition("#")[0]).resolve() for t in links(index.read_text(encoding="utf-8"))}
    missing = [p.name for p in DOCS.glob("*.md") if p != index and p.resolve() not in linked]
    assert missing == []


def test_link_checker_catches_a_broken_link(tmp_path):
    """The checks above would pass vacuously if the parser found no links."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "页.md").write_text("# 第一节\n\n## 表格和 `csv` 文件\n", encoding="utf-8")
    md = tmp_path / "README.md"
    md.write_text(
        "[好](docs/页.md) [好](docs/%E9%A1%B5.md#第一节) [好](docs/页.md#表格和-csv-文件)\n"
        "![坏](docs/img/没有.png) [坏](docs/页.md#没有这节) [坏](../外面.md)\n"
        "`[代码里](不算.md)`\n\n```\n[代码块里](也不算.md)\n```\n[网址](https://example.org/x.md)\n",
        encoding="utf-8",
    )
    assert len(links(md.read_text(encoding="utf-8"))) == 7
    assert broken_links(md, root=tmp_path) == [
        "README.md: docs/img/没有.png 不存在",
        "README.md: docs/页.md#没有这节 没有这个标题",
        "README.md: ../外面.md 在仓库之外",
    ]


# ------------------------------------------------------------------ references to documents


def shipped_files() -> list[Path]:
    files = [README]
    for d in SCANNED_DIRS:
        files += [p for p in sorted((ROOT / d).rglob("*"))
                  if p.is_file() and p.suffix in SCANNED_SUFFIXES and "__pycache__" not in p.parts]
    return files


def test_no_reference_to_a_missing_document():
    problems = []
    for path in shipped_files():
        problems += dangling_references(text_of(path), str(path.relative_to(ROOT)))
    assert problems == []


def test_reference_checker_catches_a_missing_document():
    assert dangling_references("见 docs/活动配置.md。", "x") == []
    assert dangling_references("键的含义见 docs/campaign.md 或 shared/spec/CAMPAIGN.md。", "x") == [
        "x: 提到 shared/spec", "x: 提到 CAMPAIGN.md", "x: docs/campaign.md 不存在",
    ]


def test_draft_next_campaign_yaml_points_at_an_existing_document(tmp_path):
    src = tmp_path / "xinfeng-2023"
    shutil.copytree(INPUTS_DIR / "xinfeng-2023", src, ignore=shutil.ignore_patterns("发文登记.sqlite*", "*.lock"))
    out = tmp_path / "xinfeng-2024"
    res = CliRunner().invoke(main, ["draft-next", str(src), "--year", "2024", "--growth", "10%", "--out", str(out),
                                    "--date", "2023-12-01"])
    assert res.exit_code == 0, res.output
    text = (out / "campaign.yaml").read_text(encoding="utf-8")
    refs = DOC_REF.findall(text)
    assert refs, "生成的 campaign.yaml 没有指明键的含义在哪一页"
    assert dangling_references(text, "draft-next 生成的 campaign.yaml") == []
