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
