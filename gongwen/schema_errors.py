"""Turn pydantic validation errors into Chinese messages that name the key."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from pydantic import ValidationError

from gongwen.errors import excerpt

_REASONS = {
    "missing": "缺少必填项",
    "extra_forbidden": "不认识这个键",
    "string_type": "应为文字",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "bool_type": "应为 是/否",
    "bool_parsing": "应为 是/否",
    "list_type": "应为列表",
    "dict_type": "应为键值表",
    "date_type": "应为日期（如 2023-06-30 或 2023年6月30日）",
    "date_parsing": "应为日期（如 2023-06-30 或 2023年6月30日）",
    "date_from_datetime_parsing": "应为日期（如 2023-06-30 或 2023年6月30日）",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "greater_than": "数值过小",
    "less_than": "数值过大",
    "too_short": "项数不够",
    "too_long": "项数过多",
    "string_too_short": "不能为空",
}


def _loc_text(loc: Iterable) -> str:
    parts = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item + 1}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "(顶层)"


def describe(exc: ValidationError, known_keys: Iterable[str] = ()) -> list[str]:
    """One Chinese line per problem: 键 标题: 缺少必填项. An unknown key gets
    the nearest of `known_keys` suggested, never itself."""
    known = list(known_keys)
    lines = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if p not in ("function-after", "function-before"))
        lines.extend(describe_one(err, loc, known, cutoff=0.3, list_keys=False))
    return lines


def describe_one(err: dict, loc: tuple, known: Iterable[str] = (), cutoff: float = 0.5,
                 list_keys: bool = True) -> list[str]:
    """The line for one pydantic error at `loc` (as the user wrote it);
    `known`: the keys allowed there, for an unknown key's suggestion (the
    nearest; else, with `list_keys`, all of them)."""
    key = _loc_text(loc)
    etype = err["type"]
    reason = _REASONS.get(etype)
    if etype == "value_error" or etype == "assertion_error" or reason is None:
        reason = str(err.get("msg", "")).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if reason and not any("\u4e00" <= ch <= "\u9fff" for ch in reason):
            reason = f"取值不合要求（{reason}）"
    if etype == "literal_error" and err.get("ctx", {}).get("expected"):
        reason += f"，可选：{err['ctx']['expected']}"
    if etype == "extra_forbidden" and loc:
        word = str(loc[-1])
        choices = [k for k in known if k != word]
        near = difflib.get_close_matches(word, choices, n=1, cutoff=cutoff)
        if near:
            reason += f"，是否想写“{near[0]}”？"
        elif choices and list_keys:
            reason += f"（这里可写：{'、'.join(choices)}）"
    value = err.get("input")
    shown = ""
    if etype != "missing" and not isinstance(value, (dict, list)) and value is not None:
        shown = f"（当前值：{excerpt(repr(value))}）"
    return [f"键 {key}：{reason}{shown}"]
