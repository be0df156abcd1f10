"""The web application: pages (Jinja2 templates, plain fetch() scripts, no
front-end build step) and the JSON API the pages use (docs/网页.md)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
import zipfile
from contextlib import asynccontextmanager
from hashlib import sha256
from pathlib import Path
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from gongwen.errors import UserError
from gongwen.web import auth, reports
from gongwen.web.builds import MODES, BuildQueue
from gongwen.web.settings import Settings, is_loopback

HERE = Path(__file__).parent
PUBLIC = ("/login", "/api/login", "/api/session", "/static/")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
MAX_PASTE = 400_000  # characters of a pasted notice
THUMB_DPI = {"small": 24, "large": 96}


def create_app(settings: Settings, queue: BuildQueue | None = None) -> FastAPI:
    users = auth.Users(settings.users_file)
    sessions = auth.Sessions(settings.session_hours)
    holder: dict = {"queue": queue}

    @asynccontextmanager
    async def lifespan(app):
        if holder["queue"] is None:
            holder["queue"] = BuildQueue(settings)
        yield
        if queue is None:
            holder["queue"].close()

    app = FastAPI(title="公文流水线", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings, app.state.users, app.state.sessions = settings, users, sessions
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    def q() -> BuildQueue:
        if holder["queue"] is None:  # a TestClient without its lifespan
            holder["queue"] = BuildQueue(settings)
        return holder["queue"]

    app.state.queue = q

    # -- the gate: host, session, login, CSRF, size --------------------
    @app.middleware("http")
    async def gate(request: Request, call_next):
        path = request.url.path
        host = (request.headers.get("host") or "").rsplit(":", 1)[0] if not (request.headers.get("host") or "").startswith("[") \
            else (request.headers.get("host") or "").split("]")[0] + "]"
        if not settings.login_required and not is_loopback(host):
            # a page from elsewhere must not reach a loopback server by a DNS name pointing here
            return JSONResponse({"problems": [reports.problem("不接受这个主机名")]}, status_code=421)
        session = sessions.get(request.cookies.get(auth.COOKIE))
        fresh = None
        if session is None:
            session = fresh = sessions.new(None if settings.login_required else "本机")
        request.state.session = session
        if settings.login_required and session.user is None and not path.startswith(PUBLIC):
            if path.startswith("/api/"):
                resp = JSONResponse({"problems": [reports.problem("请先登录")]}, status_code=401)
            else:
                resp = RedirectResponse("/login?next=" + quote(path), status_code=303)
            return _cookie(resp, fresh, settings)
        if request.method not in SAFE_METHODS:
            origin = request.headers.get("origin")
            if origin and urlsplit(origin).netloc != request.headers.get("host"):
                return _cookie(JSONResponse({"problems": [reports.problem("来源不符，已拒绝")]}, status_code=403), fresh, settings)
            if not auth.csrf_ok(session, request.headers.get(auth.CSRF_HEADER)):
                return _cookie(JSONResponse({"problems": [reports.problem("页面已过期，请刷新后重试（CSRF）")]},
                                            status_code=403), fresh, settings)
            length = request.headers.get("content-length")
            if length is None and request.headers.get("transfer-encoding"):
                return JSONResponse({"problems": [reports.problem("请求缺少长度")]}, status_code=411)
            if length is not None and (not length.isdigit() or int(length) > settings.max_request_bytes):
                mb = settings.max_request_bytes // (1024 * 1024)
                return JSONResponse({"problems": [reports.problem(f"上传内容太大（一次最多 {mb} MB），请分几次上传")]},
                                    status_code=413)
        resp = await call_next(request)
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["X-Frame-Options"] = "SAMEORIGIN"
        resp.headers["Referrer-Policy"] = "same-origin"
        resp.headers["Content-Security-Policy"] = ("default-src 'self'; img-src 'self' data:; frame-src 'self'; "
                                                   "object-src 'self'; frame-ancestors 'self'; base-uri 'none'")
        return _cookie(resp, fresh, settings)

    def page(request: Request, name: str, status_code: int = 200, **ctx) -> HTMLResponse:
        s = request.state.session
        return templates.TemplateResponse(request, name, {"csrf": s.csrf, "user": s.user,
                                                          "login": settings.login_required, **ctx},
                                          status_code=status_code)

    def folder_of(cid: str) -> Path:
        folder = settings.campaign_dir(cid)
        if folder is None:
            raise HTTPException(404, "没有这个活动")
        return folder

    # -- pages ---------------------------------------------------------
    @app.get("/", response_class=HTMLResponse)
    async def home(request: Request):
        return page(request, "campaigns.html", campaigns=await run_in_threadpool(_campaigns, settings))

    @app.get("/login", response_class=HTMLResponse)
    async def login_page(request: Request):
        return page(request, "login.html", no_users=not users.names())

    @app.get("/c/{cid}", response_class=HTMLResponse)
    async def campaign_page(request: Request, cid: str):
        folder = folder_of(cid)
        info = await run_in_threadpool(_campaign_info, settings, folder)
        return page(request, "campaign.html", c=info, builds=[b.public() for b in q().recent(cid, 8)])

    @app.get("/c/{cid}/m/{month}", response_class=HTMLResponse)
    async def month_page(request: Request, cid: str, month: str):
        folder = folder_of(cid)
        info = await run_in_threadpool(_campaign_info, settings, folder)
        if month not in info["months"]:
            raise HTTPException(404, "没有这个月份")
        return page(request, "month.html", c=info, month=month)

    @app.get("/c/{cid}/register", response_class=HTMLResponse)
    async def register_page(request: Request, cid: str):
        folder = folder_of(cid)
        info = await run_in_threadpool(_campaign_info, settings, folder)
        return page(request, "register.html", c=info, rows=await run_in_threadpool(_register_rows, folder))

    @app.get("/builds/{bid}", response_class=HTMLResponse)
    async def build_page(request: Request, bid: str):
        b = q().get(bid)
        if b is None:
            raise HTTPException(404, "没有这次生成")
        name = b.campaign
        if b.mode != "notice" and (folder := settings.campaign_dir(b.campaign)):
            name = (await run_in_threadpool(_campaign_info, settings, folder))["name"]
        return page(request, "build.html", b=b.public(), campaign_name=name)

    @app.get("/paste", response_class=HTMLResponse)
    async def paste_page(request: Request):
        example = (settings.campaigns / "examples")
        return page(request, "paste.html", example=_example_text(example))

    @app.get("/check", response_class=HTMLResponse)
    async def check_page(request: Request):
        return page(request, "check.html")

    # -- session API -----------------------------------------------------
    @app.get("/api/session")
    async def session_info(request: Request):
        s = request.state.session
        return {"csrf": s.csrf, "user": s.user, "login_required": settings.login_required}

    @app.post("/api/login")
    async def login(request: Request):
        try:
            body = await request.json()
            name, password = str(body.get("name", "")), str(body.get("password", ""))
        except Exception:
            return JSONResponse({"problems": [reports.problem("请输入用户名和密码")]}, status_code=400)
        if sessions.too_many_failures(name):
            return JSONResponse({"problems": [reports.problem("密码错误次数太多，请 5 分钟后再试")]}, status_code=429)
        ok = await run_in_threadpool(users.verify, name, password)
        if not ok:
            sessions.failed(name)
            return JSONResponse({"problems": [reports.problem("用户名或密码不对")]}, status_code=401)
        sessions.drop(request.state.session.token)
        s = sessions.new(name)  # a new session id after login
        return _cookie(JSONResponse({"user": name, "csrf": s.csrf}), s, settings)

    @app.post("/api/logout")
    async def logout(request: Request):
        sessions.drop(request.state.session.token)
        resp = JSONResponse({"ok": True})
        resp.delete_cookie(auth.COOKIE, path="/")
        return resp

    # -- campaigns ---------------------------------------------------------
    @app.get("/api/campaigns")
    async def campaigns():
        return await run_in_threadpool(_campaigns, settings)

    @app.get("/api/campaigns/{cid}")
    async def campaign(cid: str):
        return await run_in_threadpool(_campaign_info, settings, folder_of(cid))

    @app.get("/api/campaigns/{cid}/submissions")
    async def submissions(cid: str, month: str):
        folder = folder_of(cid)
        return await run_in_threadpool(_guarded, reports.submissions, folder, month)

    @app.post("/api/campaigns/{cid}/reports")
    async def upload(request: Request, cid: str, month: str = ""):
        folder = folder_of(cid)
        form = await request.form(max_files=settings.max_files, max_fields=20)
        uploads, too_big = [], []
        for item in form.getlist("files"):
            if isinstance(item, str):
                continue
            data = await item.read(settings.max_file_bytes + 1)
            name = os.path.basename((item.filename or "").replace("\\", "/"))
            if len(data) > settings.max_file_bytes:
                too_big.append(reports.problem(f"文件太大（最多 {settings.max_file_bytes // (1024 * 1024)} MB）", name))
            uploads.append(reports.Upload(name, data))
        await form.close()
        if too_big:
            return JSONResponse({"problems": too_big, "warnings": []}, status_code=413)
        checked = await run_in_threadpool(reports.check_upload, folder, month, uploads)
        if not checked.ok:
            return JSONResponse({"problems": checked.problems, "warnings": checked.warnings}, status_code=422)
        stored = await run_in_threadpool(_locked, q().reading(cid), reports.store, folder, checked.targets)
        return {"problems": [], "warnings": checked.warnings, "stored": stored}

    @app.get("/api/campaigns/{cid}/history")
    async def history(cid: str):
        return reports.history(folder_of(cid))

    @app.get("/api/campaigns/{cid}/notes")
    async def notes(cid: str, month: str):
        folder = folder_of(cid)
        return await run_in_threadpool(_guarded, reports.read_notes, folder, _month(month))

    @app.put("/api/campaigns/{cid}/notes")
    async def save_notes(request: Request, cid: str, month: str):
        folder = folder_of(cid)
        body = await _json(request)
        if not isinstance(body, dict):
            return JSONResponse({"problems": [reports.problem("格式不对")]}, status_code=400)
        try:
            await run_in_threadpool(_locked, q().reading(cid), reports.write_notes, folder, _month(month), body)
        except UserError as exc:
            return JSONResponse({"problems": [reports.problem(str(exc))]}, status_code=422)
        return {"problems": [], **reports.read_notes(folder, month)}

    @app.get("/api/campaigns/{cid}/forms")
    async def forms(cid: str, month: str, unit: str | None = None):
        folder = folder_of(cid)
        name, data = await run_in_threadpool(_forms, folder, _month(month), unit)
        media = "application/zip" if name.endswith(".zip") else \
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return Response(data, media_type=media, headers=_attachment(name))

    @app.get("/api/campaigns/{cid}/register")
    async def register(cid: str):
        return await run_in_threadpool(_register_rows, folder_of(cid))

    # -- builds ----------------------------------------------------------------
    @app.post("/api/campaigns/{cid}/builds")
    async def start_build(request: Request, cid: str):
        folder_of(cid)
        mode, chosen, formats = "build", [], None
        if request.headers.get("content-type", "").startswith("application/json"):
            body = await _json(request)
            if isinstance(body, dict):
                mode, chosen, formats = body.get("mode", "build"), body.get("chosen") or [], body.get("formats")
        if mode not in MODES or mode == "notice":
            return JSONResponse({"problems": [reports.problem("不认识的操作")]}, status_code=400)
        if not isinstance(chosen, list) or not all(isinstance(c, str) for c in chosen):
            return JSONResponse({"problems": [reports.problem("chosen 应是文号、月份或文件名的列表")]}, status_code=400)
        params: dict = {"chosen": chosen} if mode == "issue" and chosen else {}
        if formats is not None and mode != "issue":
            from gongwen.writers.registry import parse_formats

            if not isinstance(formats, list) or not all(isinstance(f, str) for f in formats):
                return JSONResponse({"problems": [reports.problem("formats 应是输出格式的列表，如 [\"docx\", \"pdf\", \"ofd\"]")]},
                                    status_code=400)
            try:
                params["formats"] = list(parse_formats(formats))
            except UserError as exc:
                return JSONResponse({"problems": [reports.problem(exc.message)]}, status_code=400)
        b = q().submit(cid, mode, settings.output_dir(cid), params or None)
        return {"id": b.id, "state": b.state}

    @app.get("/api/campaigns/{cid}/builds")
    async def builds_of(cid: str):
        folder_of(cid)
        return [b.public() for b in q().recent(cid)]

    @app.get("/api/builds/{bid}")
    async def build_state(bid: str):
        b = _build(q(), bid)
        d = b.public()
        d["problems"] = [reports.parse_problem(_for_the_page(p)) for p in b.problems]
        d["message"] = _for_the_page(b.message)
        d["reissue"] = b.state == "failed" and any("--reissue" in p for p in b.problems)
        d["ahead"] = q().position(b) if b.state == "queued" else 0
        return d

    @app.get("/api/builds/{bid}/files/{rel:path}")
    async def build_file(bid: str, rel: str, inline: int = 0):
        b = _build(q(), bid)
        path = _inside(b, rel)
        headers = {"Content-Disposition": ("inline" if inline else "attachment") + "; filename*=UTF-8''" + quote(path.name)}
        return FileResponse(path, headers=headers)

    @app.get("/api/builds/{bid}/pages/{rel:path}")
    async def build_page_image(bid: str, rel: str, page: int = 1, size: str = "small"):
        b = _build(q(), bid)
        path = _inside(b, rel)
        if path.suffix.lower() != ".pdf" or size not in THUMB_DPI or not 1 <= page <= 500:
            raise HTTPException(404, "没有这一页")
        png = await run_in_threadpool(_page_png, settings, path, page, THUMB_DPI[size])
        return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=60"})

    @app.get("/api/builds/{bid}/archive.zip")
    async def build_zip(bid: str):
        b = _build(q(), bid)
        data = await run_in_threadpool(_zip, b)
        return Response(data, media_type="application/zip", headers=_attachment(f"{b.campaign}-{b.id[:6]}.zip"))

    # -- a notice from pasted text -------------------------------------------
    @app.post("/api/notices")
    async def paste(request: Request):
        body = await _json(request)
        text = body.get("text") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text.strip():
            return JSONResponse({"problems": [reports.problem("请粘贴公文源文字")]}, status_code=400)
        if len(text) > MAX_PASTE:
            return JSONResponse({"problems": [reports.problem("文字太长")]}, status_code=413)
        try:
            source = await run_in_threadpool(_paste_source, settings, text)
        except UserError as exc:
            return JSONResponse({"problems": [reports.parse_problem(p) for p in exc.problems]
                                 or [reports.problem(exc.message)]}, status_code=422)
        out = settings.state / "notices" / source.parent.name
        b = q().submit("公文", "notice", out, {"source": str(source)})
        return {"id": b.id, "state": b.state}

    # -- a Word draft: import it (一键排版), or check any DOCX/PDF (格式检查) ------
    async def one_file(request: Request, kinds: tuple[str, ...]):
        """The single uploaded file `file` as (name, bytes), or a JSONResponse saying what is wrong."""
        form = await request.form(max_files=1, max_fields=5)
        item = form.get("file")
        data, name = b"", ""
        if item is not None and not isinstance(item, str):
            data = await item.read(settings.max_file_bytes + 1)
            name = os.path.basename((item.filename or "").replace("\\", "/"))
        await form.close()
        if not name:
            return JSONResponse({"problems": [reports.problem("请选择一个文件")]}, status_code=400)
        if len(data) > settings.max_file_bytes:
            return JSONResponse({"problems": [reports.problem(
                f"文件太大（最多 {settings.max_file_bytes // (1024 * 1024)} MB）", name)]}, status_code=413)
        if Path(name).suffix.lower() not in kinds:
            return JSONResponse({"problems": [reports.problem(f"只能是 {'、'.join(kinds)} 文件", name)]}, status_code=415)
        return name, data

    @app.post("/api/notices/import")
    async def import_draft(request: Request):
        got = await one_file(request, (".docx", ".doc", ".wps"))
        if isinstance(got, JSONResponse):
            return got
        try:
            imported = await run_in_threadpool(_import_draft, settings, *got)
        except UserError as exc:
            return JSONResponse({"problems": [reports.problem(p, got[0]) for p in exc.problems]
                                 or [reports.problem(exc.message, got[0])]}, status_code=422)
        return {"text": imported.source, "doubts": imported.doubts}

    @app.post("/api/check")
    async def check_upload(request: Request):
        got = await one_file(request, (".docx", ".pdf"))
        if isinstance(got, JSONResponse):
            return got
        return await run_in_threadpool(_check_file, settings, *got)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"problems": [reports.problem(str(exc.detail))]}, status_code=exc.status_code)
        return page(request, "error.html", status_code=exc.status_code, message=exc.detail)

    @app.exception_handler(UserError)
    async def user_error(request: Request, exc: UserError):
        """A campaign that cannot be read (campaign.yaml, units.xlsx): say what is wrong."""
        if request.url.path.startswith("/api/"):
            return JSONResponse({"problems": [reports.parse_problem(p) for p in exc.problems]
                                 or [reports.problem(exc.message)]}, status_code=422)
        return page(request, "error.html", status_code=422, message=exc.message, problems=exc.problems)

    return app


# ---------------------------------------------------------------------------
# helpers (plain functions: run in a thread where they touch the disk)


def _cookie(resp, session, settings: Settings):
    if session is not None:
        resp.set_cookie(auth.COOKIE, session.token, httponly=True, samesite="strict", path="/",
                        secure=settings.secure_cookies, max_age=int(settings.session_hours * 3600))
    return resp


def _locked(lock, fn, *args):
    with lock:
        return fn(*args)


async def _json(request: Request):
    """The request's JSON body, or None when it is not JSON."""
    try:
        return await request.json()
    except ValueError:
        return None


