"""Shared pytest set-up: markers used across the test suites; the typesetting
cache (gongwen.build.cache) off unless a test turns it on, so tests that
replace parts of typesetting see them run."""

import pytest


@pytest.fixture(autouse=True)
def _no_typeset_cache(monkeypatch):
    monkeypatch.setenv("GONGWEN_CACHE_DIR", "off")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "libreoffice: converts DOCX files with LibreOffice (soffice); skipped when it is missing"
    )
