"""A readable name for the device a session was opened from, read from its user agent."""

from __future__ import annotations

import re

BROWSERS = (
    ("Edge", re.compile(r"\bEdg(?:e|A|iOS)?/")),
    ("Opera", re.compile(r"\b(?:OPR|Opera)/")),
    ("Firefox", re.compile(r"\b(?:Firefox|FxiOS)/")),
    ("Chrome", re.compile(r"\b(?:HeadlessChrome|Chrome|CriOS|Chromium)/")),
    ("Safari", re.compile(r"\bVersion/[\d.]+.*\bSafari/")),
)
SYSTEMS = (
    ("iPhone", re.compile(r"\biPhone\b")),
    ("iPad", re.compile(r"\biPad\b")),
    ("Android", re.compile(r"\bAndroid\b")),
    ("ChromeOS", re.compile(r"\bCrOS\b")),
    ("Windows", re.compile(r"\bWindows\b")),
    ("macOS", re.compile(r"\bMac OS X\b|\bMacintosh\b")),
    ("Linux", re.compile(r"\bLinux\b")),
)
PROGRAM = re.compile(r"^([A-Za-z][\w.-]{0,40})(?:/([\w.]{1,20}))?")


def device_label(user_agent: str | None) -> str:
    """'Firefox on Linux', 'curl 8.5.0', or 'Unknown device'."""
    text = (user_agent or "").strip()
    if not text:
        return "Unknown device"
    browser = next((name for name, pattern in BROWSERS if pattern.search(text)), None)
    system = next((name for name, pattern in SYSTEMS if pattern.search(text)), None)
    if browser and system:
        return f"{browser} on {system}"
    if browser or system:
        return f"{browser or 'A browser'}{' on ' + system if system else ''}"
    match = PROGRAM.match(text)
    if match and match.group(1) != "Mozilla":
        return " ".join(part for part in match.groups() if part)
    return "Unknown device"
