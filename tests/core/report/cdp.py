"""A minimal Chrome DevTools Protocol client for the HTML report tests: starts headless Chromium on a page,
evaluates JavaScript, clicks with real mouse events. websocket-client carries the protocol (JSON messages)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import websocket

CHROMIUM = os.environ.get("LONGWATCH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
         "--disable-component-update", "--disable-sync", "--mute-audio", "--autoplay-policy=no-user-gesture-required",
         "--remote-debugging-port=0", "--remote-allow-origins=*", "--window-size=1280,900"]


class Browser:
    """Headless Chromium showing one page; ``evaluate`` runs JS there, ``click`` clicks an element."""

    def __init__(self, url: str, *, timeout_s: float = 30.0) -> None:
        self._profile = tempfile.mkdtemp(prefix="lw-chromium-")
        self._log = Path(self._profile) / "chromium.log"  # a file, not a pipe: a full pipe would stall chromium
        with open(self._log, "wb") as log:
            self.proc = subprocess.Popen([CHROMIUM, *FLAGS, f"--user-data-dir={self._profile}", url],
                                         stdout=subprocess.DEVNULL, stderr=log)
        self.ws = websocket.create_connection(self._page_ws(timeout_s), timeout=timeout_s)
        self._id = 0
        self.events: list[dict[str, Any]] = []
        self.send("Runtime.enable")
        self.send("Page.enable")
        # The target may still show its initial about:blank: wait for the asked page to finish loading.
        scheme = url.split(":", 1)[0] + ":"
        self.wait_for(f"location.protocol === {json.dumps(scheme)} && document.readyState === 'complete'",
                      timeout_s)

    def _page_ws(self, timeout_s: float) -> str:
        deadline = time.monotonic() + timeout_s
        port = None
        while port is None and time.monotonic() < deadline:
            m = re.search(r"DevTools listening on ws://[^:]+:(\d+)/", self._log.read_text(errors="replace"))
            if m:
                port = int(m.group(1))
            elif self.proc.poll() is not None:
                raise RuntimeError(f"chromium exited with {self.proc.returncode}: {self._log.read_text()[-500:]}")
            else:
                time.sleep(0.05)
        if port is None:
            raise RuntimeError("chromium did not report its DevTools port")
        while time.monotonic() < deadline:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as r:
                pages = [t for t in json.load(r) if t["type"] == "page"]
            if pages:
                return str(pages[0]["webSocketDebuggerUrl"])
            time.sleep(0.1)
        raise RuntimeError("chromium opened no page")

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        self._id += 1
        self.ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self._id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return dict(msg.get("result", {}))
            self.events.append(msg)

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"JS error: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout_s: float = 30.0) -> Any:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.1)
        raise TimeoutError(f"still false after {timeout_s} s: {expression}")

    def click(self, selector: str) -> None:
        """A real mouse click (pressed and released) in the middle of the first element matching ``selector``."""
        box = self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)}); e.scrollIntoView({{block: 'center'}});"
            " const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left", clickCount=1)

    def close(self) -> None:
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def file_url(path: Path) -> str:
    return path.resolve().as_uri()