def _for_the_page(text: str) -> str:
    """A build message written for the command line, said for the page."""
    return text.replace("请加 --reissue", "请在发文登记页点“重新印发”").replace("加 --reissue", "点“重新印发”")


def _attachment(name: str) -> dict:
    return {"Content-Disposition": "attachment; filename*=UTF-8''" + quote(name)}


def _month(month: str) -> str:
    from gongwen.campaign.intake import MONTH_NAME

    if not MONTH_NAME.match(month or ""):
        raise HTTPException(400, "月份应为 YYYY-MM")
    return month


def _guarded(fn, *args):
    try:
        return fn(*args)
    except UserError as exc:
        return JSONResponse({"problems": [reports.parse_problem(p) for p in exc.problems]
                             or [reports.problem(exc.message)]}, status_code=422)


def _campaigns(settings: Settings) -> list[dict]:
    from gongwen.campaign.config import read_config

    items = []
    for cid in settings.campaign_ids():
        folder = settings.campaigns / cid
        try:
            cfg, _ = read_config(folder)
            items.append({"id": cid, "name": cfg.name, "months": list(cfg.months), "problem": None})
        except UserError as exc:
            items.append({"id": cid, "name": cid, "months": [], "problem": str(exc)})
    return items


def _campaign_info(settings: Settings, folder: Path) -> dict:
    from gongwen.campaign.config import read_config

    cfg, _ = read_config(folder)
    rep = folder / "reports"
    months = []
    for m in cfg.months:
        files = sorted(p.name for p in (rep / m).iterdir() if p.is_file() and not p.name.startswith((".", "~$"))) \
            if (rep / m).is_dir() else []
        months.append({"month": m, "consolidated": (rep / f"{m}.xlsx").is_file(), "unit_files": len(files),
                       "notes": (rep / f"{m}.yaml").is_file()})
    return {"id": folder.name, "name": cfg.name, "months": list(cfg.months), "month_files": months,
            "out": str(settings.output_dir(folder.name))}


