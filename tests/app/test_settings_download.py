"""The settings dialog downloads a hub model: first the size, asked to confirm; then a progress bar with bytes,
rate and time left, Cancel, the folder filled in on success, the one-line message when the hub cannot be reached.
The hub is faked (no network): ``HfApi.model_info`` answers the sizes and ``snapshot_download`` writes files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from huggingface_hub.errors import LocalEntryNotFoundError

from app.engine import Engine
from app.settings_dialog import SettingsDialog
from core.usecases import DownloadPlan, Settings
from tests.app.conftest import Spin
from tests.core.model.test_download import FILES, FakeHub, Gate, raising


def fake_model_info(_api: Any, repo_id: str, **kwargs: Any) -> Any:
    """The hub's file list with sizes (and a pickled file the loader never reads, so never counted)."""
    assert kwargs.get("files_metadata") is True
    files = [SimpleNamespace(rfilename=name, size=len(data)) for name, data in FILES.items()]
    return SimpleNamespace(id=repo_id, siblings=[*files, SimpleNamespace(rfilename="VideoXL_weight_8/x.bin",
                                                                         size=10**9)])


@pytest.fixture
def dialog(qtbot: Any, tmp_path: Path, loop: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[SettingsDialog]:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr("app.engine.PROGRESS_INTERVAL_S", 0.0)  # every byte update reaches the dialog
    monkeypatch.setattr("huggingface_hub.HfApi.model_info", fake_model_info)
    engine = Engine(Settings(db_path=str(tmp_path / "lib.db"), speech=False, ocr=False))
    dlg = SettingsDialog(engine.settings, engine)
    dlg.asked: list[DownloadPlan] = []  # type: ignore[attr-defined]
    dlg.confirm_download = lambda plan, free: dlg.asked.append(plan) or True  # type: ignore[method-assign]
    qtbot.addWidget(dlg)
    try:
        yield dlg
    finally:
        dlg.reject()
        engine.shutdown(wait=True)


def test_download_shows_progress_and_fills_the_model_folder(dialog: SettingsDialog, spin: Spin, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    gate = Gate(free=4)
    monkeypatch.setattr("huggingface_hub.snapshot_download", FakeHub(tmp_path / "cache", gate))
    try:
        assert not dialog.download_bar.isVisibleTo(dialog)
        assert dialog.hub_id() == "sy1998/Video_XL" and dialog.download.isEnabled()  # empty field: the default
        dialog.download.click()
        spin(lambda: dialog.download_bar.value() > 0, what="download progress")
        (plan,) = dialog.asked  # the size was asked for and confirmed first
        assert (plan.repo_id, plan.files, plan.size_bytes) == ("sy1998/Video_XL", 5, sum(map(len, FILES.values())))
        assert dialog.download_bar.isVisibleTo(dialog) and dialog.download_cancel.isVisibleTo(dialog)
        assert not dialog.download.isEnabled()
        assert " of " in dialog.download_bar.format() and dialog.download_bar.format().endswith(" KB")
        assert "/s" in dialog.download_status.text()
        gate.open.set()
        spin(lambda: dialog.model_dir.text().endswith("VideoXL_weight_8"), what="the downloaded folder")
    finally:
        gate.open.set()
    assert Path(dialog.model_dir.text()) == tmp_path / "cache" / "snapshots" / "abc123" / "VideoXL_weight_8"
    assert not dialog.download_bar.isVisibleTo(dialog)
    assert dialog.download_status.text().startswith("Downloaded; the model folder is ")
    assert not dialog.download.isEnabled()  # a local folder now, nothing to download


def test_cancel_stops_the_download(dialog: SettingsDialog, spin: Spin, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    gate = Gate(free=2)
    hub = FakeHub(tmp_path / "cache", gate)
    monkeypatch.setattr("huggingface_hub.snapshot_download", hub)
    dialog.model_dir.setText("sy1998/Video_XL")
    try:
        dialog.download.click()
        spin(lambda: dialog.download_bar.value() > 0, what="download progress")
        dialog.download_cancel.click()
        gate.open.set()
        spin(lambda: "cancelled" in dialog.download_status.text(), what="the cancel")
    finally:
        gate.open.set()
    assert dialog.model_dir.text() == "sy1998/Video_XL" and dialog.download.isEnabled()
    assert not dialog.download_bar.isVisibleTo(dialog)


def test_offline_shows_one_line_saying_what_to_do(dialog: SettingsDialog, spin: Spin,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("huggingface_hub.snapshot_download",
                        raising(LocalEntryNotFoundError("Cannot find the requested files\nin the local cache.")))
    dialog.model_dir.setText("sy1998/Video_XL")
    dialog.download.click()
    spin(lambda: dialog.download_status.text().startswith("Cannot reach"), what="the offline message")
    text = dialog.download_status.text()
    assert "\n" not in text and "hf download sy1998/Video_XL" in text and text.endswith("choose a local folder.")
    assert dialog.model_dir.text() == "sy1998/Video_XL" and dialog.download.isEnabled()


def test_download_is_offered_only_for_a_hub_id(dialog: SettingsDialog, tmp_path: Path) -> None:
    for text, enabled in (("someone/videoxl-awq", True), (str(tmp_path), False), ("not a hub id", False),
                          ("", True)):
        dialog.model_dir.setText(text)
        assert dialog.download.isEnabled() is enabled, text


def test_closing_the_dialog_stops_the_download(dialog: SettingsDialog, spin: Spin, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    gate = Gate(free=2)
    hub = FakeHub(tmp_path / "cache", gate)
    monkeypatch.setattr("huggingface_hub.snapshot_download", hub)
    dialog.model_dir.setText("sy1998/Video_XL")
    try:
        dialog.download.click()
        spin(lambda: dialog.download_bar.value() > 0, what="download progress")
        dialog.reject()
    finally:
        gate.open.set()
    dialog.engine.shutdown(wait=True)  # waits for the download thread, which stops at its next chunk
    assert hub.written < sum(len(d) for d in FILES.values())
    assert dialog.model_dir.text() == "sy1998/Video_XL"


def test_download_asks_first_with_the_size_and_a_no_fetches_nothing(dialog: SettingsDialog, spin: Spin,
                                                                    tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    hub = FakeHub(tmp_path / "cache")
    monkeypatch.setattr("huggingface_hub.snapshot_download", hub)
    shown: list[str] = []

    def decline(plan: DownloadPlan, free: int | None) -> bool:
        shown.append(SettingsDialog.confirm_text(plan, free))
        return False

    dialog.confirm_download = decline  # type: ignore[method-assign]
    dialog.model_dir.setText("sy1998/Video_XL")
    dialog.download.click()
    spin(lambda: shown, what="the confirmation")
    assert "sy1998/Video_XL: 5 files, 7.5 KB" in shown[0] and " free)" in shown[0]
    assert hub.calls == [] and dialog.download.isEnabled() and not dialog.download_bar.isVisibleTo(dialog)


def test_a_model_too_large_for_the_disk_is_refused(dialog: SettingsDialog, spin: Spin, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    hub = FakeHub(tmp_path / "cache")
    monkeypatch.setattr("huggingface_hub.snapshot_download", hub)
    monkeypatch.setattr("app.settings_dialog._free_bytes", lambda _folder: 999)
    dialog.download.click()
    spin(lambda: "free in" in dialog.download_status.text(), what="the not-enough-space message")
    assert dialog.asked == [] and hub.calls == []  # type: ignore[attr-defined]
    assert "needs 7.5 KB but only 999 B is free" in dialog.download_status.text()
