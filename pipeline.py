#!/usr/bin/env python3
"""公文流水线的命令行入口：python pipeline.py --help 查看全部命令。"""

from gongwen.cli import run

if __name__ == "__main__":
    run(prog_name="python pipeline.py")
