"""The policy tables: role × state × action, written out so a reader can check every cell.

A table is text, one block per state of the object:

    in state: open
      chair of the network   view_round comment_round close_round
      outsider               -

Each row is a person (by a name the test gives a maker for) and every action the policy gives
them on the object in that state, by the action's name; "-" is nothing at all. `check` asks
the policy (networks.registry.actions) for every cell and fails with the whole table as the
policy answers it, in the same form, so a difference is read cell by cell.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from networks import registry

ROW = re.compile(r"^\s+(?P<who>\S.*?)\s{2,}(?P<actions>\S.*)$")


def parse(text: str) -> dict[str, dict[str, frozenset[str]]]:
    table: dict[str, dict[str, frozenset[str]]] = {}
    state = None
    for line in text.splitlines():
        if not line.strip() or line.strip().startswith("#"):
            continue
        if line.startswith("in state:"):
            state = line.split(":", 1)[1].strip()
            table[state] = {}
            continue
        match = ROW.match(line)
        if state is None or match is None:
            raise ValueError(f"Not a table line: {line!r}")
        actions = match["actions"].split()
        table[state][match["who"]] = frozenset() if actions == ["-"] else frozenset(actions)
    return table


def render(table: dict[str, dict[str, frozenset[str]]], order: list[str]) -> str:
    width = max(len(who) for rows in table.values() for who in rows) + 3
    lines = []
    for state, rows in table.items():
        lines.append(f"in state: {state}")
        for who, actions in rows.items():
            cell = " ".join(sorted(actions, key=order.index)) if actions else "-"
            lines.append(f"  {who.ljust(width)}{cell}")
    return "\n".join(lines)


def check(
    label: str,
    expected_text: str,
    people: dict[str, Callable[[], object]],
    objects: dict[str, Callable[[], object]],
    actions: frozenset[str] | None = None,
) -> None:
    """Ask the policy of `label` for every (person, state) cell of the table and compare.

    `people` makes each person the table names; `objects` makes the object in each state the
    table names (each called once per cell, so a maker may change the state of one object).
    `actions` are the actions the table shows (the policy's own by default; a higher app's
    extension shows its own actions on the model)."""
    policy = registry.registered()[label]
    expected = parse(expected_text)
    assert set(expected) == set(objects), "the table's states are the states the test makes"
    order = [*sorted(actions if actions is not None else policy.all_actions)]
    unknown = {a for rows in expected.values() for acts in rows.values() for a in acts} - set(order)
    assert not unknown, f"{label} never gives {sorted(unknown)}"
    given = {a for rows in expected.values() for acts in rows.values() for a in acts}
    assert given == set(order), f"the table never shows {sorted(set(order) - given)}"
    users = {who: make() for who, make in people.items()}
    actual: dict[str, dict[str, frozenset[str]]] = {}
    for state, rows in expected.items():
        actual[state] = {}
        for who in rows:
            obj = objects[state]()
            actual[state][who] = frozenset(registry.actions(fresh(users[who]), obj)) & set(order)
    assert render(actual, order) == render(expected, order)


def fresh(user):
    """The person as a new request sees them (no answers remembered from an earlier cell)."""
    if user is not None and hasattr(user, registry.CACHE_ATTRIBUTE):
        delattr(user, registry.CACHE_ATTRIBUTE)
    return user
