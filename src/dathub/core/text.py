"""The one check of free text people and systems send us: no invisible control characters,
no characters that reorder how text is shown, and a bounded length.

Refused, with the code in brackets:

- control characters (`control_character`): C0 (U+0000 to U+001F), DEL (U+007F) and C1
  (U+0080 to U+009F). Tab, line feed and carriage return are allowed in multi-line text only.
  Unicode's line and paragraph separators (U+2028, U+2029) count as line breaks.
- bidirectional embeddings, overrides and isolates (`bidi_control`): U+202A to U+202E and
  U+2066 to U+2069. They make text appear in a different order from the one it is stored in
  (a "right-to-left override" can make `exe.txt` read as `txt.exe`), in pages, exports and
  packs alike. The left-to-right and right-to-left *marks* (U+200E, U+200F, U+061C) are
  allowed: Arabic or Hebrew names need them, and they cannot reorder a run of text.
- unpaired surrogates (`invalid_character`): not characters at all; no database can store
  them.

Lengths: a single line is at most `DATHUB_LINE_MAX_LENGTH` characters (1,000) unless its field
says less; multi-line text at most `DATHUB_TEXT_MAX_LENGTH` (10,000). Forms get all of this
from `dathub.core.forms`; API input schemas from `SafeLine`, `SafeText`, `ONE_LINE` and
`MULTI_LINE` here.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from pydantic import AfterValidator, StringConstraints
from pydantic_core import PydanticCustomError

LINE_BREAKS = "\t\n\r\u2028\u2029"
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_BIDI = "\u202a-\u202e\u2066-\u2069"
_SURROGATE = "\ud800-\udfff"
_UNSAFE_MULTILINE = re.compile(f"[{_CONTROL}{_BIDI}{_SURROGATE}]")
_UNSAFE_LINE = re.compile(f"[{_CONTROL}{_BIDI}{_SURROGATE}\t\n\r\u2028\u2029]")

BIDI_NAMES = {
    "\u202a": "left-to-right embedding",
    "\u202b": "right-to-left embedding",
    "\u202c": "pop directional formatting",
    "\u202d": "left-to-right override",
    "\u202e": "right-to-left override",
    "\u2066": "left-to-right isolate",
    "\u2067": "right-to-left isolate",
    "\u2068": "first strong isolate",
    "\u2069": "pop directional isolate",
}


def line_max_length() -> int:
    return int(settings.DATHUB_LINE_MAX_LENGTH)


def text_max_length() -> int:
    return int(settings.DATHUB_TEXT_MAX_LENGTH)


def _codepoint(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def problem(value: str, *, multiline: bool = False) -> tuple[str, str] | None:
    """The first character `value` may not hold, as (code, message in plain words), or None."""
    found = (_UNSAFE_MULTILINE if multiline else _UNSAFE_LINE).search(value)
    if found is None:
        return None
    ch = found.group()
    where = f"character {found.start() + 1}"
    if ch in BIDI_NAMES:
        return (
            "bidi_control",
            f"Remove the hidden {BIDI_NAMES[ch]} ({_codepoint(ch)}) at {where}: it makes "
            "text appear in a different order from the one it is saved in.",
        )
    if "\ud800" <= ch <= "\udfff":
        return (
            "invalid_character",
            f"Remove the broken character ({_codepoint(ch)}) at {where}: it is not a letter, "
            "number or symbol and cannot be saved.",
        )
    if ch in LINE_BREAKS:
        kind = "tab" if ch == "\t" else "line break"
        return (
            "control_character",
            f"Remove the {kind} at {where}: this answer must be on one line.",
        )
    name = unicodedata.name(ch, "control character").lower()
    return (
        "control_character",
        f"Remove the hidden {name} ({_codepoint(ch)}) at {where}: it cannot be shown or printed.",
    )


@deconstructible
class SafeTextValidator:
    """Django validator: refuses what `problem` finds, with its code and message."""

    def __init__(self, *, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, value: Any) -> None:
        if not isinstance(value, str):
            return
        found = problem(value, multiline=self.multiline)
        if found is not None:
            code, message = found
            raise ValidationError(message, code=code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SafeTextValidator) and other.multiline == self.multiline

    def __hash__(self) -> int:
        return hash((type(self), self.multiline))


def _pydantic_check(multiline: bool) -> Any:
    def check(value: str) -> str:
        found = problem(value, multiline=multiline)
        if found is not None:
            code, message = found
            raise PydanticCustomError(code, message)
        return value

    return check


# API input schemas: `name: SafeLine`, `notes: SafeText`, and for a tighter bound
# `code: Annotated[str, StringConstraints(max_length=40), ONE_LINE]`.
ONE_LINE = AfterValidator(_pydantic_check(multiline=False))
MULTI_LINE = AfterValidator(_pydantic_check(multiline=True))
SafeLine = Annotated[str, StringConstraints(max_length=line_max_length()), ONE_LINE]
SafeText = Annotated[str, StringConstraints(max_length=text_max_length()), MULTI_LINE]
