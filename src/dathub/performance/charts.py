"""Charts as PNG images (matplotlib, no display). Every chart is shown beside its data
table and with alt text; the chart adds nothing the table does not say."""

from __future__ import annotations

import io
from decimal import Decimal

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

BLUE = "#1d70b8"
BLACK = "#0b0c0c"


def quarters_chart(
    title: str,
    labels: list[str],
    values: list[Decimal | None],
    targets: list[Decimal | None],
    *,
    is_count: bool,
) -> bytes:
    """Figures by quarter as a line with markers; the target as a dashed line."""
    fig = Figure(figsize=(6.4, 3.2), dpi=100)
    ax = fig.add_subplot()
    x = list(range(len(labels)))
    ys = [float(v) if v is not None else float("nan") for v in values]
    ax.plot(x, ys, marker="o", color=BLUE, linewidth=2, label="Figure")
    if any(t is not None for t in targets):
        ts = [float(t) if t is not None else float("nan") for t in targets]
        ax.plot(x, ts, linestyle="--", color=BLACK, linewidth=1.5, label="Target")
    ax.set_xticks(x, [lbl.replace(" Q", "\nQ") for lbl in labels], fontsize=8)
    ax.set_title(title, fontsize=10, loc="left")
    ax.set_ylabel("people" if is_count else "%", fontsize=8)
    if not is_count:
        top = max([y for y in ys + [float(t) for t in targets if t is not None] if y == y] or [0])
        ax.set_ylim(0, max(100.0, top))
    else:
        ax.set_ylim(bottom=0)
    ax.grid(axis="y", color="#b1b4b6", linewidth=0.5)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8, loc="lower left", frameon=False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
