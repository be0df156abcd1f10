"""Errors meant for office staff: the message is Chinese and says what to fix."""


class UserError(Exception):
    """A problem in the user's input; the CLI prints it without a traceback."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        return self.message + "\n" + "\n".join(f"  - {p}" for p in self.problems)


def os_reason(exc: OSError) -> str:
    """An OSError in words for office staff."""
    import errno

    where = f"（{exc.filename}）" if exc.filename else ""
    reasons = {
        errno.ENOSPC: "磁盘空间已满，请腾出空间后重新运行",
        errno.EDQUOT: "超出了磁盘配额，请腾出空间后重新运行",
        errno.EACCES: "没有写入权限" + where,
        errno.EPERM: "没有写入权限" + where,
        errno.EROFS: "输出位置是只读的" + where,
        errno.ENAMETOOLONG: "文件名太长" + where,
    }
    return reasons.get(exc.errno, f"{exc.strerror or exc}{where}")


EXCERPT_CHARS = 40


def excerpt(value, limit: int = EXCERPT_CHARS) -> str:
    """A value quoted in a message: at most `limit` characters, control
    characters shown by their code, never the whole of a huge cell."""
    text = str(value)
    total = len(text)
    short = text[:limit]
    shown = "".join(f"\\x{ord(ch):02X}" if ord(ch) < 32 or ord(ch) == 0x7F else ch for ch in short)
    if total > limit:
        return f"{shown}…（共 {total} 字）"
    return shown
