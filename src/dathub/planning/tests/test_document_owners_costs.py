"""Splitting by-whom cells and reading costs."""

import pytest

from dathub.planning.document.costs import read_cost
from dathub.planning.document.owners import split_owners


@pytest.mark.parametrize(
    ("text", "parties"),
    [
        ("BM/ DPM", ["BM", "DPM"]),
        ("BM/DPM", ["BM", "DPM"]),
        ("(JCG), DAT DIP Lead & Police", ["JCG", "DAT DIP Lead", "Police"]),
        ("NDAT Contracts & Performance Officer", ["NDAT Contracts & Performance Officer"]),
        ("NDAT Commissioner & Service User Advocates",
         ["NDAT Commissioner", "Service User Advocates"]),
        ("DIP PM/ BM", ["DIP PM", "BM"]),
        ("JCG Chair", ["JCG Chair"]),
        ("BM and DPM", ["BM", "DPM"]),
        ("Drug & Alcohol Action Team", ["Drug & Alcohol Action Team"]),
        ("Data Performance Manager (DPM)/ Project Manager",
         ["Data Performance Manager (DPM)", "Project Manager"]),
        ("Probation and CJIT.", ["Probation", "CJIT"]),  # the cell's full stop, not the name's
        ("N.D.A.T.", ["N.D.A.T."]),
        ("", []),
        (None, []),
    ],
)  # fmt: skip
def test_split_owners(text, parties):
    assert split_owners(text) == parties


def test_known_roles_are_consulted_first():
    # without the partnership's list "Lead" ends a party and the role would be cut in two
    assert split_owners("Housing and Recovery Lead & JCG") == ["Housing and Recovery Lead", "JCG"]
    assert split_owners("Treatment Lead and Recovery Lead/ DPM") == [
        "Treatment Lead",
        "Recovery Lead",
        "DPM",
    ]
    roles = ["Treatment Lead and Recovery Lead"]
    assert split_owners("Treatment Lead and Recovery Lead/ DPM", roles) == [
        "Treatment Lead and Recovery Lead",
        "DPM",
    ]
    assert split_owners("treatment lead and recovery lead & JCG", roles) == [
        "treatment lead and recovery lead",
        "JCG",
    ]


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("£600 000 approx", 600000),
        ("£10k", 10000),
        ("£5K", 5000),
        ("Within overall budget £39 500", 39500),
        ("Within overall budget £21,500", 21500),
        ("Within workforce budget £30k", 30000),
        ("£1.5m", 1500000),
        ("20,000", 20000),
        ("Within role resource", None),
        ("Staff time", None),
    ],
)
def test_read_cost(text, amount):
    assert read_cost(text) == {"text": text, "amount": amount}


def test_empty_cost_is_none():
    assert read_cost("") is None
    assert read_cost("   ") is None
