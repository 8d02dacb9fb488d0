"""The one clock: what "now" and "today" are, for the whole product.

Every page, service, task, reminder and the demo ask here rather than reading the system
clock themselves, so that the day the product believes it is can be set in one place. The
test suite moves it with time-machine (`DATHUB_TEST_NOW=2027-03-31T23:30 make pytest`, see
the root conftest), which also moves the database's own timestamps, so dates compared with
created and modified times stay consistent.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    """The current moment, timezone-aware."""
    return timezone.now()


def today() -> dt.date:
    """Today's date in the site's time zone (Europe/London): 31 March 23:30 GMT is still
    31 March, and 00:30 BST on 1 April is already the new financial year."""
    return timezone.localdate(now())
