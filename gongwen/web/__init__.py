"""The web page for office staff: upload reports, see problems, edit the
month's paragraphs, build with live progress, preview, download, issue.

    from gongwen.web.app import create_app
    app = create_app(Settings(campaigns=Path("inputs")))

Served by `python pipeline.py serve` (gongwen.cli.web_cmds). The page and
its JSON API call the build library (gongwen.build) and the campaign
modules; they only stage, store, queue and show."""
