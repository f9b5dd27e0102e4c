"""The permission policies: one per model, registered by the app that owns the model.

Every rule about who may do what lives in a policy. A policy answers three questions about one
kind of object, and gives the three answers from the same rule so they cannot disagree:

- `actions(user, obj)`: what this person may do on this object now, in its present state
  (templates show their buttons from it, services ask it through `require`);
- `objects_for(user, action)`: the objects of this kind the person may do `action` on, as a
  queryset (the dashboard, lists, pickers);
- `users_for(action, obj)`: the people who may do `action` on this object, as a queryset (who is
  told, who approves, who may be asked to sign, who speaks for a party).

The app that owns a model registers its policy (`@register("app_label.Model")`) in its own
`policies` module, imported by its AppConfig.ready. This module knows no other app: it finds a
policy by the model's label. Lower apps never name the models, statuses or URLs of higher ones;
a higher policy asks a lower one through `actions(user, obj)` here.

`require(user, action, obj)` is what services call: it raises NotFound when the person may not
even see the object (the same answer as for one that does not exist), and NotAllowed when they
see it but may not do this now.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, QuerySet

from networks.errors import NotAllowed, NotFound


class Allowed(frozenset):
    """The actions a person may take on one object. A set of strings, readable in templates as
    `{% if may.edit_document %}` (an unknown name is simply not allowed)."""

    def __getattr__(self, name: str) -> bool:
        if name.startswith("__"):
            raise AttributeError(name)
        return name in self

    def __getitem__(self, name: str) -> bool:
        return name in self


NOTHING = Allowed()


class Policy:
    """The rules for one model. Subclasses set `view_action` and `all_actions` and implement the
    three faces; a face a policy does not offer for an action raises NotImplementedError, so a
    caller never receives a silent empty answer for a question nobody answers."""

    label: ClassVar[str] = ""
    # The action that decides whether the object exists for a person at all (404 without it).
    view_action: ClassVar[str] = ""
    # Every action this policy may give (the policy table test checks each appears somewhere).
    all_actions: ClassVar[frozenset[str]] = frozenset()

    def actions(self, user, obj) -> frozenset[str]:
        raise NotImplementedError

    def objects_for(self, user, action: str) -> QuerySet:
        raise NotImplementedError(f"{self.label}: no objects_for({action!r})")

    def users_for(self, action: str, obj) -> QuerySet:
        raise NotImplementedError(f"{self.label}: no users_for({action!r})")

    def may(self, user, action: str) -> bool:
        """A question about the model with no object yet (create a new one)."""
        raise NotImplementedError(f"{self.label}: no may({action!r})")

    def seeing(self, action: str) -> str:
        """The action without which the object does not exist for a person asking to `action`."""
        return self.view_action

    def cache_key(self, obj) -> tuple:
        """What makes an answer stale within one request (the object's state)."""
        return (self.label, obj.pk, getattr(obj, "status", None), getattr(obj, "state", None))


_policies: dict[str, Policy] = {}
# Actions a higher app adds to a lower app's model (a step on a document, say): each is called
# with (user, obj, the owner's actions) and returns more actions.
Extension = Callable[[Any, Any, frozenset[str]], frozenset[str]]
_extensions: dict[str, list[Extension]] = {}

P = TypeVar("P", bound=type[Policy])


def register(label: str) -> Callable[[P], P]:
    """Class decorator: `@register("documents.Document") class DocumentPolicy(Policy): ...`."""

    def decorate(cls: P) -> P:
        if label in _policies and type(_policies[label]) is not cls:
            raise RuntimeError(f"A policy for {label} is already registered")
        cls.label = label
        _policies[label] = cls()
        return cls

    return decorate


def extend(label: str) -> Callable[[Extension], Extension]:
    """Function decorator for a higher app's actions on a lower app's model; the lower policy
    stays unaware of them. The extension decides from the owner's actions and the object."""

    def decorate(extension: Extension) -> Extension:
        if extension not in _extensions.setdefault(label, []):
            _extensions[label].append(extension)
        return extension

    return decorate


def registered() -> dict[str, Policy]:
    """Every registered policy by model label (the policy table test walks them)."""
    return dict(_policies)


def _label(obj_or_model: Any) -> str:
    meta = getattr(obj_or_model, "_meta", None)
    if meta is None:
        raise TypeError(f"No permission rules for {obj_or_model!r}")
    return meta.label


class NoPolicy(LookupError):
    """Asked about a model no app registered a policy for: a programming error, never an
    answer ("nobody may") that would hide it."""


def policy_for(obj_or_model: Any) -> Policy:
    label = _label(obj_or_model)
    policy = _policies.get(label)
    if policy is None:
        raise NoPolicy(
            f"No policy for {label}: its app registers one (@register({label!r})) in its "
            "policies module, imported by its AppConfig.ready"
        )
    return policy


def is_person(user) -> bool:
    return user is not None and not isinstance(user, AnonymousUser) and user.is_active


# ----------------------------------------------------------------- answers within one request

CACHE_ATTRIBUTE = "_samverka_permissions"


def remember_for_this_request(user) -> None:
    """While a page is being read (GET), answers are kept on the user object, so a page that
    asks about the same object several times pays once. Writes never use it: they run with a
    fresh user and see every change (workspace.middleware)."""
    setattr(user, CACHE_ATTRIBUTE, {})


@contextmanager
def remembering(user) -> Iterator[None]:
    """Remember answers while one read runs outside a page (the start page's lists built for a
    test or a task), as a page does; forgotten afterwards, so a later write sees every change.
    Inside a page that already remembers, nothing changes."""
    if not is_person(user) or hasattr(user, CACHE_ATTRIBUTE):
        yield
        return
    remember_for_this_request(user)
    try:
        yield
    finally:
        delattr(user, CACHE_ATTRIBUTE)


def cached(user, key: tuple, compute: Callable[[], Any]) -> Any:
    """Remember `compute()` under `key` for this request, when the request remembers answers."""
    cache = getattr(user, CACHE_ATTRIBUTE, None)
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]


