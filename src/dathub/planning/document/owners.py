"""Splitting a "by whom" cell into the parties named in it."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Words that end the name of a party: "&"/"and" after one of these separates two parties.
ROLE_WORDS = frozenset(
    """
    commissioner commissioners manager managers lead leads officer officers chair chairs
    team teams group groups panel panels provider providers advocate advocates police board
    boards trust trusts partnership partnerships probation coordinator coordinators
    co-ordinator co-ordinators worker workers director directors consultant consultants
    pharmacist pharmacists pharmacies agency agencies forum forums department dept council
    councils authority authorities unit units network networks committee committees
    practitioner practitioners nurse nurses gp gps prison prisons staff services service
    users carers administrator analyst analysts representative representatives secretariat
    head heads clinician clinicians deputy
    """.split()
)
_SPLIT = re.compile(r"\s*[/,;\n]\s*")
_AND = re.compile(r"\s+(?:&|and)\s+|\s*&\s*", re.IGNORECASE)


def _is_party(words: str) -> bool:
    """Whether text on the left of "&"/"and" already names a party on its own."""
    if words.rstrip().endswith("\x00"):
        return True  # ends in one of the partnership's own role names
    last = re.sub(r"[()\[\].:]", "", words.split()[-1]) if words.split() else ""
    if not last:
        return False
    if last.lower() in ROLE_WORDS:
        return True
    return bool(re.fullmatch(r"[A-Z][A-Z0-9]+s?", last)) and any(c.isalpha() for c in last)


def _split_and(part: str) -> list[str]:
    pieces: list[str] = []
    rest = part
    while True:
        for match in _AND.finditer(rest):
            left = rest[: match.start()]
            if left.strip() and _is_party(left) and rest[match.end() :].strip():
                pieces.append(left)
                rest = rest[match.end() :]
                break
        else:
            pieces.append(rest)
            return pieces


def _unbracket(part: str) -> str:
    part = part.strip()
    while re.fullmatch(r"\([^()]*\)|\[[^\[\]]*\]", part):
        part = part[1:-1].strip()
    return part


def split_owners(text: str | None, known_roles: Iterable[str] = ()) -> list[str]:
    """The parties of a by-whom cell: "(JCG), DAT DIP Lead & Police" -> JCG, DAT DIP Lead,
    Police. The partnership's own role names are matched first and never split."""
    if not text or not text.strip():
        return []
    working = " ".join(text.split())
    if re.search(r"(?:^|\s)[^\s.]+\.$", working):
        working = working[:-1]  # the cell's full stop ("Probation and CJIT."), not "N.D.A.T."
    protected: dict[str, str] = {}
    for n, role in enumerate(
        sorted({" ".join(r.split()) for r in known_roles if r.strip()}, key=len, reverse=True)
    ):
        token = f"\x00{n}\x00"
        pattern = re.compile(rf"(?<![\w]){re.escape(role)}(?![\w])", re.IGNORECASE)

        def keep(match: re.Match[str], token: str = token) -> str:
            protected[token] = match.group(0)
            return token

        working = pattern.sub(keep, working)
    parties: list[str] = []
    for part in _SPLIT.split(working):
        for piece in _split_and(part):
            for token, original in protected.items():
                piece = piece.replace(token, original)
            piece = _unbracket(piece)
            if piece:
                parties.append(piece)
    return parties