def _register_rows(folder: Path) -> list[dict]:
    from gongwen.archive.register import Register, register_path

    path = register_path(folder)
    if not path.is_file():
        return []
    return Register(path).listing()


def _forms(folder: Path, month: str, unit: str | None) -> tuple[str, bytes]:
    from gongwen.campaign import load_campaign
    from gongwen.campaign.forms import form_names, unit_form

    camp = load_campaign(folder)
    if month not in camp.months:
        raise HTTPException(404, "没有这个月份")
    names = form_names(list(camp.roster))
    if unit:
        u = next((u for u in camp.roster if u.name == unit), None)
        if u is None:
            raise HTTPException(404, "没有这个单位")
        return names[u.name], unit_form(camp, u, month)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for u in camp.roster:
            z.writestr(f"{month}/{names[u.name]}", unit_form(camp, u, month))
    return f"{folder.name}-{month}-空白报表.zip", buf.getvalue()


def _build(q: BuildQueue, bid: str):
    b = q.get(bid)
    if b is None:
        raise HTTPException(404, "没有这次生成")
    return b


def _inside(b, rel: str) -> Path:
    """The build's file `rel`: one the build lists, resolved inside its folder, or 404."""
    if rel not in b.files:
        raise HTTPException(404, "没有这个文件")
    root = Path(b.out).resolve()
    path = (root / rel).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise HTTPException(404, "没有这个文件")
    return path


