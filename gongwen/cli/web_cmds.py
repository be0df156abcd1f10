"""Commands for the web page: serve (start it), users add (who may log in)."""

from __future__ import annotations

from pathlib import Path

import click

from gongwen.errors import UserError


def register(group: click.Group) -> None:
    @group.command("serve")
    @click.option("--host", default="127.0.0.1", show_default=True,
                  help="监听的地址。默认只有本机能打开；填本机局域网地址（或 0.0.0.0）时，局域网里的电脑都能打开，但必须登录。")
    @click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="端口。")
    @click.option("--campaigns", default=Path("inputs"), show_default=True,
                  type=click.Path(exists=True, file_okay=False, path_type=Path), help="放各个活动文件夹的文件夹。")
    @click.option("--outputs", default=None, type=click.Path(file_okay=False, path_type=Path),
                  help="生成的公文放在哪里，默认为活动文件夹旁边的 outputs/，每个活动一个子文件夹。")
    @click.option("--jobs", default=None, type=click.IntRange(min=1), help="常驻的排版进程数，默认等于 CPU 核数。")
    def serve_cmd(host: str, port: int, campaigns: Path, outputs: Path | None, jobs: int | None) -> None:
        """启动网页：在浏览器里上传报表、查看问题、填写段落、生成和预览公文、下载、印发。

        打开 http://127.0.0.1:8000/ 即可使用（端口按 --port）。"""
        import uvicorn

        from gongwen.web.app import create_app
        from gongwen.web.auth import Users
        from gongwen.web.settings import Settings

        settings = Settings(campaigns=campaigns, host=host, outputs=outputs, jobs=jobs)
        if settings.login_required and not Users(settings.users_file).names():
            raise UserError(f"监听 {host} 时局域网里的电脑都能打开网页，必须登录；但还没有任何用户。"
                            f"请先运行 python pipeline.py users add 用户名（用户保存在 {settings.users_file}）")
        shown = f"[{host}]" if ":" in host else host
        where = "127.0.0.1" if host in ("0.0.0.0", "::") else shown
        click.echo(f"网页已启动：在浏览器里打开 http://{where}:{port}/ （按 Ctrl+C 停止）")
        if host in ("0.0.0.0", "::"):
            click.echo(f"局域网里的电脑打开 http://<这台电脑的局域网地址>:{port}/")
        if settings.login_required:
            click.echo(f"需要登录；用户保存在 {settings.users_file}")
        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")

    @group.group("users")
    def users_group() -> None:
        """网页的用户（网页不只在本机打开时需要登录）。"""

    @users_group.command("add")
    @click.argument("name")
    @click.option("--campaigns", default=Path("inputs"), show_default=True,
                  type=click.Path(file_okay=False, path_type=Path), help="放各个活动文件夹的文件夹（用户保存在它旁边）。")
    @click.password_option("--password", prompt="密码", confirmation_prompt="再输一次密码",
                           help="不给时提示输入（输入时不显示）。")
    def users_add(name: str, campaigns: Path, password: str) -> None:
        """添加用户 NAME，或修改已有用户的密码。密码只保存加盐的哈希值。"""
        from gongwen.web.auth import Users
        from gongwen.web.settings import Settings

        users = Users(Settings(campaigns=campaigns).users_file)
        users.add(name, password)
        click.echo(f"已保存用户 {name}（{users.path}）")

    @users_group.command("list")
    @click.option("--campaigns", default=Path("inputs"), show_default=True,
                  type=click.Path(file_okay=False, path_type=Path))
    def users_list(campaigns: Path) -> None:
        """列出网页的用户。"""
        from gongwen.web.auth import Users
        from gongwen.web.settings import Settings

        for n in Users(Settings(campaigns=campaigns).users_file).names():
            click.echo(n)
