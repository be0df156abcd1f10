"""`annual`: the 年终考评 通报 of one year from one or several campaigns,
built like any document of a build: numbered from the register, typeset in
every chosen format, written all or nothing under the output folder's lock,
with annual/manifest.json (paths relative to annual/, so `verify
OUT/annual` checks it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gongwen.build import typesetters
from gongwen.build.progress import Progress, report
from gongwen.campaign import Computed, compute, load_campaign
from gongwen.campaign.build import Rendered
from gongwen.campaign.manifest import Manifest
from gongwen.documents import annual
from gongwen.documents.common import Doc
from gongwen.documents.settings import load_documents
from gongwen.documents.templating import Templates
from gongwen.errors import UserError
from gongwen.writers import registry


@dataclass
class AnnualBuild:
    out: Path  # the folder holding annual/
    year: int
    doc: Doc
    result: annual.AnnualResult
    pages: int
    formats: tuple[str, ...]  # written
    warnings: dict[str, list[str]] = field(default_factory=dict)  # campaign folder -> intake warnings
    written: list[Path] = field(default_factory=list)
    assigned: object | None = None
    removed: list[str] = field(default_factory=list)  # an earlier annual's files this one did not make again
    edited: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)  # a write a crash interrupted, finished or undone first


def build_annual(folders: list[str | Path], out: str | Path, year: int | None = None, *,
                 formats: tuple[str, ...] | None = None, register_file: Path | None = None,
                 reissue: bool = False, progress: Progress | None = None) -> AnnualBuild:
    """The year's 年终考评 of `folders` (the first campaign's documents.annual
    gives the rules and issuing details) into OUT/annual/."""
    from gongwen.archive.register import assign, write_registered

    out = Path(out)
    formats = tuple(formats or registry.default_formats())
    report(progress, "读取活动配置和参评单位")
    loaded = [load_campaign(folder) for folder in folders]
    if year is None:
        year = load_documents(loaded[0].config.documents).annual.year or int(loaded[0].months[0][:4])
    outside = [f"{camp.folder}（{'、'.join(camp.months)}）" for camp in loaded
               if not any(int(m[:4]) == year for m in camp.months)]
    if outside:
        raise UserError(f"这些活动的月份不在{year}年内，不能参加{year}年度考评：", outside)
    computed: list[Computed] = []
    warnings = {}
    for i, camp in enumerate(loaded):
        report(progress, f"读取并检查 {camp.folder} 的报表", i, len(loaded))
        c = compute(camp)
        if c.warnings:
            warnings[str(camp.folder)] = c.warnings
        computed.append(c)
    primary = computed[0]
    rendered = Rendered(manifest=Manifest(campaign="+".join(c.campaign.id for c in computed), folder=annual.ANNUAL_DIR))
    base = Path.cwd()
    inputs = sorted({i for c in computed for i in annual.campaign_inputs(base, c, rendered.manifest.add_input)})
    report(progress, "计算考评结果")
    doc, result = annual.annual_document(computed, Templates(primary.campaign.folder), inputs, year)
    assigned = assign(primary.campaign, [doc], reissue=reissue, path=register_file)
    report(progress, f"排版 {doc.rel}", 0, 1)
    typeset = typesetters.typeset_doc(doc, primary.campaign.folder, formats)
    report(progress, f"排版 {doc.rel}", 1, 1)
    written_formats = []
    for ext, data in typeset.files.items():
        if data is None:
            continue
        rel = f"{doc.rel}.{ext}"
        rendered.files[out / rel] = data
        rendered.manifest.add(rel, data, doc.inputs, kind=doc.kind, period=doc.period)
        written_formats.append(ext)
    report(progress, "写出文件")
    written = write_registered(rendered, out, assigned)
    return AnnualBuild(out, year, doc, result, typeset.pages, tuple(written_formats), warnings, written, assigned,
                       rendered.removed, rendered.edited, rendered.foreign, rendered.recovered)
