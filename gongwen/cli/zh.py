"""Chinese for the words click prints itself (usage, options, errors)."""

from __future__ import annotations

import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.types

ZH = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Arguments": "参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "Error": "错误",
    "Try {command!r} for help.": "输入 {command!r} 查看帮助。",
    "Missing argument {param_hint}.": "缺少参数 {param_hint}。",
    "Missing option {param_hint}.": "缺少选项 {param_hint}。",
    "Missing parameter {param_hint}.": "缺少参数 {param_hint}。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的取值无效：{message}",
    "Invalid value: {message}": "取值无效：{message}",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "No such option: {name}": "没有选项：{name}",
    "Got unexpected extra argument ({args})": "多出了参数（{args}）",
    "Got unexpected extra arguments ({args})": "多出了参数（{args}）",
    "Option {name!r} requires an argument.": "选项 {name!r} 需要一个值。",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "Path": "路径",
    "File": "文件",
    "Directory": "文件夹",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件，应为文件夹。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是文件夹，应为文件。",
    "{value!r} is not a valid integer.": "{value!r} 不是整数。",
    "{value!r} is not a valid float.": "{value!r} 不是数字。",
    "{value!r} is not one of {choices}.": "{value!r} 不在可选值 {choices} 之中。",
    "{value!r} is not {choice}.": "{value!r} 不是 {choice}。",
    "Aborted!": "已中止！",
    "default": "默认",
    "required": "必填",
}


def _gettext(message: str) -> str:
    return ZH.get(message, message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return _gettext(singular if n == 1 else plural)


def install() -> None:
    for module in (click.core, click.decorators, click.exceptions, click.formatting, click.parser, click.types):
        if hasattr(module, "_"):
            module._ = _gettext
        if hasattr(module, "ngettext"):
            module.ngettext = _ngettext
