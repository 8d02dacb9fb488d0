"""Text fields refuse control characters and bidirectional overrides, and are bounded: the
shared check (`core.text`), the form base every form uses (`core.forms`), and a real page
and a real API call that write nothing when refused."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Any

import pytest
from django import forms as django_forms
from django.conf import settings
from django.core.exceptions import ValidationError

import dathub
from dathub.core import forms as core_forms
from dathub.core import text
from dathub.tenancy.models import Body

RLO = "\u202e"
BELL = "\x07"
HUGE = "x" * 20_000_001

# --- the check ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, code",
    [
        (f"invoice{RLO}fdp.exe", "bidi_control"),
        ("a\u202ab", "bidi_control"),
        ("a\u2066b\u2069", "bidi_control"),
        (f"ring{BELL}", "control_character"),
        ("nul\x00", "control_character"),
        ("escape\x1b[31m", "control_character"),
        ("del\x7f", "control_character"),
        ("c1\x85", "control_character"),
        ("c1\x9b", "control_character"),
    ],
)
def test_refused_everywhere(value: str, code: str) -> None:
    for multiline in (False, True):
        found = text.problem(value, multiline=multiline)
        assert found is not None and found[0] == code, (value, multiline)
        assert "U+" in found[1] and found[1].startswith("Remove")


def test_line_breaks_only_in_multiline_text() -> None:
    for value in ("one\ntwo", "one\r\ntwo", "tab\there", "para\u2029graph"):
        assert text.problem(value, multiline=True) is None
        code, message = text.problem(value, multiline=False)  # type: ignore[misc]
        assert code == "control_character" and "one line" in message


@pytest.mark.parametrize(
    "value",
    [
        "Plain words, £10k, 50% – “quoted” — Zoë, Ōtautahi, 東京",
        "עברית \u200f(RLM) and العربية \u061c and \u200e marks",
        "emoji with joiner 👩\u200d⚕️",
        "",
    ],
)
def test_ordinary_text_is_allowed(value: str) -> None:
    assert text.problem(value) is None


def test_the_message_says_where_and_what() -> None:
    code, message = text.problem(f"ab{RLO}c")  # type: ignore[misc]
    assert code == "bidi_control"
    assert "right-to-left override (U+202E) at character 3" in message


def test_validator_raises_with_the_code() -> None:
    validator = text.SafeTextValidator()
    validator("fine")
    with pytest.raises(ValidationError) as caught:
        validator(f"x{BELL}")
    assert caught.value.code == "control_character"
    assert text.SafeTextValidator(multiline=True) == text.SafeTextValidator(multiline=True)


# --- the form base -----------------------------------------------------------------------


class _Sample(core_forms.Form):
    line = django_forms.CharField(required=False)
    short = django_forms.CharField(required=False, max_length=20)
    notes = django_forms.CharField(required=False, widget=django_forms.Textarea)
    secret = django_forms.CharField(required=False, widget=django_forms.PasswordInput)
    count = django_forms.IntegerField(required=False)


def _errors(**data: Any) -> dict[str, list[str]]:
    form = _Sample(data=data)
    form.is_valid()
    return {k: [str(m) for m in v] for k, v in form.errors.items()}


def test_form_refuses_control_and_bidi_characters() -> None:
    errors = _errors(line=f"a{RLO}b", notes=f"ring{BELL}")
    assert "right-to-left override" in errors["line"][0]
    assert "U+0007" in errors["notes"][0]
    form = _Sample(data={"line": f"a{BELL}"})
    assert not form.is_valid()
    assert form.errors.as_data()["line"][0].code == "control_character"


def test_form_line_breaks_only_in_text_areas() -> None:
    assert _errors(notes="one\ntwo\n\tthree") == {}
    assert "one line" in _errors(line="one\ntwo")["line"][0]


def test_form_bounds_every_text_field() -> None:
    line_max = settings.DATHUB_LINE_MAX_LENGTH
    text_max = settings.DATHUB_TEXT_MAX_LENGTH
    assert _errors(line="x" * line_max, notes="x" * text_max, short="x" * 20) == {}
    errors = _errors(line="x" * (line_max + 1), notes=HUGE, short="x" * 21, secret=HUGE)
    assert set(errors) == {"line", "notes", "short", "secret"}
    assert f"at most {text_max:,}".replace(",", "") in errors["notes"][0].replace(",", "")


def test_passwords_are_bounded_but_not_checked() -> None:
    assert _errors(secret=f"pass{BELL}word\u202e") == {}


def test_whole_numbers_fit_the_database() -> None:
    assert _errors(count="2147483647") == {}
    assert "count" in _errors(count="99999999999999999999")
    assert "count" in _errors(count="-2147483649")


def test_fields_added_after_init_are_checked_too() -> None:
    class Built(core_forms.Form):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.fields["late"] = django_forms.CharField(widget=django_forms.Textarea)

    form = Built(data={"late": f"x{RLO}"})
    assert not form.is_valid() and "late" in form.errors


def _all_form_classes() -> list[type]:
    for info in pkgutil.walk_packages(dathub.__path__, "dathub."):
        if ".tests" in info.name or ".migrations" in info.name:
            continue
        if info.name.rsplit(".", 1)[-1] in {"forms", "crud", "views"}:
            importlib.import_module(info.name)
    found = []
    for cls in _subclasses(django_forms.BaseForm):
        module = inspect.getmodule(cls)
        name = module.__name__ if module else ""
        if name.startswith("dathub.") and ".tests" not in name:
            found.append(cls)
    return found


def _subclasses(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out.append(sub)
        out.extend(_subclasses(sub))
    return out


def test_every_form_of_the_product_uses_the_base() -> None:
    classes = _all_form_classes()
    assert len(classes) >= 25
    bare = [
        f"{c.__module__}.{c.__qualname__}"
        for c in classes
        if not issubclass(c, core_forms.SafeTextMixin)
    ]
    assert not bare, "forms not built on dathub.core.forms.Form/ModelForm: " + ", ".join(bare)


# --- a real page and a real API call -----------------------------------------------------


@pytest.mark.parametrize(
    "field, value",
    [("name", f"Board{RLO}draoB"), ("name", f"Board{BELL}"), ("terms_of_reference", HUGE)],
    ids=["rlo", "bell", "20m"],
)
def test_a_page_refuses_and_writes_nothing(demo: Any, client_for: Any, field: str, value: str):
    client = client_for(demo.coordinator)
    before = Body.objects.count()
    data = {"name": "New sub-group", "kind": "other", "terms_of_reference": "", field: value}
    response = client.post("/p/N01A/bodies/new/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Remove the hidden" in page or "at most" in page
    assert Body.objects.count() == before


def test_the_same_page_accepts_ordinary_text(demo: Any, client_for: Any) -> None:
    client = client_for(demo.coordinator)
    data = {"name": "Zoë’s group – עברית", "kind": "other", "terms_of_reference": "a\nb"}
    response = client.post("/p/N01A/bodies/new/", data)
    assert response.status_code == 302
    assert Body.objects.filter(name="Zoë’s group – עברית", terms_of_reference="a\nb").exists()


def test_sign_in_refuses_control_characters(demo: Any, client: Any) -> None:
    email = f"coordinator@northshire{RLO}.example"
    response = client.post("/sign-in/", {"email": email, "password": demo.password})
    assert response.status_code in (200, 400)
    assert "There is a problem" in response.content.decode()
    assert "_auth_user_id" not in client.session
