"""One measured target of a benchmark, as `make bench` prints it."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Target:
    """`name: figure … target … pass`; `passed` None is a figure for information only."""

    name: str
    figure: str
    target: str
    passed: bool | None

    def line(self) -> str:
        verdict = {True: "pass", False: "FAIL", None: "(info)"}[self.passed]
        return f"{self.name}: {self.figure} … target {self.target} … {verdict}"

    def as_dict(self) -> dict:
        return asdict(self)
