"""Where the server keeps things, and its limits."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path

USERS_FILE = "网页用户.json"  # beside the campaigns folder
STATE_DIR = ".web"  # inside the outputs folder: build records, thumbnails, pasted notices
HISTORY_DIR = "报表历史"  # beside a campaign's reports/ (not in it: everything there is read): replaced files, never deleted

MB = 1024 * 1024


def is_loopback(host: str) -> bool:
    """127.0.0.1, ::1, localhost: only this PC can reach the server."""
    if host in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class Settings:
    campaigns: Path  # a folder of campaign folders (each with campaign.yaml)
    host: str = "127.0.0.1"
    outputs: Path | None = None  # default: outputs/ beside the campaigns folder, one subfolder per campaign
    users_file: Path | None = None
    state: Path | None = None
    jobs: int | None = None  # typesetting processes kept warm (default: one per core)
    max_file_bytes: int = 20 * MB  # one uploaded workbook
    max_request_bytes: int = 100 * MB  # one request (all files of an upload)
    max_files: int = 200  # per upload: a county has some dozens of units
    # typesetting workers replaced (between builds) once together they hold more than this: their C
    # libraries grow by about 0.1 MB a build each (docs/性能.md), so a server running for months stays bounded
    worker_memory_mb: int = 1500
    session_hours: float = 12
    secure_cookies: bool = False  # set behind an HTTPS proxy
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        self.campaigns = Path(self.campaigns).resolve()
        base = self.campaigns.parent
        self.outputs = Path(self.outputs).resolve() if self.outputs else base / "outputs"
        self.users_file = Path(self.users_file) if self.users_file else base / USERS_FILE
        self.state = Path(self.state) if self.state else self.outputs / STATE_DIR

    @property
    def login_required(self) -> bool:
        return not is_loopback(self.host)

    def campaign_dir(self, cid: str) -> Path | None:
        """The campaign folder for an id, or None: the id is a folder name inside campaigns/, nothing else."""
        if not cid or cid.startswith(".") or "/" in cid or "\\" in cid or cid in ("..", "."):
            return None
        folder = self.campaigns / cid
        if folder.parent != self.campaigns or not (folder / "campaign.yaml").is_file():
            return None
        return folder

    def output_dir(self, cid: str) -> Path:
        return self.outputs / cid

    def campaign_ids(self) -> list[str]:
        if not self.campaigns.is_dir():
            return []
        return sorted(p.name for p in self.campaigns.iterdir()
                      if p.is_dir() and not p.name.startswith(".") and (p / "campaign.yaml").is_file())
