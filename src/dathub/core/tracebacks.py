"""Tracebacks that are safe to log.

An exception's message can quote the data being worked on (a cell of a treatment record, a
name in an uploaded plan), and personal data never goes to a log. What finds a programming
error is the exception's type and where it was raised: the chain of files, lines and
functions, with each line of our source code. That is what these keep; never the message.
"""

from __future__ import annotations

import traceback


def where_it_failed(exc: BaseException) -> str:
    """The exception's type and the frames it passed through, oldest call first."""
    frames = traceback.format_list(traceback.extract_tb(exc.__traceback__))
    return f"{type(exc).__name__} (message withheld)\n" + "".join(frames).rstrip()
