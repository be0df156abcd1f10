"""The output intent's sRGB profile, read back from a generated PDF: a valid
ICC v4.2 display profile that littleCMS parses, with a correct profile ID,
the same colours as sRGB (and as the sRGB2014.icc WeasyPrint embedded before),
shared with the /ICCBased colour space, smaller than before, and the same
bytes on every render."""

from __future__ import annotations

import hashlib
import io
import struct
from importlib.resources import files

import pikepdf
import pytest
from PIL import Image, ImageCms

from gongwen import ROOT
from gongwen.writers.pdf import icc
from gongwen.notice.source import read_source
from gongwen.writers.pdf import pdf_bytes
from gongwen.writers.pdf.render import PDF_VARIANT, layout

SOURCE = ROOT / "tests" / "fixtures" / "notices" / "letter.txt"
COLOURS = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (0, 0, 0), (255, 255, 255),
           (1, 1, 1), (32, 32, 32), (64, 64, 64), (128, 128, 128), (192, 192, 192), (254, 254, 254),
           (200, 30, 40)]  # a 红头 red


def _pdfs():
    notice = read_source(SOURCE)
    first, _ = pdf_bytes(notice, str(SOURCE.parent))
    second, _ = pdf_bytes(read_source(SOURCE), str(SOURCE.parent))
    doc, *_ = layout(notice, str(SOURCE.parent))
    weasy = doc.write_pdf(pdf_variant=PDF_VARIANT)  # what WeasyPrint alone writes, before finish()
    return first, second, weasy


@pytest.fixture(scope="module")
def rendered():
    return _pdfs()


def _profile_stream(pdf):
    intents = pdf.Root.OutputIntents
    streams = [i.DestOutputProfile for i in intents]
    assert len({s.objgen for s in streams}) == 1  # PDF/A-2 6.2.3: one indirect object for all intents
    return intents[0], streams[0]


def _convert(profile: bytes, target) -> list[tuple[int, int, int]]:
    img = Image.new("RGB", (len(COLOURS), 1))
    img.putdata(COLOURS)
    src = ImageCms.ImageCmsProfile(io.BytesIO(profile))
    out = ImageCms.profileToProfile(img, src, target, renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC)
    return [out.getpixel((x, 0)) for x in range(len(COLOURS))]


def test_embedded_profile_is_a_valid_v42_srgb_display_profile(rendered):
    data, _, _ = rendered
    with pikepdf.open(io.BytesIO(data)) as pdf:
        intent, stream = _profile_stream(pdf)
        assert intent.S == "/GTS_PDFA1" and "sRGB" in str(intent.OutputConditionIdentifier)
        assert int(stream.N) == 3
        profile = stream.read_bytes()
    # header, read by hand (ICC.1:2004-10 7.2)
    assert struct.unpack(">I", profile[:4])[0] == len(profile) and len(profile) % 4 == 0
    assert profile[36:40] == b"acsp"
    assert profile[12:16] == b"mntr" and profile[16:20] == b"RGB " and profile[20:24] == b"XYZ "
    assert profile[8] == 4 and profile[9] >> 4 <= 2  # version 4.2 at most (ISO 15076-1:2005)
    assert struct.unpack(">6H", profile[24:36]) == (2000, 1, 1, 0, 0, 0)  # fixed creation date
    # profile ID: MD5 over the profile with flags, rendering intent and ID zeroed (7.2.18)
    zeroed = bytearray(profile)
    zeroed[44:48] = bytes(4)
    zeroed[64:68] = bytes(4)
    zeroed[84:100] = bytes(16)
    assert profile[84:100] == hashlib.md5(zeroed).digest()
    # and littleCMS reads it as such
    cms = ImageCms.ImageCmsProfile(io.BytesIO(profile)).profile
    assert cms.version <= 4.2 and cms.device_class == "mntr"
    assert cms.xcolor_space == "RGB " and cms.connection_space == "XYZ " and cms.is_matrix_shaper
    assert cms.profile_id == profile[84:100]