# ------------------------------------------------------------------------ the three questions


def actions(user, obj: Model) -> Allowed:
    """Everything this person may do on this object now."""
    policy = policy_for(obj)
    if not is_person(user):
        return NOTHING
    return cached(user, policy.cache_key(obj), lambda: _actions(policy, user, obj))


def _actions(policy: Policy, user, obj: Model) -> Allowed:
    own = frozenset(policy.actions(user, obj))
    more = [extension(user, obj, own) for extension in _extensions.get(policy.label, ())]
    return Allowed(own.union(*more))


def can(user, action: str, obj: Model) -> bool:
    return action in actions(user, obj)


def view_action(obj: Model, action: str) -> str:
    return policy_for(obj).seeing(action)


def require(user, action: str, obj: Model) -> Allowed:
    """Raise NotFound if the person may not even see the object, NotAllowed if they may not do
    this now. Returns everything they may do, for the caller's page."""
    allowed = actions(user, obj)
    if view_action(obj, action) not in allowed:
        raise NotFound()
    if action not in allowed:
        raise NotAllowed()
    return allowed


def may(user, action: str, model: type[Model]) -> bool:
    """Whether the person may do `action` on this kind of object when there is none to ask about
    yet (create a new top-level network). The policy answers from the same tables."""
    policy = policy_for(model)
    if not is_person(user):
        return False
    return cached(user, (policy.label, "may", action), lambda: policy.may(user, action))


def require_may(user, action: str, model: type[Model]) -> None:
    """Raise NotAllowed unless `may(user, action, model)`: there is nothing to hide, so no 404."""
    if not may(user, action, model):
        raise NotAllowed()


def objects_for(user, action: str, model: type[Model]) -> QuerySet:
    """The objects of this model the person may do `action` on."""
    policy = policy_for(model)
    if not is_person(user):
        return model._default_manager.none()
    return policy.objects_for(user, action)


def ids_for(user, action: str, model: type[Model]) -> list[int]:
    """`objects_for` read once, as a list of primary keys, remembered for the request when it
    remembers answers. For the few objects a person's own ties give (their networks): a list
    of ids in another query is planned on the indexes, where a nested rule (an OR of
    subqueries) is estimated at most of its table and makes the planner read whole tables."""
    return cached(
        user,
        (model._meta.label, "ids", action),
        lambda: list(objects_for(user, action, model).order_by("pk").values_list("pk", flat=True)),
    )


def users_for(action: str, obj: Model) -> QuerySet:
    """The active people who may do `action` on this object."""
    return policy_for(obj).users_for(action, obj)


def still_seeing(people: Iterable[Any], obj: Model) -> list[Any]:
    """Of people named by the record (a comment's author, whoever asked for a sign-off, its
    signatories), those who may still see the object now: nobody is told of what they may no
    longer read (they left the network, their account was closed)."""
    seeing = policy_for(obj).view_action
    return [
        person
        for person in dict.fromkeys(people)
        if person is not None and can(person, seeing, obj)
    ]


def actions_for_each(user, objects: Iterable[Model]) -> dict[int, Allowed]:
    """`actions` for several objects of one kind, by primary key (a policy may batch it)."""
    return {obj.pk: actions(user, obj) for obj in objects}
