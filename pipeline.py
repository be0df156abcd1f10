#!/usr/bin/env python3
"""公文流水线的命令行入口：python pipeline.py --help 查看全部命令。"""

from gongwen.cli import main

if __name__ == "__main__":
    main(prog_name="python pipeline.py")
