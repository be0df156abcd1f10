"""The command line: parses arguments, reports progress, calls the package.
Each group of commands lives in its own module and registers itself here."""

from __future__ import annotations

import sys

import click

from gongwen.cli import zh
from gongwen.errors import UserError

zh.install()

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


LOG_FOLDER = "gongwen-错误记录"  # under the system's temporary folder


def write_log(exc: BaseException) -> str | None:
    """The full traceback of an unexpected error, in a file under the system's
    temporary folder; its path, or None if even that cannot be written."""
    import datetime as dt
    import os
    import tempfile
    import traceback

    try:
        folder = os.path.join(tempfile.gettempdir(), LOG_FOLDER)
        os.makedirs(folder, exist_ok=True)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        path = os.path.join(folder, f"{stamp}-{os.getpid()}.log")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(" ".join(sys.argv) + "\n\n")
            fh.write("".join(traceback.format_exception(exc)))
        return path
    except Exception:  # noqa: BLE001 - the message below says so
        return None


def unexpected(exc: BaseException) -> str:
    """The Chinese message for an error the program did not foresee."""
    from gongwen.errors import os_reason

    if isinstance(exc, MemoryError):
        what = "内存不足（输入可能过大）"
    elif isinstance(exc, RecursionError):
        what = "输入嵌套太深"
    elif isinstance(exc, OSError):
        what = f"读写文件出错：{os_reason(exc)}"
    else:
        what = f"程序内部出错（{type(exc).__name__}）"
    path = write_log(exc)
    where = f"详细记录已写到 {path}，请把这个文件发给维护程序的同事。" if path else "详细记录也无法写出（临时文件夹不可写）。"
    return f"错误：{what}，已停止。{where}"


class Group(click.Group):
    """Prints a UserError as a plain Chinese message and exits with status 2;
    any other error as a Chinese message naming the log with its details, status 1.
    No traceback reaches the user."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except UserError as exc:
            click.secho(f"错误：{exc}", fg="red", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            click.secho("已中止：已写出的旧文件保持不变。", fg="red", err=True)
            sys.exit(130)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 - everything unforeseen ends here, logged
            click.secho(unexpected(exc), fg="red", err=True)
            sys.exit(1)


@click.group(cls=Group, context_settings=CONTEXT)
@click.version_option(package_name=None, version="0.1.0", message="公文流水线 %(version)s")
def main() -> None:
    """公文流水线：按 GB/T 9704-2012 版式生成可编辑的 DOCX 和存档用 PDF。"""


COMMAND_MODULES = ["notice_cmds", "campaign_cmds", "archive_cmds", "draft_cmds", "annual_cmds", "check_cmds", "web_cmds"]


def _register() -> None:
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"gongwen.cli.{name}").register(main)


_register()


def run(prog_name: str = "python pipeline.py") -> None:
    """The command line as a process (pipeline.py): main(), then quick_exit
    with its exit status."""
    try:
        main(prog_name=prog_name)
        code = 0
    except SystemExit as exc:
        code = exc.code
    quick_exit(code)


def quick_exit(code: object = 0) -> None:
    """End the process as sys.exit(code) would, without the interpreter's
    teardown: after a build that typeset, freeing every object (the fonts,
    Pango's font map, 100,000 Python objects) one by one took 0.15-0.2 s of a
    2.5 s rebuild, to no effect on any file. The atexit handlers run first (the
    staging folders, the multiprocessing helpers, the fonts' temporary folder:
    writers.pdf.style.release_font_config) and stdout and stderr are
    flushed. With a thread still running, a status sys.exit would print, or
    a profiler or tracer watching (python -m cProfile writes its numbers after
    the script returns), it is the ordinary sys.exit."""
    import atexit
    import os
    import threading

    others = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
    watched = sys.getprofile() is not None or sys.gettrace() is not None
    if others or watched or not (code is None or isinstance(code, int)):
        sys.exit(code)
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except BaseException:  # noqa: BLE001 - anything odd: leave it to the ordinary exit
        sys.exit(code)
    os._exit(code or 0)
