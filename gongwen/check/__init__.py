"""格式检查: a DOCX or PDF from any origin checked against GB/T 9704-2012.

A DOCX is checked twice: in its XML (effective formatting resolved through
document defaults, styles and direct formatting) and as a client lays it out
(LibreOffice to PDF, then measured with gongwen.check.measure). A PDF is
measured only. Layout numbers come from styles/layout.yaml."""

from __future__ import annotations

import tempfile
from pathlib import Path

from gongwen.check.findings import RULES, Finding, Report
from gongwen.errors import UserError

__all__ = ["RULES", "Finding", "Report", "check_file", "check_files", "check_docx", "check_pdf_file"]


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """A rule found in the XML and again in the layout at the same place is said once."""
    out, seen = [], set()
    for f in findings:
        key = (f.rule, f.measured, f.where)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def check_docx(path: Path, layout: bool = True, laid_out: Path | None = None) -> Report:
    """laid_out: the PDF LibreOffice already made of this DOCX (check_files converts many at once)."""
    from gongwen.check import convert
    from gongwen.check.docx_rules import check_docx_xml
    from gongwen.check.docxread import read_docx
    from gongwen.check.pdf_rules import check_pdf

    report = Report(str(path), "docx")
    doc = read_docx(path)
    report.findings = check_docx_xml(doc)
    def measured(pdf: Path) -> None:
        xml_rules = report.rules()
        for f in check_pdf(pdf, source="版面", text_rules=False):
            # the same defect seen in the XML is reported there, with the paragraph
            if f.rule not in xml_rules or f.rule in ("grid", "margins", "page_number", "red_rule", "masthead"):
                report.findings.append(f)

    if layout and laid_out is not None:
        measured(laid_out)
    elif layout:
        if convert.soffice() is None:
            report.notes.append("本机没有 LibreOffice，只检查了 DOCX 的格式设置，没有检查实际版面。")
        else:
            with tempfile.TemporaryDirectory(prefix="gongwen-check-") as tmp:
                src = Path(tmp) / "document.docx"
                src.write_bytes(Path(path).read_bytes())
                measured(convert.convert(src, "pdf", Path(tmp)))
    report.findings = _dedupe(report.findings)
    return report


def check_pdf_file(path: Path) -> Report:
    from gongwen.check.pdf_rules import check_pdf

    report = Report(str(path), "pdf")
    report.findings = check_pdf(path)
    return report


def check_files(paths: list[Path], layout: bool = True) -> list[Report]:
    """Several files checked; the DOCX are laid out by one LibreOffice run."""
    from gongwen.check import convert

    paths = [Path(p) for p in paths]
    docx = [p for p in paths if p.suffix.lower() == ".docx" and p.is_file()]
    with tempfile.TemporaryDirectory(prefix="gongwen-check-") as tmp:
        pdfs = convert.convert_many(docx, "pdf", Path(tmp)) if layout and len(docx) > 1 else {}
        return [check_file(p, layout, laid_out=pdfs.get(p)) for p in paths]


def check_file(path: Path, layout: bool = True, laid_out: Path | None = None) -> Report:
    """One file checked; a file that cannot be read gives a report with `error`."""
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if not path.is_file():
            raise UserError(f"找不到文件：{path}")
        if suffix == ".docx":
            return check_docx(path, layout, laid_out)
        if suffix == ".pdf":
            return check_pdf_file(path)
        if suffix in (".doc", ".wps"):
            from gongwen.check import convert

            with tempfile.TemporaryDirectory(prefix="gongwen-doc-") as tmp:
                docx = convert.doc_to_docx(path, Path(tmp))
                report = check_docx(docx, layout)
                report.file, report.kind = str(path), "doc"
                report.notes.append("旧版 .doc 文件由 LibreOffice 转为 .docx 后检查。")
                return report
        raise UserError(f"{path.name}：只能检查 .docx、.pdf（或装有 LibreOffice 时的 .doc）文件")
    except UserError as exc:
        return Report(str(path), suffix.lstrip("."), error=str(exc))
    except Exception as exc:  # a damaged file: say so, do not crash the whole run
        return Report(str(path), suffix.lstrip("."), error=f"{path.name} 无法读取（{type(exc).__name__}: {exc}）")