def _zip(b) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for rel in b.files:
            try:
                path = _inside(b, rel)
            except HTTPException:
                continue
            z.write(path, rel)
    return buf.getvalue()


def _page_png(settings: Settings, pdf: Path, page: int, dpi: int) -> bytes:
    st = pdf.stat()
    key = sha256(f"{pdf}|{st.st_size}|{st.st_mtime_ns}|{page}|{dpi}".encode()).hexdigest()[:32]
    cache = settings.state / "thumbs" / f"{key}.png"
    if cache.is_file():
        return cache.read_bytes()
    with tempfile.TemporaryDirectory(prefix="gw-thumb-") as tmp:
        stem = Path(tmp) / "p"
        done = subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page),
                               "-singlefile", str(pdf), str(stem)], capture_output=True, timeout=60)
        png = stem.with_suffix(".png")
        if done.returncode != 0 or not png.is_file():
            raise HTTPException(404, "没有这一页")
        data = png.read_bytes()
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(data)
    return data


def _scratch(settings: Settings, name: str, data: bytes) -> tuple[Path, Path]:
    """An uploaded file in a folder of its own under the server's state (removed by the caller)."""
    from gongwen.filenames import safe_stem
    from gongwen.web.builds import new_id

    folder = settings.state / "uploads" / new_id()
    folder.mkdir(parents=True)
    path = folder / (safe_stem(Path(name).stem) + Path(name).suffix.lower())
    path.write_bytes(data)
    return folder, path


