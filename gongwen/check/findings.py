"""Findings and the rule list: every rule has an id, a Chinese name, the
GB/T 9704-2012 clause it comes from and how serious a breach is."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

SEVERITIES = {"严重": 3, "一般": 2, "轻微": 1}


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    clause: str
    severity: str  # 严重 / 一般 / 轻微


RULES: dict[str, Rule] = {r.id: r for r in [
    Rule("paper", "纸张幅面", "GB/T 9704-2012 5.1 幅面尺寸（A4：210 mm × 297 mm）", "严重"),
    Rule("margins", "页边与版心", "GB/T 9704-2012 5.2.1 页边与版心尺寸（天头37 mm±1 mm，订口28 mm±1 mm，版心156 mm×225 mm）", "严重"),
    Rule("grid", "行数和字数", "GB/T 9704-2012 5.2.3 行数和字数（每面22行，每行28个字）", "一般"),
    Rule("body_font", "正文字体字号", "GB/T 9704-2012 5.2.2 字体和字号、7.3.3 正文（3号仿宋体字）", "一般"),
    Rule("text_color", "文字颜色", "GB/T 9704-2012 5.2.4 文字的颜色（除发文机关标志等外均为黑色）", "一般"),
    Rule("copy_no", "份号", "GB/T 9704-2012 7.2.1 份号（6位3号阿拉伯数字，顶格第一行）", "一般"),
    Rule("secrecy", "密级和紧急程度", "GB/T 9704-2012 7.2.2 密级和保密期限、7.2.3 紧急程度（3号黑体字，顶格）", "一般"),
    Rule("masthead", "发文机关标志", "GB/T 9704-2012 7.2.4 发文机关标志（红色小标宋体字，居中，上边缘至版心上边缘35 mm；命令格式20 mm，见10.2）", "一般"),
    Rule("number", "发文字号", "GB/T 9704-2012 7.2.5 发文字号（六角括号〔〕、年份全称、不加“第”、序号不编虚位；命令的令号居中，见10.2）", "严重"),
    Rule("signer", "签发人", "GB/T 9704-2012 7.2.6 签发人（“签发人：”3号仿宋，姓名3号楷体）", "一般"),
    Rule("red_rule", "版头分隔线", "GB/T 9704-2012 7.2.7 版头中的分隔线（发文字号之下4 mm，与版心等宽的红色分隔线）", "一般"),
    Rule("title", "标题", "GB/T 9704-2012 7.3.1 标题（2号小标宋体字，居中，红色分隔线下空二行）", "一般"),
    Rule("addressee", "主送机关", "GB/T 9704-2012 7.3.2 主送机关（标题下空一行，居左顶格，最后一个机关名称后标全角冒号）", "一般"),
    Rule("indent", "正文段落缩进", "GB/T 9704-2012 7.3.3 正文（每个自然段左空二字，回行顶格）", "一般"),
    Rule("headings", "结构层次序数", "GB/T 9704-2012 7.3.3 正文（一级“一、”黑体，二级“（一）”楷体，三级“1.”、四级“（1）”仿宋）", "一般"),
    Rule("attach_note", "附件说明", "GB/T 9704-2012 7.3.4 附件说明（正文下空一行左空二字，“附件：1.名称”，名称后不加标点）", "一般"),
    Rule("signature", "署名和成文日期", "GB/T 9704-2012 7.3.5 发文机关署名、成文日期和印章（日期用阿拉伯数字，年份全称，月日不编虚位）", "一般"),
    Rule("note", "附注", "GB/T 9704-2012 7.3.6 附注（居左空二字，加圆括号）", "轻微"),
    Rule("attachment", "附件", "GB/T 9704-2012 7.3.7 附件（另面编排，“附件”及顺序号用3号黑体字顶格第一行，标题居中）", "一般"),
    Rule("banji", "版记", "GB/T 9704-2012 7.4 版记（抄送机关、印发机关和印发日期用4号仿宋体字，左右各空一字）", "一般"),
    Rule("page_number", "页码", "GB/T 9704-2012 7.5 页码（4号半角宋体阿拉伯数字，两边各一字线，版心下边缘之下7 mm；单页居右空一字，双页居左空一字）", "一般"),
    Rule("table", "表格", "GB/T 9704-2012 8 公文中的横排表格（表格文字不小于小4号，表格与版心等宽以内）", "轻微"),
    Rule("line_break", "段内手动换行", "GB/T 9704-2012 7.3.3 正文（自然段由排版回行，不用手动换行、空格对齐）", "轻微"),
]}


@dataclass
class Finding:
    rule: str
    where: str  # 第3页 / 第12段
    snippet: str
    measured: str
    expected: str
    severity: str = ""
    source: str = "DOCX"  # DOCX (the XML) / 版面 (as a client renders it) / PDF

    def __post_init__(self):
        if not self.severity:
            self.severity = RULES[self.rule].severity

    @property
    def rule_name(self) -> str:
        return RULES[self.rule].name

    @property
    def clause(self) -> str:
        return RULES[self.rule].clause

    def as_dict(self) -> dict:
        d = asdict(self)
        d.update(rule_name=self.rule_name, clause=self.clause)
        return d


@dataclass
class Report:
    file: str
    kind: str  # docx / pdf
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None
    notes: list[str] = field(default_factory=list)  # what could not be checked, and why

    @property
    def clean(self) -> bool:
        return not self.findings and self.error is None

    def rules(self) -> set[str]:
        return {f.rule for f in self.findings}

    def as_dict(self) -> dict:
        counts: dict[str, int] = {}
        for f in self.findings:
            counts[f.severity] = counts.get(f.severity, 0) + 1
        return {"文件": self.file, "类型": self.kind, "错误": self.error, "说明": self.notes,
                "问题数": len(self.findings), "按严重程度": counts, "问题": [f.as_dict() for f in self.findings]}


def snippet(text: str, n: int = 16) -> str:
    t = " ".join(text.split())
    return t if len(t) <= n else t[:n] + "…"
