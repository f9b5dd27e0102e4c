"""The three faces of a policy give one rule: for every person, object and action,
`action in actions(person, obj)` ⇔ `obj in objects_for(person, action)` ⇔
`person in users_for(action, obj)` (where the policy offers that face)."""

from __future__ import annotations

from networks import registry
from tests.policies.table import fresh


def disagreements(people, objects, actions, *, objects_for=True, users_for=True) -> list[str]:
    found = []
    for action in actions:
        for obj in objects:
            model = type(obj)
            if users_for:
                told = set(registry.users_for(action, obj).values_list("pk", flat=True))
            for who, person in people.items():
                may = action in registry.actions(fresh(person), obj)
                if objects_for:
                    listed = registry.objects_for(person, action, model).filter(pk=obj.pk).exists()
                    if listed != may:
                        found.append(
                            f"{who} / {action} / {obj}: actions {may}, objects_for {listed}"
                        )
                if users_for and (person.pk in told) != may:
                    found.append(
                        f"{who} / {action} / {obj}: actions {may}, users_for {person.pk in told}"
                    )
    return found