def _import_draft(settings: Settings, name: str, data: bytes):
    """The notice source of an uploaded Word draft, its doubtful guesses marked (gongwen.importer)."""
    from gongwen.importer import import_file

    folder, path = _scratch(settings, name, data)
    try:
        return import_file(path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _check_file(settings: Settings, name: str, data: bytes) -> dict:
    """The GB/T 9704 check of an uploaded DOCX or PDF, as the `check --json` command gives it."""
    from gongwen.check import check_file

    folder, path = _scratch(settings, name, data)
    try:
        report = check_file(path).as_dict()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    report["文件"] = name
    return report


def _paste_source(settings: Settings, text: str) -> Path:
    """The pasted text as a source file in a folder of its own, read once so
    that a mistake in its header is shown at once, before anything is queued."""
    from gongwen.notice.source import read_source
    from gongwen.web.builds import new_id

    folder = settings.state / "pasted" / new_id()
    folder.mkdir(parents=True)
    source = folder / "公文.txt"
    source.write_text(text.replace("\r\n", "\n"), encoding="utf-8")
    read_source(source)
    return source


def _example_text(folder: Path) -> str:
    for p in sorted(folder.glob("*.txt"))[:1] if folder.is_dir() else []:
        try:
            return p.read_text(encoding="utf-8")
        except OSError:
            pass
    return ""
