"""The HTML report in headless Chromium (Debian's chromium, driven over the DevTools protocol): a click on a
time seeks the embedded player; without JavaScript the same link opens the video at that time; hostile text
from the model, subtitles, OCR and the file name stays inert."""

from __future__ import annotations

import json
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest

from core.media import probe
from core.report.collect import collect_report
from core.report.write import write_report
from core.store import open_db, upsert_video
from tests.core.report.cdp import Browser, file_url
from tests.core.report.conftest import HOSTILE, HOSTILE_TEXT, store_results

pytestmark = pytest.mark.slow  # starts Chromium (a few seconds each)
NOW = datetime(2026, 11, 23, 9, 0, 0, tzinfo=UTC)
PLAYER = "document.getElementById('player')"


def _html_report(tmp_path: Path, tiny_mp4: Path, video_name: str, text: str = "") -> Path:
    video = tmp_path / video_name
    shutil.copy(tiny_mp4, video)
    db = open_db(tmp_path / "library.db")
    info = probe(video)
    upsert_video(db, info)
    store_results(db, info.fingerprint, text=text)
    out = tmp_path / "report.html"
    write_report(collect_report(db, info.fingerprint, now=NOW), out)
    db.close()
    return out


def test_clicking_a_time_seeks_the_player(tmp_path: Path, tiny_mp4: Path) -> None:
    report = _html_report(tmp_path, tiny_mp4, "My clip #1 (final).mp4")  # a name that needs URL encoding
    with Browser(file_url(report)) as b:
        assert b.wait_for(f"{PLAYER}.readyState >= 1 && {PLAYER}.duration") == pytest.approx(30, abs=0.5)
        assert b.evaluate(f"{PLAYER}.currentTime") == 0
        b.click(".ads a[data-t]")  # the ad break's start, 0:12
        t = b.wait_for(f"{PLAYER}.currentTime >= 11.99 && {PLAYER}.currentTime")
        assert 11.99 <= t < 20
        assert b.wait_for("location.hash === '#t=12'")
        b.evaluate(f"{PLAYER}.pause()")
        b.click(".chapter:nth-child(3) a.thumb")  # a thumbnail seeks to its chapter (20 s)
        assert 19.99 <= b.wait_for(f"{PLAYER}.currentTime >= 19.99 && {PLAYER}.currentTime") < 28
        # Every time link is also a plain link to the video file at that time.
        hrefs = b.evaluate("[...document.querySelectorAll('a[data-t]')].map(a => [a.href, a.dataset.t])")
        assert len(hrefs) >= 10
        for href, t_s in hrefs:
            url = urlparse(href)
            assert url.scheme == "file" and unquote(url.path) == str(tmp_path / "My clip #1 (final).mp4")
            assert url.fragment == f"t={t_s}"


def test_time_link_without_javascript_opens_the_video_there(tmp_path: Path, tiny_mp4: Path) -> None:
    report = _html_report(tmp_path, tiny_mp4, "clip.mp4")
    with Browser(file_url(report)) as b:
        b.wait_for("document.readyState === 'complete'")
        href = b.evaluate("document.querySelector('.ads a[data-t]').href")
        b.send("Page.navigate", url=href)  # what following the plain link does
        b.wait_for("document.querySelector('video') !== null")
        t = b.wait_for("(v => v.readyState >= 1 && v.currentTime > 0 && v.currentTime)(document.querySelector('video'))")
        assert 11.99 <= t < 20


def test_hostile_text_is_inert_in_the_browser(tmp_path: Path, tiny_mp4: Path) -> None:
    name = "javascript:window.__pwned=7 <img src=x onerror=window.__pwned=6>.mp4"
    report = _html_report(tmp_path, tiny_mp4, name, text=HOSTILE_TEXT)
    with Browser(file_url(report)) as b:
        b.wait_for("document.readyState === 'complete'")
        b.wait_for(f"{PLAYER}.readyState >= 1")  # the player still finds the oddly named file
        time.sleep(0.3)  # give any injected onerror/onload handler time to fire
        facts = b.evaluate("""(() => ({
            pwned: window.__pwned === undefined ? null : window.__pwned,
            scripts: document.scripts.length,
            handlers: [...document.querySelectorAll('*')].flatMap(e => [...e.attributes])
                        .filter(a => a.name.startsWith('on')).map(a => a.name),
            badLinks: [...document.querySelectorAll('[href],[src]')].map(e => e.href || e.src)
                        .filter(u => !/^(file:|data:image\\/jpeg;base64,)/.test(u)),
            svgs: document.querySelectorAll('svg').length,
            imgs: [...document.images].filter(i => !i.src.startsWith('data:image/jpeg')).length,
            text: document.body.innerText,
            title: document.title,
        }))()""")
        assert facts["pwned"] is None
        assert facts["scripts"] == 1 and facts["handlers"] == [] and facts["badLinks"] == []
        assert facts["svgs"] == 0 and facts["imgs"] == 0
        text = " ".join(facts["text"].split())
        for payload in HOSTILE:  # shown to the reader as text
            assert " ".join(payload.split()) in text
        assert name in facts["title"]
        exceptions = [e for e in b.events if e.get("method") == "Runtime.exceptionThrown"]
        assert exceptions == [], json.dumps(exceptions)[:500]


def test_report_without_video_file_has_no_player(library: tuple[Any, str, Path], tmp_path: Path) -> None:
    db, fp, _ = library
    store_results(db, fp)
    out = tmp_path / "r.html"
    write_report(collect_report(db, fp, path=tmp_path / "gone.mp4", now=NOW), out)
    with Browser(file_url(out)) as b:
        b.wait_for("document.readyState === 'complete'")
        assert b.evaluate("document.getElementById('player')") is None
        assert b.evaluate("document.querySelector('a[data-t]').getAttribute('href')") == "#t=0.000"
        b.click(".ads a[data-t]")  # no player: a harmless in-page fragment, no error
        assert b.wait_for("location.hash === '#t=12.000'")
