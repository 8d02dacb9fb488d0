"""Notes under an objective ("See grid 3", "N/A", "Note: ..."): recognising them among the
actions and joining a note's wrapped lines back up."""

from __future__ import annotations

import re

from .drafts import Objective
from .lines import Line, squash
from .reading import ReaderState
from .wrapping import carries_on

NOTE = re.compile(
    r"^(?:please\s+)?(?:see|refer\s+to|cross[\s-]?refer\w*)\b|^as\s+(?:above|per)\b"
    r"|^covered\s+(?:in|by|under)\b|^(?:n/?a|not applicable)\.?$"
    # "Note the board's decision" is an action: "note" alone must be marked as a note
    r"|^note\s*(?:[:\-–]|that\b)|^please\s+note\b|^n\.?\s?b\b\.?|^nota\s+bene\b",
    re.I,
)


class NoteReading(ReaderState):
    """Notes, for the objective boxes and actions tables they stand in."""

    def add_note(self, objective: Objective, text: str) -> None:
        objective.notes.append(text)
        objective.last_was_note = True

    def ends_note(self, objective: Objective, text: str, line: Line) -> bool:
        """Append a wrapped line to the note just read ("Note: ... shared with" / "grid 3")."""
        if not (objective.last_was_note and objective.notes and text) or NOTE.match(text):
            return False
        if not carries_on(text, objective.notes[-1], line, self.punctuated):
            return False
        objective.notes[-1] = squash(f"{objective.notes[-1]} {text}")
        return True
