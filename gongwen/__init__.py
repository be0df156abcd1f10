"""gongwen: Chinese official notices (公文) in GB/T 9704-2012 layout, from campaign data."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# GONGWEN_STYLES_DIR: another styles/ folder (a copy with changed layout.yaml,
# fonts.yaml, …); read once at import, so typesetting workers, started with
# this environment, use the same folder.
STYLES_DIR = Path(os.environ.get("GONGWEN_STYLES_DIR") or ROOT / "styles")
TEMPLATES_DIR = ROOT / "templates"
INPUTS_DIR = ROOT / "inputs"

__version__ = "0.1.0"
