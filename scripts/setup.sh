#!/usr/bin/env bash
# One-time (and repeatable) set-up for a fresh Debian machine:
# system libraries, fonts, and a virtual environment with pinned packages.
# Safe to run again: every step checks before it acts.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[安装] %s\n' "$*"; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

APT_PACKAGES=(
  python3-venv
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0
  fontconfig fonts-noto-cjk
  poppler-utils
  libreoffice-writer-nogui
  chromium  # the web page's browser tests (Playwright drives it; Playwright's own browser download is not used)
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "安装系统软件包：${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Fandol fonts (FandolFang/Song/Hei/Kai) ship inside texlive-lang-chinese;
# unpack the .otf files without installing TeX.
FONT_DIR=${GW_FONT_DIR:-/usr/local/share/fonts/fandol}
if [ ! -f "$FONT_DIR/FandolFang-Regular.otf" ]; then
  log "提取 Fandol 字体到 $FONT_DIR"
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download texlive-lang-chinese >/dev/null 2>&1) || {
    $SUDO apt-get update -qq
    (cd "$tmp" && apt-get download texlive-lang-chinese >/dev/null)
  }
  dpkg-deb -x "$tmp"/texlive-lang-chinese_*.deb "$tmp/x"
  $SUDO mkdir -p "$FONT_DIR"
  find "$tmp/x" -name 'Fandol*.otf' -exec $SUDO cp {} "$FONT_DIR/" \;
  rm -rf "$tmp"
  $SUDO fc-cache -f "$FONT_DIR" >/dev/null
fi

# Python virtual environment with pinned packages.
if [ ! -x .venv/bin/python ]; then
  log "创建 Python 虚拟环境 .venv"
  python3 -m venv .venv
fi
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  log "安装 Python 依赖（requirements.txt）"
  # pip's notes about local package mirrors that do not exist here are noise: hide them.
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt 2>&1 \
    | { grep -v "^WARNING: Location" || true; }
  [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "[安装] Python 依赖安装失败" >&2; exit 1; }
  echo "$want" > "$stamp"
fi
log "环境就绪"
