"""gongwen: Chinese official notices (公文) in GB/T 9704-2012 layout, from campaign data."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STYLES_DIR = ROOT / "styles"
TEMPLATES_DIR = ROOT / "templates"
INPUTS_DIR = ROOT / "inputs"

__version__ = "0.1.0"
