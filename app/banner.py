"""A message strip at the top of the window: errors from bad files, what is unavailable, hints, offers.

Each level has its own colour and icon (error red with a cross, warning amber, info blue), painted from the
stylesheet (``WA_StyledBackground``: a plain QWidget subclass paints no stylesheet background without it, and the
strip then looked like the menu bar). An optional action button ("Resume indexing") runs a callback and closes
the strip. ``clear`` hides it; the window clears it when the next file opens.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from app.icons import icon

ICON = QSize(18, 18)


class Banner(QWidget):
    LEVELS = ("info", "warning", "error")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.level = ""
        self.icon = QLabel(self)
        self.icon.setFixedSize(ICON)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setObjectName("bannerText")
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # copy a path or command
        self.action = QPushButton(self)
        self.action.setObjectName("bannerAction")
        self.action.clicked.connect(self._act)
        self._callback: Callable[[], None] | None = None
        close = QToolButton(self)
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.clear)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 5, 4, 5)
        lay.setSpacing(8)
        lay.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        lay.addWidget(self.label, 1)
        lay.addWidget(self.action)
        lay.addWidget(close)
        self.hide()

    def show_message(self, text: str, level: str = "error", action: str = "",
                     on_action: Callable[[], None] | None = None) -> None:
        logging.getLogger("longwatch").log(logging.ERROR if level == "error" else logging.INFO, "%s", text)
        self.level = level if level in self.LEVELS else "info"
        self.setProperty("level", self.level)
        self.style().unpolish(self)
        self.style().polish(self)
        self.icon.setPixmap(icon(self.level).pixmap(ICON))
        self.label.setText(text)
        self._callback = on_action
        self.action.setText(action)
        self.action.setVisible(bool(action and on_action))
        self.show()

    def clear(self) -> None:
        self._callback = None
        self.level = ""
        self.hide()

    def _act(self) -> None:
        callback = self._callback
        self.clear()
        if callback is not None:
            callback()

    @property
    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""
