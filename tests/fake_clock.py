"""A stand-in for the `time` module of code that waits: sleeping moves the clock on at once.

Patched over a module's `time` (`monkeypatch.setattr(module, "time", FakeClock())`), it
lets a test check a time limit exactly and without waiting it out, however busy the
machine is.
"""

from __future__ import annotations


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
