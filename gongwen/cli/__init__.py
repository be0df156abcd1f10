"""The command line: parses arguments, reports progress, calls the package.
Each group of commands lives in its own module and registers itself here."""

from __future__ import annotations

import sys

import click

from gongwen.cli import zh
from gongwen.errors import UserError

zh.install()

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class Group(click.Group):
    """Prints a UserError as a plain Chinese message and exits with status 2."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except UserError as exc:
            click.secho(f"错误：{exc}", fg="red", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            click.secho("已中止：已写出的旧文件保持不变。", fg="red", err=True)
            sys.exit(130)


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
