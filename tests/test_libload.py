"""WeasyPrint imported through gongwen.writers.pdf.libload: the same library
answers as ctypes.util.find_library gives, with one process (`ldconfig -p`)
instead of three per name WeasyPrint tries."""

from __future__ import annotations

import ctypes.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from gongwen import ROOT
from gongwen.writers.pdf import libload

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux") or not Path(libload.LDCONFIG).exists(),
                                reason="the quick look-up is for Linux with ldconfig")


def weasyprint_names() -> list[str]:
    """Every library name weasyprint/text/ffi.py passes to its _dlopen."""
    import importlib.util

    source = Path(importlib.util.find_spec("weasyprint.text.ffi").origin).read_text(encoding="utf-8")
    calls = re.findall(r"_dlopen\(\s*ffi,(.*?)\)", source, re.S)
    names = [n for call in calls for n in re.findall(r"'([^']+)'", call)]
    assert len(names) >= 20
    return names


def test_same_answers_as_ctypes():
    finder = libload._Finder(libload._ldconfig(), ctypes.util.find_library)
    names = weasyprint_names() + ["c", "m", "z", "no-such-library-here"]
    assert [finder(n) for n in names] == [ctypes.util.find_library(n) for n in names]


CHILD = """
import json, subprocess, sys
runs = []
real = subprocess.Popen.__init__
def init(self, args, *a, **k):
    runs.append(list(args) if isinstance(args, (list, tuple)) else [args])
    real(self, args, *a, **k)
subprocess.Popen.__init__ = init
from gongwen.writers.pdf.libload import import_weasyprint
weasyprint = import_weasyprint()
from weasyprint.text import ffi
import ctypes.util
print(json.dumps({"runs": runs, "loaded": [m is not None for m in (ffi.gobject, ffi.pango, ffi.harfbuzz, ffi.fontconfig, ffi.pangoft2)],
                  "subset": ffi.harfbuzz_subset is not None, "restored": ctypes.util.find_library.__module__}))
"""


def test_import_runs_one_process():
    out = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, capture_output=True, text=True, check=True)
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["runs"] == [[libload.LDCONFIG, "-p"]]
    assert all(seen["loaded"])
    # the subset library as WeasyPrint's own import finds it
    assert seen["subset"] == (ctypes.util.find_library("harfbuzz-subset") is not None)
    assert seen["restored"] == "ctypes.util"
