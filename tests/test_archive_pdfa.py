"""What a PDF/A validator would check, checked with pikepdf (no validator
installs here): identification, output intent, fonts, no encryption, no
transparency or JavaScript, metadata consistent with the document info."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pikepdf
import pytest

from gongwen import INPUTS_DIR, ROOT
from gongwen.notice.source import read_source
from gongwen.writers.pdf import write_pdf

SOURCES = [INPUTS_DIR / "examples" / "002-xinfeng-bairi-gongjian.txt", ROOT / "tests" / "fixtures" / "notices" / "tables.txt"]


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    out = tmp_path_factory.mktemp("pdfa")
    result = []
    for src in SOURCES:
        notice = read_source(src)
        path = out / f"{src.stem}.pdf"
        write_pdf(notice, path, base_url=str(src.parent))
        result.append((path, notice))
    return result


def _walk(obj, seen=None):
    """Every dictionary and stream reachable from obj (cycles cut)."""
    seen = set() if seen is None else seen
    stack = [obj]
    while stack:
        o = stack.pop()
        if isinstance(o, (pikepdf.Dictionary, pikepdf.Stream)):
            key = o.objgen if o.is_indirect else id(o)
            if key in seen:
                continue
            seen.add(key)
            yield o
            stack.extend(o.values() if isinstance(o, pikepdf.Dictionary) else o.stream_dict.values())
        elif isinstance(o, pikepdf.Array):
            stack.extend(o)


def test_pdfa_identification_and_output_intent(pdfs):
    for path, _ in pdfs:
        with pikepdf.open(path) as pdf:
            meta = pdf.open_metadata()
            assert meta.pdfa_status == "2B"
            intents = pdf.Root.OutputIntents
            assert len(intents) >= 1
            intent = intents[0]
            assert intent.S == "/GTS_PDFA1"
            profile = intent.DestOutputProfile
            data = profile.read_bytes()
            assert int(profile.N) == 3 and data[36:40] == b"acsp" and data[16:20] == b"RGB "  # an RGB ICC profile


def test_fonts_embedded_with_tounicode(pdfs):
    for path, _ in pdfs:
        with pikepdf.open(path) as pdf:
            fonts = [o for o in _walk(pdf.Root) if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/Font"]
            assert fonts
            for f in fonts:
                if f.get("/Subtype") in ("/CIDFontType0", "/CIDFontType2"):
                    continue  # a descendant of a Type0 font: checked through its parent
                if f.get("/Subtype") == "/Type0":
                    assert "/ToUnicode" in f
                    desc = f.DescendantFonts[0].FontDescriptor
                else:
                    desc = f.get("/FontDescriptor")
                    assert "/ToUnicode" in f or f.get("/Subtype") == "/Type3"
                if desc is not None:
                    assert any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")), str(f.get("/BaseFont"))


def test_no_encryption_transparency_or_javascript(pdfs):
    for path, _ in pdfs:
        with pikepdf.open(path) as pdf:
            assert not pdf.is_encrypted
            assert "/Encrypt" not in pdf.trailer
            names = pdf.Root.get("/Names", {})
            assert "/JavaScript" not in names
            assert "/OpenAction" not in pdf.Root and "/AA" not in pdf.Root
            for o in _walk(pdf.Root):
                d = o if isinstance(o, pikepdf.Dictionary) else o.stream_dict
                assert d.get("/S") != "/JavaScript"
                assert "/JS" not in d
                group = d.get("/Group")
                assert group is None or group.get("/S") != "/Transparency"
                if d.get("/Type") == "/ExtGState":
                    assert float(d.get("/CA", 1)) == 1 and float(d.get("/ca", 1)) == 1
                    assert d.get("/SMask", "/None") == "/None"


def test_metadata_matches_docinfo_and_notice(pdfs):
    for path, notice in pdfs:
        with pikepdf.open(path) as pdf:
            meta = pdf.open_metadata()
            info = pdf.docinfo
            title = notice.title.replace("\n", "")
            assert str(info.Title) == meta["dc:title"] == title
            assert str(info.Author) == "; ".join(notice.organs)  # the XMP dc:creator list, as pikepdf syncs it
            assert meta["dc:creator"] == notice.organs
            assert meta["dc:language"] == {"zh-CN"} and str(pdf.Root.Lang) == "zh-CN"
            d = notice.date
            assert str(info.CreationDate).startswith(f"D:{d:%Y%m%d}")
            assert meta["xmp:CreateDate"].startswith(d.isoformat())
            ns = "{https://gongwen.invalid/ns/notice/1.0/}"
            assert meta[ns + "DocumentNumber"] == notice.number
            assert meta[ns + "IssuingOrgan"] == "、".join(notice.organs)
            assert meta[ns + "DateWritten"] == d.isoformat()
            if notice.meta.get("月份"):
                assert meta[ns + "Month"] == notice.meta["月份"]


def test_same_notice_same_bytes_across_processes(tmp_path):
    """Two separate processes give byte-identical PDFs; SOURCE_DATE_EPOCH sets the date."""
    src = SOURCES[0]
    code = ("import sys; from gongwen.notice.source import read_source; from gongwen.writers.pdf import write_pdf;"
            f"write_pdf(read_source({str(src)!r}), sys.argv[1])")
    outs = []
    for i in range(2):
        path = tmp_path / f"{i}.pdf"
        subprocess.run([sys.executable, "-c", code, str(path)], check=True, cwd=ROOT)
        outs.append(path.read_bytes())
    assert outs[0] == outs[1]
    env_path = tmp_path / "epoch.pdf"
    env = {"SOURCE_DATE_EPOCH": "1700000000", "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-c", code, str(env_path)], check=True, cwd=ROOT, env=env)
    with pikepdf.open(env_path) as pdf:
        when = dt.datetime.fromtimestamp(1700000000, dt.timezone(dt.timedelta(hours=8)))
        assert str(pdf.docinfo.CreationDate).startswith(f"D:{when:%Y%m%d%H%M%S}")


def test_kept_metadata_gives_the_same_file_as_editing_it_again():
    """Sheets of one month share their XMP packet and document information:
    pikepdf edits it for the first, the others get what it gave (pdfa._METADATA)."""
    import io

    from gongwen.writers.pdf import pdfa
    from gongwen.notice.source import notice_from_source
    from gongwen.writers.pdf import pdf_bytes

    def sheet(unit: str):
        return notice_from_source(f"---\n标题: 6月得分反馈单\n发文机关: 信丰县招商办\n成文日期: 2023-07-02\n---\n"
                                  f"{unit}：本月得分如下。\n", None, unit)

    pdfa._METADATA.clear()
    pdf_bytes(sheet("东塘镇"))
    assert len(pdfa._METADATA) == 1
    kept, _ = pdf_bytes(sheet("油石乡"))
    assert len(pdfa._METADATA) == 1  # the same packet and fields: nothing new to keep
    pdfa._METADATA.clear()
    edited, _ = pdf_bytes(sheet("油石乡"))
    assert kept == edited
    with pikepdf.open(io.BytesIO(kept)) as pdf:
        meta = pdf.open_metadata()
        assert meta["gw:IssuingOrgan"] == "信丰县招商办" and str(pdf.docinfo["/Title"]) == "6月得分反馈单"
