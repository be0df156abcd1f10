"""Users, sessions and CSRF.

Users: a JSON file beside the campaigns folder, name -> salted Argon2id hash
(argon2-cffi), written by `python pipeline.py users add NAME`, mode 0600.
Sessions: a random token in an HttpOnly, SameSite=Strict cookie, kept in this
process's memory (a restart asks everyone to log in again). Every visitor has
a session, also on a loopback address where no login is asked: its CSRF
token must come back in the X-CSRF-Token header of every request that changes
something, so another web site open in the same browser cannot post to the
server."""

from __future__ import annotations

import hmac
import json
import os
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from gongwen.errors import UserError

COOKIE = "gw_session"
CSRF_HEADER = "x-csrf-token"
NAME = re.compile(r"^[\w.\-\u4e00-\u9fff]{1,40}$")
MIN_PASSWORD = 8
FAILURES_ALLOWED = 5  # per user name in FAILURE_WINDOW_S, then refused for a while
FAILURE_WINDOW_S = 300

_hasher = PasswordHasher()


class Users:
    def __init__(self, path: Path):
        self.path = Path(path)

    def _read(self) -> dict:
        if not self.path.is_file():
            return {}
        try:
            return json.loads(self.path.read_text(encoding="utf-8")).get("users", {})
        except (OSError, ValueError, AttributeError):
            raise UserError(f"用户文件 {self.path} 无法读取，请检查或删除后重新添加用户") from None

    def names(self) -> list[str]:
        return sorted(self._read())

    def add(self, name: str, password: str) -> None:
        if not NAME.match(name):
            raise UserError("用户名只能用汉字、字母、数字和 . _ -，不超过 40 个字")
        if len(password) < MIN_PASSWORD:
            raise UserError(f"密码至少 {MIN_PASSWORD} 个字符")
        users = self._read()
        users[name] = {"hash": _hasher.hash(password)}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.part")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"users": users}, f, ensure_ascii=False, indent=1)
        os.replace(tmp, self.path)

    def verify(self, name: str, password: str) -> bool:
        entry = self._read().get(name)
        if not entry:
            _hasher.hash(password)  # the same time whether or not the name exists
            return False
        try:
            return _hasher.verify(entry["hash"], password)
        except (VerificationError, InvalidHashError, KeyError, TypeError):
            return False


@dataclass
class Session:
    token: str
    csrf: str
    user: str | None = None
    expires: float = 0.0


@dataclass
class Sessions:
    hours: float = 12
    _by_token: dict[str, Session] = field(default_factory=dict)
    _failures: dict[str, list[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def new(self, user: str | None = None) -> Session:
        s = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), user, time.time() + self.hours * 3600)
        with self._lock:
            now = time.time()
            for t in [t for t, v in self._by_token.items() if v.expires < now]:
                del self._by_token[t]
            self._by_token[s.token] = s
        return s

    def get(self, token: str | None) -> Session | None:
        if not token:
            return None
        with self._lock:
            s = self._by_token.get(token)
            if s is None or s.expires < time.time():
                return None
            s.expires = time.time() + self.hours * 3600
            return s

    def drop(self, token: str) -> None:
        with self._lock:
            self._by_token.pop(token, None)

    def too_many_failures(self, name: str) -> bool:
        now = time.time()
        with self._lock:
            recent = [t for t in self._failures.get(name, []) if now - t < FAILURE_WINDOW_S]
            self._failures[name] = recent
            return len(recent) >= FAILURES_ALLOWED

    def failed(self, name: str) -> None:
        with self._lock:
            self._failures.setdefault(name, []).append(time.time())


def csrf_ok(session: Session | None, sent: str | None) -> bool:
    return session is not None and bool(sent) and hmac.compare_digest(session.csrf, sent)
