"""Reading a pack's PDF back, for the tests, without a PDF library (the venv has none and
the machine has no poppler): the objects (with WeasyPrint's compressed object streams
inflated), the catalog, and each page's text, decoded through its fonts' ToUnicode maps.
It reads what WeasyPrint writes; it is not a general PDF reader."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field

_HEADER = re.compile(rb"(\d+) 0 obj\s*")
_REF = rb" (\d+) 0 R"


def _dict_end(data: bytes, start: int) -> int:
    """The index just after the << ... >> that starts at `start`."""
    depth, i = 0, start
    while i < len(data):
        pair = data[i : i + 2]
        if pair == b"<<":
            depth, i = depth + 1, i + 2
        elif pair == b">>":
            depth, i = depth - 1, i + 2
            if depth == 0:
                return i
        elif data[i : i + 1] == b"(":  # a string may hold brackets: skip it
            i += 1
            while data[i : i + 1] != b")" or data[i - 1 : i] == b"\\":
                i += 1
            i += 1
        else:
            i += 1
    raise ValueError("unbalanced dictionary")


@dataclass
class Pdf:
    data: bytes
    objects: dict[int, bytes] = field(default_factory=dict)  # number -> dictionary or value
    streams: dict[int, bytes] = field(default_factory=dict)  # number -> inflated data

    def __post_init__(self) -> None:
        pos = 0
        while m := _HEADER.search(self.data, pos):
            num, start = int(m.group(1)), m.end()
            if self.data.startswith(b"<<", start):
                end = _dict_end(self.data, start)
                body = self.data[start:end]
                after = re.match(rb"\s*stream\r?\n", self.data[end : end + 12])
                if after:
                    length = int(re.search(rb"/Length (\d+)", body).group(1))  # type: ignore[union-attr]
                    begin = end + after.end()
                    raw = self.data[begin : begin + length]
                    self.streams[num] = zlib.decompress(raw) if b"/FlateDecode" in body else raw
                    end = begin + length
                self.objects[num] = body
                pos = end
            else:
                close = self.data.index(b"endobj", start)
                self.objects[num] = self.data[start:close].strip()
                pos = close
        for num, body in list(self.objects.items()):
            if b"/Type /ObjStm" in body:
                self._unpack(self.streams[num], body)

    def _unpack(self, stream: bytes, body: bytes) -> None:
        first = int(re.search(rb"/First (\d+)", body).group(1))  # type: ignore[union-attr]
        numbers = [int(n) for n in stream[:first].split()]
        pairs = list(zip(numbers[::2], numbers[1::2], strict=True))
        for i, (num, offset) in enumerate(pairs):
            end = pairs[i + 1][1] if i + 1 < len(pairs) else len(stream) - first
            self.objects[num] = stream[first + offset : first + end].strip()

    def ref(self, body: bytes, key: str) -> int | None:
        m = re.search(b"/" + key.encode() + _REF, body)
        return int(m.group(1)) if m else None

    @property
    def catalog(self) -> bytes:
        return next(b for b in self.objects.values() if b"/Type /Catalog" in b)

    @property
    def raw(self) -> bytes:
        """Every object and inflated stream, to look for a key in."""
        return b"\n".join([*self.objects.values(), *self.streams.values()])

    def pages(self) -> list[bytes]:
        def kids(num: int) -> list[bytes]:
            node = self.objects[num]
            if b"/Type /Pages" not in node:
                return [node]
            inner = re.search(rb"/Kids \[(.*?)\]", node, re.S).group(1)  # type: ignore[union-attr]
            return [page for n in re.findall(rb"(\d+) 0 R", inner) for page in kids(int(n))]

        root = self.ref(self.catalog, "Pages")
        assert root is not None
        return kids(root)

    def _fonts(self, page: bytes) -> dict[bytes, dict[str, str]]:
        resources = self.ref(page, "Resources")
        assert resources is not None
        fonts_ref = self.ref(self.objects[resources], "Font")
        assert fonts_ref is not None
        maps: dict[bytes, dict[str, str]] = {}
        for name, num in re.findall(rb"/(\S+?) (\d+) 0 R", self.objects[fonts_ref]):
            cmap_ref = self.ref(self.objects[int(num)], "ToUnicode")
            if cmap_ref is not None:
                maps[name] = _cmap(self.streams[cmap_ref])
        return maps

    def page_lines(self) -> list[list[str]]:
        """Each page's text, line by line from the top, the pieces of a line left to right."""
        out = []
        for page in self.pages():
            fonts = self._fonts(page)
            contents = self.ref(page, "Contents")
            assert contents is not None
            out.append(_lines(self.streams[contents], fonts))
        return out

    def page_texts(self) -> list[str]:
        return [" ".join(" ".join(lines).split()) for lines in self.page_lines()]


def _hex_text(hexes: bytes, cmap: dict[str, str]) -> str:
    h = hexes.decode().lower()
    return "".join(cmap.get(h[i : i + 4], "") for i in range(0, len(h), 4))


def _cmap(stream: bytes) -> dict[str, str]:
    text = stream.decode("latin-1")
    out: dict[str, str] = {}

    def uni(h: str) -> str:
        return bytes.fromhex(h).decode("utf-16-be")

    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            out[src.lower()] = uni(dst)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, dst in re.findall(
            r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block
        ):
            for k in range(int(lo, 16), int(hi, 16) + 1):
                out[f"{k:04x}"] = chr(int(dst, 16) + k - int(lo, 16))
    return out


_OPS = re.compile(
    rb"(?P<tm>(?:[-\d.]+ ){4}(?P<x>[-\d.]+) (?P<y>[-\d.]+) Tm)"
    rb"|(?P<tf>/(?P<font>\S+) [-\d.]+ Tf)"
    rb"|(?P<tj>\[(?P<array>[^\]]*)\] TJ)"
    rb"|(?P<one><(?P<hex>[0-9a-fA-F]*)> Tj)"
)


def _lines(content: bytes, fonts: dict[bytes, dict[str, str]]) -> list[str]:
    pieces: list[tuple[float, float, str]] = []
    x = y = 0.0
    cmap: dict[str, str] = {}
    for m in _OPS.finditer(content):
        if m.group("tm"):
            x, y = float(m.group("x")), float(m.group("y"))
        elif m.group("tf"):
            cmap = fonts.get(m.group("font"), {})
        elif m.group("tj"):
            text = "".join(_hex_text(h, cmap) for h in re.findall(rb"<([0-9a-fA-F]*)>", m["array"]))
            pieces.append((y, x, text))
        elif m.group("one"):
            pieces.append((y, x, _hex_text(m.group("hex"), cmap)))
    lines: dict[int, list[tuple[float, str]]] = {}
    for py, px, text in pieces:
        lines.setdefault(round(py), []).append((px, text))
    return [
        " ".join(t for _, t in sorted(parts)).strip()
        for _, parts in sorted(lines.items())
        if "".join(t for _, t in parts).strip()
    ]
