"""Downloading a checkpoint: byte progress through snapshot_download's tqdm_class, cancel, one-line errors, and
only the files the loader reads. The hub is never reached: ``FakeHub`` stands in for snapshot_download."""

from __future__ import annotations

import errno
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
from huggingface_hub.errors import LocalEntryNotFoundError, RepositoryNotFoundError
from huggingface_hub.utils import filter_repo_objects

from core.errors import Cancelled
from core.model import ModelError, download_model
from core.model.download import allow_patterns
from core.progress import CancelToken, Progress

CHUNK = 1000
FILES = {  # the official layout, small
    "VideoXL_weight_8/config.json": json.dumps({"model_type": "llava_qwen"}).encode(),
    "VideoXL_weight_8/model.safetensors.index.json": b"{}",
    "VideoXL_weight_8/model-00001-of-00002.safetensors": b"a" * 4500,
    "VideoXL_weight_8/model-00002-of-00002.safetensors": b"b" * 3000,
    "VideoXL_weight_8/tokenizer_config.json": b"{}",
}


class Gate:
    """Lets ``free`` chunks through, then holds each next chunk until ``open`` is set (or 10 s pass)."""

    def __init__(self, free: int) -> None:
        self.free = free
        self.open = threading.Event()

    def wait(self) -> None:
        if self.free > 0:
            self.free -= 1
        else:
            self.open.wait(10)


class FakeHub:
    """snapshot_download as huggingface_hub 1.x drives its tqdm_class: a files bar, and a byte bar whose total grows
    as each file starts and that is updated chunk by chunk; files are written into ``root``."""

    def __init__(self, root: Path, gate: Gate | None = None) -> None:
        self.root, self.gate = root, gate
        self.calls: list[dict[str, Any]] = []
        self.written = 0

    def __call__(self, repo_id: str, **kwargs: Any) -> str:
        self.calls.append({"repo_id": repo_id, **kwargs})
        tqdm_class = kwargs["tqdm_class"]
        files = [n for n in FILES if list(filter_repo_objects([n], allow_patterns=kwargs["allow_patterns"]))]
        root = Path(kwargs["local_dir"]) if kwargs.get("local_dir") else self.root / "snapshots" / "abc123"
        transfer = tqdm_class(total=0, initial=0, unit="B", unit_scale=True, desc="Downloading bytes",
                              name="huggingface_hub.snapshot_download.transfer")
        byte_bar = tqdm_class(total=0, initial=0, unit="B", unit_scale=True, desc="Reconstructing",
                              name="huggingface_hub.snapshot_download")
        with tqdm_class(total=len(files), desc=f"Fetching {len(files)} files") as files_bar:
            for name in files:
                data = FILES[name]
                byte_bar.total += len(data)
                transfer.total += len(data)
                target = root / name
                target.parent.mkdir(parents=True, exist_ok=True)
                with target.open("wb") as f:
                    for i in range(0, len(data), CHUNK):
                        if self.gate is not None:
                            self.gate.wait()
                        f.write(data[i:i + CHUNK])
                        self.written += len(data[i:i + CHUNK])
                        byte_bar.update(len(data[i:i + CHUNK]))
                files_bar.update(1)
        transfer.close()
        byte_bar.close()
        return str(root)


def raising(err: BaseException) -> Callable[..., str]:
    def fail(*_a: Any, **_k: Any) -> str:
        raise err

    return fail


@pytest.fixture(autouse=True)
def _online(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)


