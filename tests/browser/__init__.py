"""Browser tests: Debian Chromium driven by Playwright against real gunicorn servers."""