def test_embedded_profile_gives_srgb_colours(rendered):
    data, _, weasy = rendered
    with pikepdf.open(io.BytesIO(data)) as pdf:
        profile = _profile_stream(pdf)[1].read_bytes()
    for target in (ImageCms.createProfile("sRGB"),  # littleCMS's built-in sRGB
                   ImageCms.ImageCmsProfile(io.BytesIO((files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()))):
        got = _convert(profile, target)
        for want, have in zip(COLOURS, got):
            assert max(abs(a - b) for a, b in zip(want, have)) <= 1, (want, have)
    # the profile WeasyPrint embedded before says the same of the same colours
    with pikepdf.open(io.BytesIO(weasy)) as pdf:
        before = _profile_stream(pdf)[1].read_bytes()
    for want, have in zip(_convert(before, ImageCms.createProfile("sRGB")), _convert(profile, ImageCms.createProfile("sRGB"))):
        assert max(abs(a - b) for a, b in zip(want, have)) <= 1, (want, have)


def test_iccbased_colour_spaces_share_the_new_profile(rendered):
    data, _, _ = rendered
    with pikepdf.open(io.BytesIO(data)) as pdf:
        _, stream = _profile_stream(pdf)
        new = stream.read_bytes()
        seen = 0
        for page in pdf.pages:
            spaces = page.Resources.get("/ColorSpace", {})
            for name, space in spaces.items():
                if isinstance(space, pikepdf.Array) and space[0] == "/ICCBased":
                    seen += 1
                    assert int(space[1].N) == 3
                    if name == "/srgb":  # WeasyPrint's sRGB space points to the output intent's profile
                        assert space[1].objgen == stream.objgen and space[1].read_bytes() == new
        assert seen >= 1


def test_profile_stream_is_smaller_than_weasyprints(rendered):
    data, _, weasy = rendered
    with pikepdf.open(io.BytesIO(weasy)) as pdf:
        old = _profile_stream(pdf)[1]
        old_raw, old_decoded = len(old.read_raw_bytes()), len(old.read_bytes())
    with pikepdf.open(io.BytesIO(data)) as pdf:
        new = _profile_stream(pdf)[1]
        new_raw, new_decoded = len(new.read_raw_bytes()), len(new.read_bytes())
        assert new.get("/Filter") == "/FlateDecode"
    assert new_decoded < old_decoded and new_raw < old_raw
    assert old_raw - new_raw > 1500  # ~2.5 KB -> ~0.4 KB in the file


def test_same_bytes_on_every_render(rendered):
    first, second, _ = rendered
    assert first == second
    with pikepdf.open(io.BytesIO(first)) as pdf:
        embedded = _profile_stream(pdf)[1].read_bytes()
    icc.srgb_profile.cache_clear()  # built again from littleCMS: same bytes, whatever the clock says
    assert icc.srgb_profile() == embedded


def test_srgb_profile_recognised_by_its_header_and_description():
    """pdfa.compact_output_intents swaps a profile that says it is an sRGB
    display profile (WeasyPrint's, whatever its bytes), and no other."""
    weasyprints = (files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()
    assert icc.description(weasyprints) == "sRGB2014" and icc.is_srgb_display(weasyprints)  # ICC v2 'desc'
    assert icc.description(icc.srgb_profile()) == "sRGB built-in" and icc.is_srgb_display(icc.srgb_profile())  # v4 'mluc'
    other = bytearray(weasyprints)
    other[12:16] = b"prtr"  # a printer profile
    lab = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    for data in (bytes(other), lab, weasyprints[:-4], b"", b"\0" * 200):
        assert not icc.is_srgb_display(data)

    def intent_pdf(profile: bytes) -> pikepdf.Pdf:
        pdf = pikepdf.new()
        stream = pdf.make_stream(profile)
        stream.N = 3
        pdf.Root.OutputIntents = pikepdf.Array([pikepdf.Dictionary(
            Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFA1, DestOutputProfile=stream)])
        return pdf

    from gongwen.writers.pdf.pdfa import compact_output_intents

    # the same description in a profile that is otherwise different bytes: still WeasyPrint's sRGB
    moved = bytearray(weasyprints)
    moved[24:36] = struct.pack(">6H", 2024, 5, 6, 7, 8, 9)  # another creation date
    for profile, swapped in ((weasyprints, True), (bytes(moved), True), (bytes(other), False), (lab, False)):
        with intent_pdf(profile) as pdf:
            assert compact_output_intents(pdf) == int(swapped)
            stream = pdf.Root.OutputIntents[0].DestOutputProfile
            assert stream.read_bytes() == (icc.srgb_profile() if swapped else profile)
