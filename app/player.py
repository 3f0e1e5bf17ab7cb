"""The player: QMediaPlayer decoding into a QVideoSink whose frames we paint ourselves.

Painting frames in our own widget (not QVideoWidget, a native child window) makes ``grab()`` and screenshots
show the picture. Two platform deadlocks are avoided (PLATFORM.md): the sink's ``videoFrameChanged`` is
connected once, queued, to a relay signal; a ``QAudioOutput`` is created only when an audio device exists.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, QUrl, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter
from PySide6.QtMultimedia import QAudioOutput, QMediaDevices, QMediaPlayer, QVideoFrame, QVideoSink
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from app.icons import icon
from core.timefmt import clock

JUMP_S = 10.0  # J jumps back this far; arrows move 5 s
FAST_RATES = (1.0, 2.0, 4.0, 8.0)  # L pressed again plays faster


class VideoView(QWidget):
    """Paints the latest frame, letterboxed, on black; a hint when nothing is loaded. A click on the picture
    emits ``clicked`` (the window gives the keyboard back to playback)."""

    clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image: QImage | None = None
        self._hint = "Drop a video here, or use File > Open"
        self.setMinimumSize(320, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_frame(self, image: QImage | None) -> None:
        self._image = image
        self.update()

    def set_hint(self, text: str) -> None:
        self._hint = text
        self.update()

    @property
    def has_frame(self) -> bool:
        return self._image is not None and not self._image.isNull()

    def mousePressEvent(self, e: QMouseEvent) -> None:
        if e.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
        super().mousePressEvent(e)

    def paintEvent(self, _event: object) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(12, 12, 14))
        if self.has_frame:
            assert self._image is not None
            img = self._image
            scale = min(self.width() / img.width(), self.height() / img.height())
            w, h = img.width() * scale, img.height() * scale
            target = QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            p.drawImage(target, img)
        else:
            p.setPen(QColor(150, 158, 172))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._hint)
        p.end()


class Player(QWidget):
    """Video view plus a transport row. Times are seconds (floats) at this interface."""

    position_changed = Signal(float)
    duration_changed = Signal(float)
    loaded = Signal()
    error = Signal(str)
    _frame_relay = Signal(QVideoFrame)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = VideoView(self)
        self.media = QMediaPlayer(self)
        self.sink = QVideoSink(self)
        self.media.setVideoSink(self.sink)
        self.audio: QAudioOutput | None = None
        if QMediaDevices.audioOutputs():
            self.audio = QAudioOutput(self)
            self.media.setAudioOutput(self.audio)
        self.sink.videoFrameChanged.connect(self._frame_relay, Qt.ConnectionType.QueuedConnection)
        self._frame_relay.connect(self._show_frame)
        self.media.positionChanged.connect(lambda ms: self.position_changed.emit(ms / 1000.0))
        self.media.durationChanged.connect(lambda ms: self.duration_changed.emit(ms / 1000.0))
        self.media.mediaStatusChanged.connect(self._status)
        self.media.errorOccurred.connect(lambda _e, text: self.error.emit(text or "The player cannot play this file."))
        self.media.playbackStateChanged.connect(self._sync_button)
        self.frames_shown = 0
        self._fps = 25.0
        self._fresh = False  # the source was just set: the first LoadedMedia pauses on the first frame
        self._build_transport()

    def _build_transport(self) -> None:
        self.play_button = QToolButton(self)
        self.play_button.setIcon(icon("play"))
        self.play_button.setToolTip("Play / pause (Space)")
        self.play_button.clicked.connect(self.toggle)
        self.time_label = QLabel("0:00 / 0:00", self)
        self.time_label.setObjectName("timeLabel")
        self.rate_label = QLabel("", self)
        row = QHBoxLayout()
        row.setContentsMargins(4, 2, 4, 2)
        row.addWidget(self.play_button)
        row.addWidget(self.time_label)
        row.addStretch(1)
        row.addWidget(self.rate_label)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.view, 1)
        lay.addLayout(row)
        self.position_changed.connect(self._update_time)
        self.duration_changed.connect(lambda _d: self._update_time(self.position_s))

    # ---- control -------------------------------------------------------------------------------------------
    def load(self, path: str, fps: float = 25.0) -> None:
        self._fps = fps if fps > 0 else 25.0
        self.view.set_frame(None)
        self.view.set_hint("Loading…")
        self._fresh = True
        self.media.setSource(QUrl.fromLocalFile(path))

    def unload(self) -> None:
        self.media.stop()
        self.media.setSource(QUrl())
        self.view.set_frame(None)

    def play(self) -> None:
        self.media.play()

    def pause(self) -> None:
        self.media.pause()

    def toggle(self) -> None:
        if self.media.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            self.pause()
        else:
            self.set_rate(1.0)
            self.play()

    @property
    def playing(self) -> bool:
        return self.media.playbackState() == QMediaPlayer.PlaybackState.PlayingState

    def seek(self, seconds: float) -> None:
        """Show the frame on screen at ``seconds``: aim at the middle of that frame (PLATFORM.md). Playing
        stays playing, paused stays paused."""
        frame = int(max(0.0, seconds) * self._fps)
        ms = int((frame + 0.5) * 1000 / self._fps)
        dur = self.media.duration()
        self.media.setPosition(min(ms, dur - 1) if dur > 0 else ms)
        if self.media.playbackState() == QMediaPlayer.PlaybackState.StoppedState and dur > 0:
            self.media.pause()  # after the end of the file: show the frame there (stopped shows none)

    def step(self, delta_s: float) -> None:
        self.seek(self.position_s + delta_s)

    def set_rate(self, rate: float) -> None:
        self.media.setPlaybackRate(rate)
        self.rate_label.setText("" if rate == 1.0 else f"{rate:g}×")

    def jkl(self, key: str) -> None:
        """J: back 10 s; K: pause; L: play, and faster each press while playing."""
        if key == "j":
            self.step(-JUMP_S)
        elif key == "k":
            self.pause()
            self.set_rate(1.0)
        elif key == "l":
            playing = self.media.playbackState() == QMediaPlayer.PlaybackState.PlayingState
            rate = self.media.playbackRate()
            nxt = FAST_RATES[min(FAST_RATES.index(rate) + 1, len(FAST_RATES) - 1)] if playing and rate in FAST_RATES else 1.0
            self.set_rate(nxt)
            self.play()

    @property
    def position_s(self) -> float:
        return self.media.position() / 1000.0

    @property
    def duration_s(self) -> float:
        return self.media.duration() / 1000.0

    # ---- events -----------------------------------------------------------------------------------------------
    def _show_frame(self, frame: QVideoFrame) -> None:
        image = frame.toImage()
        if not image.isNull():
            self.frames_shown += 1
            self.view.set_frame(image)

    def _status(self, status: QMediaPlayer.MediaStatus) -> None:
        if status == QMediaPlayer.MediaStatus.LoadedMedia and self._fresh:
            # Only for a new source: the backend reports LoadedMedia again after a seek from the end of the
            # file, and pausing then would stop playback on a click on the timeline.
            self._fresh = False
            self.view.set_hint("")
            self.media.pause()  # paused (not stopped) shows the first frame and shows a frame after each seek
            self.loaded.emit()
        elif status == QMediaPlayer.MediaStatus.InvalidMedia:
            self.view.set_hint("The player cannot show this file.")

    def _sync_button(self, state: QMediaPlayer.PlaybackState) -> None:
        playing = state == QMediaPlayer.PlaybackState.PlayingState
        self.play_button.setIcon(icon("pause" if playing else "play"))

    def _update_time(self, pos: float) -> None:
        self.time_label.setText(f"{clock(pos)} / {clock(self.duration_s)}")
