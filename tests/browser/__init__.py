"""Browser tests: the real server driven by Chromium through Playwright."""
