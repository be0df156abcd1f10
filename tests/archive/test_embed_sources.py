"""--embed-sources: PDF/A-3b carrying the exact input files (Source) and the
month's 得分明细.xlsx (Data) as associated files; deterministic; still PDF/A."""

from __future__ import annotations

import json

import pikepdf
import pytest

from gongwen.archive.verify import verify

from archive_helpers import build, hashes, make_campaign

BULLETIN = "2023-06/6月工作情况通报.pdf"


@pytest.fixture
def embedded(tmp_path, fast):
    camp = make_campaign(tmp_path)
    out = tmp_path / "out"
    result = build(camp, out, "--embed-sources")
    return camp, out, result


def test_pdf_a3b_with_the_inputs_and_scores_as_associated_files(embedded):
    camp, out, result = embedded
    assert "2 份 PDF 存为 PDF/A-3b" in result.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entry = next(e for e in manifest["files"] if e["path"] == BULLETIN)
    assert entry["inputs"] == ["campaign.yaml", "reports/2023-06.xlsx", "units.xlsx"]
    with pikepdf.open(out / BULLETIN) as pdf:
        assert pdf.open_metadata().pdfa_status == "3B"
        attached = {name: spec.get_file().read_bytes() for name, spec in pdf.attachments.items()}
        expected = {shown: (camp / shown).read_bytes() for shown in entry["inputs"]}
        expected["2023-06/得分明细.xlsx"] = (out / "2023-06" / "得分明细.xlsx").read_bytes()
        assert attached == expected  # the exact bytes
        af = pdf.Root.AF
        assert len(af) == len(expected)
        relationships = {}
        for spec in af:
            assert spec.Type == "/Filespec" and "/UF" in spec and "/F" in spec
            stream = spec.EF.F
            assert str(stream.Subtype).startswith("/")  # a MIME type, as PDF/A-3 requires
            assert "/ModDate" in stream.Params
            relationships[str(spec.UF)] = str(spec.AFRelationship)
        assert relationships == {"campaign.yaml": "/Source", "reports/2023-06.xlsx": "/Source",
                                 "units.xlsx": "/Source", "2023-06/得分明细.xlsx": "/Data"}
        ns = "{https://gongwen.invalid/ns/notice/1.0/}"
        meta = pdf.open_metadata()
        assert meta[ns + "Month"] == "2023-06" and meta["dc:language"] == {"zh-CN"}
        assert str(pdf.Root.Lang) == "zh-CN" and pdf.Root.OutputIntents[0].S == "/GTS_PDFA1"
        assert not pdf.is_encrypted
    assert verify(out).ok  # the manifest has the PDFs' new hashes


def test_without_the_option_pdfs_stay_2b_without_attachments(tmp_path, fast):
    out = tmp_path / "out"
    build(make_campaign(tmp_path), out)
    with pikepdf.open(out / BULLETIN) as pdf:
        assert pdf.open_metadata().pdfa_status == "2B"
        assert len(pdf.attachments) == 0 and "/AF" not in pdf.Root


def test_embedding_is_deterministic(embedded, tmp_path):
    camp, out, _ = embedded
    again = tmp_path / "again"
    build(camp, again, "--embed-sources")
    assert hashes(out) == hashes(again)