def test_progress_counts_growing_bytes_with_a_total(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    hub = FakeHub(tmp_path / "cache")
    monkeypatch.setattr("huggingface_hub.snapshot_download", hub)
    events: list[Progress] = []
    folder = download_model("sy1998/Video_XL", progress=events.append)
    assert folder == tmp_path / "cache" / "snapshots" / "abc123" / "VideoXL_weight_8"
    assert (folder / "config.json").is_file()
    byte_events = [e for e in events if e.done > 0]
    assert {e.stage for e in events} == {"download"} and {e.unit for e in events} == {"bytes"}
    assert len(byte_events) > 5
    done = [e.done for e in byte_events]
    assert done == sorted(done)
    assert all(e.total is not None and e.done <= e.total for e in byte_events)
    assert events[-1].done == events[-1].total == sum(len(d) for d in FILES.values())
    assert any(e.rate is not None and e.eta_s is not None for e in byte_events)


def test_dest_downloads_into_that_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    hub = FakeHub(tmp_path / "cache")
    monkeypatch.setattr("huggingface_hub.snapshot_download", hub)
    folder = download_model("sy1998/Video_XL", tmp_path / "models" / "videoxl")
    assert folder == tmp_path / "models" / "videoxl" / "VideoXL_weight_8"
    assert hub.calls[0]["local_dir"] == str(tmp_path / "models" / "videoxl")


def test_cancel_stops_the_download(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    hub = FakeHub(tmp_path / "cache")
    monkeypatch.setattr("huggingface_hub.snapshot_download", hub)
    token = CancelToken()
    seen: list[float] = []

    def on_progress(p: Progress) -> None:
        seen.append(p.done)
        if p.done >= 2 * CHUNK:
            token.cancel()

    with pytest.raises(Cancelled):
        download_model("sy1998/Video_XL", progress=on_progress, cancel=token)
    assert hub.written == seen[-1] + CHUNK  # the chunk after the cancel is the last one written
    assert hub.written < sum(len(d) for d in FILES.values())


@pytest.mark.parametrize("err", [
    LocalEntryNotFoundError("An error happened while trying to locate the files on the Hub\nand we cannot find "
                            "the appropriate snapshot folder."),
    requests.ConnectionError("Max retries exceeded with url\n(Caused by NameResolutionError)"),
    httpx.ConnectError("[Errno -3] Temporary failure in name resolution"),
])
def test_offline_is_one_line_saying_what_to_do(monkeypatch: pytest.MonkeyPatch, err: Exception) -> None:
    monkeypatch.setattr("huggingface_hub.snapshot_download", raising(err))
    with pytest.raises(ModelError) as caught:
        download_model("sy1998/Video_XL")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("Cannot reach the Hugging Face hub to download sy1998/Video_XL; on a connected machine")
    assert "hf download sy1998/Video_XL --include 'VideoXL_weight_8/*.safetensors'" in message
    assert message.endswith("or choose a local folder.")


def test_not_found_and_disk_full_are_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    response = httpx.Response(404, request=httpx.Request("GET", "https://huggingface.co/api/models/nobody/none"))
    monkeypatch.setattr("huggingface_hub.snapshot_download",
                        raising(RepositoryNotFoundError("404 Client Error.\nRepository Not Found", response=response)))
    with pytest.raises(ModelError, match=r"^nobody/none was not found on the Hugging Face hub; check the id"):
        download_model("nobody/none")
    monkeypatch.setattr("huggingface_hub.snapshot_download", raising(OSError(errno.ENOSPC, "No space left on device")))
    with pytest.raises(ModelError, match=f"^The disk is full while downloading sy1998/Video_XL into {tmp_path}; "):
        download_model("sy1998/Video_XL", tmp_path)


def test_offline_setting_is_refused_before_the_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr("huggingface_hub.snapshot_download", raising(AssertionError("the hub was called")))
    with pytest.raises(ModelError, match=r"^HF_HUB_OFFLINE is set\. Cannot reach the Hugging Face hub"):
        download_model("sy1998/Video_XL")


def test_only_the_files_the_loader_reads_are_fetched() -> None:
    repo = ["README.md", "pytorch_model.bin", "VideoXL_weight_8/pytorch_model-00001-of-00002.bin",
            "VideoXL_weight_8/model-00001-of-00004.safetensors", "VideoXL_weight_8/model.safetensors.index.json",
            "VideoXL_weight_8/config.json", "VideoXL_weight_8/generation_config.json",
            "VideoXL_weight_8/tokenizer.json", "VideoXL_weight_8/tokenizer_config.json",
            "VideoXL_weight_8/vocab.json", "VideoXL_weight_8/merges.txt", "VideoXL_weight_8/special_tokens_map.json",
            "VideoXL_weight_8/added_tokens.json", "VideoXL_weight_8/training_args.pt", "other/model.safetensors",
            "assets/demo.mp4"]
    official = sorted(filter_repo_objects(repo, allow_patterns=allow_patterns("sy1998/Video_XL")))
    assert official == sorted(n for n in repo if n.startswith("VideoXL_weight_8/") and not n.endswith((".bin", ".pt")))
    other = set(filter_repo_objects(repo, allow_patterns=allow_patterns("someone/videoxl-awq")))
    assert not {n for n in other if n.endswith((".bin", ".pt", ".md", ".mp4"))}
    assert "other/model.safetensors" in other and "VideoXL_weight_8/tokenizer.json" in other
