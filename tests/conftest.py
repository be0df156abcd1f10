"""Shared pytest set-up: markers used across the test suites."""


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "libreoffice: converts DOCX files with LibreOffice (soffice); skipped when it is missing"
    )
