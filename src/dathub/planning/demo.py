"""Demo plans: Northshire's treatment plan for the current financial year with a year of
progress and two issued board packs; a smaller Eastvale plan.

Every date is worked out from today (`clock.today()`), so the demo always has work
overdue, due soon and complete. The plans go in through the planning services (as a
`dathub.plan/1` document); the progress history is seeded directly, in bulk, then each
action's status is set from its latest update as the service would. Loading again changes
nothing: a partnership that already has the demo plan is left alone.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from dathub.core import clock
from dathub.tenancy.models import Body, Person, User

from .document.dates import financial_year_label, financial_year_of, read_by_when
from .models import Action, Plan, ProgressUpdate

DEMO_SOURCE = "dathub demo"
MONTH_NAMES = [
    "Jan",
    "Feb",
    "March",
    "April",
    "May",
    "June",
    "July",
    "Aug",
    "Sept",
    "Oct",
    "Nov",
    "Dec",
]


def _shift(day: date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def _stamp(day: date, at: time) -> datetime:
    """`day` at `at`, but never later than now: the demo writes nothing stamped in the
    future, so what a person records after loading it is always the latest."""
    return min(timezone.make_aware(datetime.combine(day, at)), clock.now() - timedelta(seconds=1))


def _on(today: date, months: int, day_of_month: int) -> date:
    year, month = _shift(today, months)
    day = date(year, month, min(day_of_month, calendar.monthrange(year, month)[1]))
    return min(day, today)


def _quarter(today: date, months: int) -> tuple[int, int]:
    year, month = _shift(today, months)
    fy = year if month >= 4 else year - 1
    return (month - 4) % 12 // 3 + 1, fy


def when_text(spec: Any, today: date, n: int) -> str:
    """A 'by when' cell in one of the ways plans write them, relative to today."""
    if isinstance(spec, str):
        year_label = financial_year_label(financial_year_of(today))
        return {
            "ongoing": "Ongoing",
            "quarterly": "Quarterly",
            "monthly": "Monthly",
            "monthly/quarterly": "Monthly/ Quarterly",
            "throughout": f"Throughout {year_label}",
            "ongoing-quarterly": "Ongoing - quarterly",
        }[spec]
    kind, months = spec
    year, month = _shift(today, months)
    if kind == "m":
        if n % 3 == 0:
            return f"{month}/{year % 100:02d}"
        return f"{MONTH_NAMES[month - 1]} {year}"
    if kind == "q":
        q, fy = _quarter(today, months)
        return f"Q{q} {financial_year_label(fy)}"
    if kind == "endq":
        q, fy = _quarter(today, months)
        return f"End of Q{q} {financial_year_label(fy)}"
    if kind == "from":
        return f"{MONTH_NAMES[month - 1]} {year} - ongoing"
    raise ValueError(spec)


# --- Northshire's plan --------------------------------------------------------------------
# Each action: (text, by when, by whom, story). Stories: ("done", month offset completed),
# "on" (on track), ("risk", note, decision or ""), ("off", note, decision or ""), "new"
# (not started), ("drop", note), "recurring".

NORTHSHIRE_GRIDS: list[dict[str, Any]] = [
    {
        "title": "Commissioning the treatment system",
        "rating": "amber",
        "assessment": "A commissioning strategy is in place and the pooled treatment budget is "
        "managed through the Joint Commissioning Group.\nContracts are not yet cost and volume: "
        "unit costs are known for tier 3 prescribing only, and quarterly contract reviews are "
        "not consistently scored against the quality assurance framework.",
        "priorities": [
            "Move tier 3 contracts to cost and volume, based on unit costs",
            "Score every quarterly contract review against the quality assurance framework",
            "Refresh the needs assessment to set next year's treatment plan",
        ],
        "spend": [
            ("Planned spend last year", 1812000),
            ("Likely spend last year", 1765500),
            ("Planned spend this year", 1840000),
        ],
        "objectives": [
            (
                "Commission a treatment system based on the needs assessment",
                [
                    (
                        "Complete the annual needs assessment, including prevalence estimates and "
                        "unmet need by locality",
                        ("m", -5),
                        "DPM/ NDAT Data Lead",
                        ("done", -5),
                    ),
                    (
                        "Present the needs assessment to the JCG and agree commissioning "
                        "priorities for next year",
                        ("m", -4),
                        "JCG Chair",
                        ("done", -4),
                    ),
                    (
                        "Calculate unit costs for each tier 3 and tier 4 service",
                        ("endq", -1),
                        "NDAT Contracts & Performance Officer",
                        (
                            "risk",
                            "Two providers have not returned staffing costs; unit costs for "
                            "psychosocial interventions are estimates.",
                            "",
                        ),
                    ),
                    (
                        "Agree the cost and volume model for tier 3 contracts with providers",
                        ("q", 3),
                        "NDAT Commissioner/ Tier 3 Provider",
                        "on",
                    ),
                ],
            ),
            (
                "Manage contracts through quarterly reviews against the quality assurance "
                "framework",
                [
                    (
                        "Hold quarterly contract reviews with every provider, scored against the "
                        "quality assurance framework",
                        "quarterly",
                        "NDAT Contracts & Performance Officer",
                        "recurring",
                    ),
                    (
                        "Revise service level agreements to include incentives and penalties "
                        "linked to planned discharges",
                        ("m", -2),
                        "NDAT Commissioner",
                        (
                            "off",
                            "Legal advice on penalty clauses has taken longer than planned; "
                            "the revised SLAs will not be ready before the contract year starts.",
                            "Agree to extend the current SLAs by six months while the penalty "
                            "clauses are settled.",
                        ),
                    ),
                    (
                        "Publish a decommissioning and retendering timetable for the day programme",
                        ("m", 3),
                        "JCG Chair",
                        "new",
                    ),
                ],
            ),
        ],
    },
    {
        "title": "Workforce development",
        "rating": "green",
        "assessment": "The workforce strategy is agreed and staff in every provider hold or "
        "are working towards the national occupational standards.\nSupervision arrangements "
        "vary between providers and turnover in the voluntary sector remains high.",
        "priorities": [
            "Every practitioner assessed against the occupational standards",
            "A shared training programme across providers",
        ],
        "spend": [
            ("Planned spend last year", 30000),
            ("Likely spend last year", 28500),
            ("Planned spend this year", 32000),
        ],
        "objectives": [
            (
                "Provide training and professional development opportunities for all staff",
                [
                    (
                        "Map provider capacity to deliver occupational standards assessment",
                        ("m", -8),
                        "BM",
                        ("done", -8),
                    ),
                    (
                        "Run the shared training programme, including motivational interviewing "
                        "and blood-borne virus awareness",
                        "throughout",
                        "BM/ NDAT Team",
                        "on",
                    ),
                    (
                        "Carry out a training needs analysis and benchmark progress",
                        ("m", -1),
                        "BM",
                        ("done", -1),
                    ),
                    (
                        "Set up a practitioner forum across tier 2 and tier 3 providers",
                        ("m", 1),
                        "BM/ Northshire Recovery Trust",
                        "on",
                    ),
                ],
            ),
            (
                "Improve supervision and retention of practitioners",
                [
                    (
                        "Agree minimum clinical supervision standards with providers",
                        ("m", -3),
                        "Northshire Partnership NHS Foundation Trust/ Northshire Recovery Trust",
                        (
                            "risk",
                            "Standards drafted; the voluntary sector provider cannot fund "
                            "external supervision within its current contract.",
                            "Approve £8,000 from the pooled budget for external clinical "
                            "supervision this year.",
                        ),
                    ),
                    (
                        "Report staff turnover and vacancies to the JCG",
                        "ongoing-quarterly",
                        "Tier 3 Provider",
                        "recurring",
                    ),
                ],
            ),
        ],
    },
    {
        "title": "Service user and carer involvement",
        "rating": "amber/green",
        "assessment": "Service users are involved through the service user group, which "
        "reports to the JCG.\nCarers' involvement is informal and depends on one provider; "
        "there is no carers' strategy.",
        "priorities": [
            "A written user and carer involvement strategy",
            "Service users on every commissioning panel",
        ],
        "spend": [
            ("Planned spend last year", 39500),
            ("Likely spend last year", 39500),
            ("Planned spend this year", 41000),
        ],
        "objectives": [
            (
                "Involve service users in the design and review of the treatment system",
                [
                    (
                        "Publish a written user involvement strategy, linked to PALS and the "
                        "council's engagement framework",
                        ("m", -6),
                        "Jamie Lewis",
                        ("done", -6),
                    ),
                    (
                        "Train service user representatives to sit on commissioning panels",
                        ("m", -2),
                        "Jamie Lewis/ Northshire Recovery Trust",
                        ("done", -2),
                    ),
                    ("Monitor and evaluate the strategy", "quarterly", "Jamie Lewis", "recurring"),
                ],
            ),
            (
                "Demonstrable involvement of carers from diverse backgrounds",
                [
                    (
                        "Set up a carers' group meeting in two localities",
                        ("m", -1),
                        "Northshire Recovery Trust",
                        (
                            "risk",
                            "One locality group is running; no venue yet in the east of the "
                            "county.",
                            "",
                        ),
                    ),
                    (
                        "Write a carers' strategy, including Hidden Harm and young carers",
                        ("endq", 1),
                        "Jamie Lewis/ NDAT Team",
                        "on",
                    ),
                    (
                        "Hold the annual stakeholder event with service users, carers and "
                        "providers",
                        ("m", 2),
                        "NDAT Team",
                        "new",
                    ),
                ],
            ),
        ],
    },
    {
        "title": "Harm reduction and open access",
        "rating": "red/amber",
        "assessment": "Needle exchange coverage is good in the towns and poor in rural areas. "
        "Hepatitis B vaccination is offered in tier 3 but completion of courses is low.\n"
        "There is no drug-related death review process.",
        "priorities": [
            "Hepatitis B vaccination and hepatitis C testing for everyone in treatment",
            "Pharmacy needle exchange in every market town",
            "A drug-related death review panel",
        ],
        "spend": [
            ("Planned spend last year", 212000),
            ("Likely spend last year", 198750),
            ("Planned spend this year", 220000),
        ],
        "objectives": [
            (
                "Reduce blood-borne virus transmission",
                [
                    (
                        "Offer hepatitis B vaccination and hepatitis C testing at assessment in "
                        "every tier 3 service",
                        ("m", -7),
                        "Northshire Partnership NHS Foundation Trust",
                        ("done", -6),
                    ),
                    (
                        "Report vaccination course completion rates to the JCG",
                        "monthly/quarterly",
                        "DPM",
                        "recurring",
                    ),
                    (
                        "Recruit four more community pharmacies to the needle exchange scheme",
                        ("m", -1),
                        "NDAT Commissioner/ PCT Estates",
                        (
                            "off",
                            "Only one pharmacy has signed up; the others want a higher fee per "
                            "transaction.",
                            "Decide whether to raise the pharmacy fee from £1.20 to "
                            "£1.50 per transaction.",
                        ),
                    ),
                    ("Audit needle exchange return rates", ("q", 1), "NDAT Data Lead", "on"),
                ],
            ),
            (
                "Review every drug-related death",
                [
                    (
                        "Set up a drug-related death review panel with the coroner's office and "
                        "police",
                        ("m", -3),
                        "NDAT Commissioner/ Northshire Police",
                        ("done", -3),
                    ),
                    (
                        "Publish the first annual drug-related deaths report",
                        ("endq", 2),
                        "DPM/ Northshire Police",
                        "new",
                    ),
                    (
                        "Distribute naloxone through the open access service",
                        ("from", -9),
                        "Northshire Recovery Trust",
                        "on",
                    ),
                ],
            ),
        ],
    },
    {
        "title": "Structured community treatment: access, retention and effectiveness",
        "rating": "amber",
        "assessment": "Waiting times are within three weeks for most clients but waits for "
        "psychosocial interventions in the north of the county exceed six weeks.\n"
        "Retention at twelve weeks is below the national average.",
        "priorities": [
            "Nobody waiting more than three weeks for any tier 3 intervention",
            "Retention at twelve weeks above the national average",
            "More planned discharges",
        ],
        "spend": [
            ("Planned spend last year", 985000),
            ("Likely spend last year", 1012400),
            ("Planned spend this year", 990000),
        ],
        "objectives": [
            (
                "Reduce waiting times",
                [
                    (
                        "Open a second psychosocial clinic in the north of the county",
                        ("m", -4),
                        "Northshire Recovery Trust/ PCT Estates",
                        (
                            "risk",
                            "The lease on the preferred building is delayed; the clinic runs "
                            "two days a week from the health centre meanwhile.",
                            "",
                        ),
                    ),
                    ("Publish monthly waiting times by service", "monthly", "DPM", "recurring"),
                    (
                        "Extend shared care with GPs to three more practices",
                        ("m", 2),
                        "NDAT Commissioner/ Northshire Partnership NHS Foundation Trust",
                        "on",
                    ),
                ],
            ),
            (
                "Keep people in treatment and increase planned discharges",
                [
                    (
                        "Introduce a re-engagement protocol for clients who miss two appointments",
                        ("m", -6),
                        "Tier 3 Provider",
                        ("done", -5),
                    ),
                    (
                        "Agree care-planned exits with aftercare, housing and employment support",
                        ("m", -1),
                        "Northshire Recovery Trust",
                        "on",
                    ),
                    (
                        "Review clients in treatment for more than two years without a planned "
                        "exit",
                        ("endq", 0),
                        "Northshire Partnership NHS Foundation Trust",
                        "on",
                    ),
                    (
                        "Pilot a young people's transition worker for those turning 18",
                        ("m", -2),
                        "NDAT Team",
                        (
                            "drop",
                            "Children's services are funding the "
                            "post from their own budget instead.",
                        ),
                    ),
                ],
            ),
        ],
    },
    {
        "title": "Drug Interventions Programme and criminal justice",
        "rating": "green",
        "assessment": "The Drug Interventions Programme meets most of its targets. Of those "
        "testing positive on arrest, 88% attend the required assessment against a target of "
        "95%.\nContinuity of care from prison is weak.",
        "priorities": [
            "95% of those testing positive on arrest attend the required assessment",
            "Every prison release with a treatment need picked up within five days",
        ],
        "spend": [
            ("Planned spend last year", 455000),
            ("Likely spend last year", 452000),
            ("Planned spend this year", 460000),
        ],
        "objectives": [
            (
                "Increase attendance at required assessments",
                [
                    (
                        "Agree a joint protocol with the police custody suites for follow-up "
                        "appointments",
                        ("m", -7),
                        "DIP PM/ Northshire Police",
                        ("done", -7),
                    ),
                    (
                        "Report required assessment attendance to the DIP delivery group",
                        "monthly",
                        "DIP PM",
                        "recurring",
                    ),
                    (
                        "Extend drug testing on arrest to the second custody suite",
                        ("m", -1),
                        "Northshire Police/ DIP PM",
                        ("done", -1),
                    ),
                ],
            ),
            (
                "Improve continuity of care from prison",
                [
                    (
                        "Agree an information sharing protocol with the local prisons",
                        ("m", -3),
                        "DIP PM/ Northshire Probation Service",
                        (
                            "off",
                            "The prison's information governance team has not signed the "
                            "protocol; releases are still not notified in advance.",
                            "",
                        ),
                    ),
                    (
                        "Meet every prison release with a treatment need at the gate",
                        ("from", -5),
                        "Northshire Recovery Trust/ DIP PM",
                        "on",
                    ),
                    (
                        "Report prison release follow-up within five days",
                        ("q", 0),
                        "Northshire Probation Service",
                        "new",
                    ),
                ],
            ),
        ],
    },
]

NORTHSHIRE_MEETING_ACTIONS = [
    # (source months ago, text, by when, by whom, story)
    (
        4,
        "Bring a paper on the under-spend in the pooled treatment budget to the next board",
        ("m", -2),
        "Robin Hughes",
        ("done", -2),
    ),
    (
        2,
        "Write to the prison governor about the information sharing protocol",
        ("m", -1),
        "Alex Morgan",
        "on",
    ),
    (
        2,
        "Circulate the draft communications plan to board members for comment",
        ("m", 0),
        "Alex Morgan/ BM",
        "new",
    ),
]

NOTES = {
    "start": [
        "Work started; project plan agreed with the lead officer.",
        "Initial meeting held with partners; timetable agreed.",
        "Scoping complete and milestones set.",
    ],
    "middle": [
        "Good progress: milestones for the month met.",
        "Draft circulated to partners for comment.",
        "On schedule. Progress reported to the JCG.",
        "Partners have agreed the approach; detailed work under way.",
    ],
    "done": [
        "Completed and signed off by the JCG.",
        "Complete. Final report circulated to board members.",
        "Done: in place across all providers from this month.",
    ],
    "recurring": [
        "Report made to the JCG as scheduled.",
        "Figures circulated; no exceptions to report.",
        "Report made; two providers asked for action plans.",
    ],
}


def _updates_for(
    index: int, story: Any, deadline_offset: int | None, recurring: str | None, today: date
) -> list[dict[str, Any]]:
    """The progress history of one demo action, oldest first."""
    day = 5 + (index * 7) % 20
    out: list[dict[str, Any]] = []
    if story == "new":
        return out
    if story == "recurring":
        step = 3 if recurring == "quarterly" else 1
        for k, month_offset in enumerate(range(-11, 1, step)):
            out.append(
                {
                    "date": _on(today, month_offset, day),
                    "status": "on_track",
                    "percent": 0 if k == 0 else min(10 + 8 * k, 90),
                    "note": NOTES["recurring"][(index + k) % 3],
                }
            )
        return out
    if isinstance(story, tuple) and story[0] == "done":
        end = story[1]
    else:
        end = 0
    start = max(min((deadline_offset if deadline_offset is not None else end) - 4, end - 1), -11)
    months = list(range(start, end + 1))
    final = {
        "on": ("on_track", 70),
        "risk": ("at_risk", 45),
        "off": ("off_track", 25),
        "drop": ("dropped", 20),
        "done": ("complete", 100),
    }[story if isinstance(story, str) else story[0]]
    for k, m in enumerate(months):
        last = k == len(months) - 1
        percent = final[1] if last else int(final[1] * (k + 1) / len(months) * 0.85)
        status = final[0] if last else ("on_track" if k else "not_started")
        if not last and final[0] in {"at_risk", "off_track"} and k >= len(months) - 3:
            status = "at_risk"  # trouble shows a few months before the latest update
        note = NOTES["start"][index % 3] if k == 0 else NOTES["middle"][(index + k) % 4]
        decision = ""
        if status == "at_risk" and isinstance(story, tuple) and len(story) > 2:
            decision = story[2]  # asked for since the trouble began
        if last:
            if final[0] == "complete":
                note = NOTES["done"][index % 3]
            elif isinstance(story, tuple) and story[0] in {"risk", "off", "drop"}:
                note = story[1]
                decision = story[2] if len(story) > 2 else ""
        date_ = _on(today, m, day)
        if last and m == 0:
            date_ = min(date_, today)
        out.append(
            {
                "date": date_,
                "status": status,
                "percent": percent,
                "note": note,
                "decision": decision,
            }
        )
    # the same day twice (start of month clipped to today) keeps only the later one
    seen: dict[date, dict[str, Any]] = {}
    for u in out:
        seen[u["date"]] = u
    return sorted(seen.values(), key=lambda u: u["date"])


def plan_document(
    grids: list[dict[str, Any]], title: str, partnership_name: str, today: date
) -> dict[str, Any]:
    """The `dathub.plan/1` document of a demo plan, and each action's story by position."""
    fy = financial_year_label(financial_year_of(today))
    out_grids = []
    n = 0
    for number, g in enumerate(grids, start=1):
        objectives = []
        for onum, (otitle, actions) in enumerate(g["objectives"], start=1):
            acts = []
            for text, when, owners, _story in actions:
                due_text = when_text(when, today, n)
                acts.append(
                    {
                        "text": text,
                        "due": read_by_when(due_text, fy),
                        "owners": owners,
                        "cost": None,
                    }
                )
                n += 1
            objectives.append(
                {
                    "number": onum,
                    "title": otitle,
                    "due": None,
                    "owners": None,
                    "actions": acts,
                    "notes": [],
                }
            )
        out_grids.append(
            {
                "number": number,
                "title": g["title"],
                "rating": g["rating"],
                "assessment": g["assessment"],
                "priorities": g["priorities"],
                "spend": [
                    {
                        "label": label.replace("last year", f"{_prev(fy)}").replace(
                            "this year", fy
                        ),
                        "amount": amount,
                    }
                    for label, amount in g["spend"]
                ],
                "objectives": objectives,
            }
        )
    return {
        "schema": "dathub.plan/1",
        "partnership": partnership_name,
        "title": title,
        "financial_year": fy,
        "published": _on(today, -8, 1).isoformat(),
        "grids": out_grids,
    }


def _prev(fy: str) -> str:
    start = int(fy[:4]) - 1
    return financial_year_label(start)


def _stories(grids: list[dict[str, Any]]) -> list[tuple[Any, Any]]:
    return [
        (story, when)
        for g in grids
        for _title, actions in g["objectives"]
        for _text, when, _owners, story in actions
    ]


def _seed_progress(
    actions: list[Action],
    stories: list[tuple[Any, Any]],
    today: date,
    authors: dict[str, tuple[User | None, str]],
) -> None:
    """The year of progress: bulk-created updates, then each action's current status."""
    rows = []
    for index, (action, (story, when)) in enumerate(zip(actions, stories, strict=True)):
        deadline = when[1] if isinstance(when, tuple) and when[0] in {"m", "q", "endq"} else None
        recurring = action.due_recurrence or None
        user, name = authors.get(action.owners_text.split("/")[0].strip(), authors["*"])
        for u in _updates_for(index, story, deadline, recurring, today):
            rows.append(
                ProgressUpdate(
                    partnership=action.partnership,
                    action=action,
                    author=user,
                    author_name=name,
                    date=u["date"],
                    status=u["status"],
                    percent_complete=u["percent"],
                    note=u["note"],
                    decision_needed=u.get("decision", ""),
                    source="page",
                    created_at=_stamp(u["date"], time(10, 0)),
                )
            )
    ProgressUpdate.objects.bulk_create(rows)
    latest: dict[int, ProgressUpdate] = {}
    for row in rows:
        current = latest.get(row.action_id)
        if current is None or row.date >= current.date:
            latest[row.action_id] = row
    for action in actions:
        newest = latest.get(action.pk)
        if newest is not None:
            Action.objects.filter(pk=action.pk).update(
                status=newest.status, percent_complete=newest.percent_complete
            )


def _authors(partnership: Any) -> dict[str, tuple[User | None, str]]:
    people = {p.email.split("@")[0]: p for p in Person.objects.filter(partnership=partnership)}

    def who(local: str) -> tuple[User | None, str]:
        p = people.get(local)
        return (p.user if p else None, p.full_name if p else "")

    return {
        "DPM": who("analyst"),
        "NDAT Data Lead": who("analyst"),
        "JCG Chair": who("commissioning"),
        "NDAT Commissioner": who("commissioning"),
        "NDAT Contracts & Performance Officer": who("commissioning"),
        "BM": who("admin"),
        "DIP PM": who("cjlead"),
        "Northshire Recovery Trust": who("provider"),
        "Jamie Lewis": who("engagement"),
        "Alex Morgan": who("coordinator"),
        "Robin Hughes": who("finance"),
        "*": who("coordinator"),
    }


def _load_plan(partnership: Any, grids: list[dict[str, Any]], title: str, today: date) -> Plan:
    from . import services

    coordinator = User.objects.get(email=f"coordinator@{_domain(partnership)}")
    data = plan_document(grids, title, partnership.name, today)
    plan = services.plan_from_json(
        actor=coordinator, partnership=partnership, data=data, source_name=DEMO_SOURCE
    )
    services.plan_set_status(actor=coordinator, plan=plan, status=Plan.Status.AGREED)
    services.plan_set_status(actor=coordinator, plan=plan, status=Plan.Status.PUBLISHED)
    # the plan has been in use since it was published: its actions date from then
    published = timezone.make_aware(
        datetime.combine(date.fromisoformat(data["published"]), time(9))
    )
    Action.objects.filter(objective__grid__plan=plan).update(created_at=published)
    actions = list(
        Action.objects.filter(objective__grid__plan=plan).order_by(
            "objective__grid__position", "objective__position", "position"
        )
    )
    _seed_progress(actions, _stories(grids), today, _authors(partnership))
    return plan


def _domain(partnership: Any) -> str:
    return "northshire.example" if partnership.code == "N01A" else "eastvale.example"


def _meeting_day(today: date, months: int) -> date:
    """The second Tuesday of the month `months` from today."""
    year, month = _shift(today, months)
    first = date(year, month, 1)
    return date(year, month, 1 + (1 - first.weekday()) % 7 + 7)


def _load_meeting_actions(partnership: Any, board: Body, today: date) -> None:
    from . import services

    coordinator = User.objects.get(email=f"coordinator@{_domain(partnership)}")
    fy = financial_year_label(financial_year_of(today))
    actions = []
    stories = []
    for n, (ago, text, when, owners, story) in enumerate(NORTHSHIRE_MEETING_ACTIONS):
        meeting = _meeting_day(today, -ago)
        actions.append(
            services.action_create(
                actor=coordinator,
                partnership=partnership,
                objective=None,
                text=text,
                source=f"{board.name} meeting {meeting.day} {meeting:%B %Y}",
                owners_text=owners,
                **services.read_due(when_text(when, today, n + 1), fy),
            )
        )
        stories.append((story, when))
        Action.objects.filter(pk=actions[-1].pk).update(created_at=_stamp(meeting, time(18)))
    _seed_progress(actions, stories, today, _authors(partnership))


EASTVALE_GRIDS: list[dict[str, Any]] = [
    {
        "title": "Access and engagement",
        "rating": "amber",
        "assessment": "Most people start treatment within three weeks; outreach to stimulant "
        "users and women is limited.",
        "priorities": ["Outreach to stimulant users", "A women-only clinic session"],
        "spend": [("Planned spend last year", 420000), ("Planned spend this year", 430000)],
        "objectives": [
            (
                "Reach groups under-represented in treatment",
                [
                    (
                        "Start a weekly women-only session at the town centre clinic",
                        ("m", -2),
                        "Eastvale Drug Services",
                        ("done", -2),
                    ),
                    (
                        "Run outreach sessions with the night-time economy team",
                        ("from", -6),
                        "Eastvale Drug Services/ Eastvale Police",
                        "on",
                    ),
                    ("Report numbers in treatment by target group", "quarterly", "PM", "recurring"),
                    (
                        "Agree a stimulant users' pathway with the community trust",
                        ("m", -1),
                        "Eastvale Community NHS Trust",
                        ("risk", "The trust has no psychologist until the new year.", ""),
                    ),
                ],
            ),
        ],
    },
    {
        "title": "Retention and effectiveness",
        "rating": "green",
        "assessment": "Retention is above the national average; planned discharges are not.",
        "priorities": ["More planned discharges"],
        "spend": [("Planned spend last year", 610000), ("Planned spend this year", 615000)],
        "objectives": [
            (
                "Increase planned discharges",
                [
                    (
                        "Agree recovery plans with every client in treatment for over a year",
                        ("endq", 0),
                        "Eastvale Community NHS Trust",
                        "on",
                    ),
                    (
                        "Set up a mutual aid group with the service user group",
                        ("m", 1),
                        "DATC",
                        "new",
                    ),
                    ("Review the aftercare contract", ("m", -3), "DATC", ("done", -3)),
                ],
            ),
        ],
    },
]


def load(partnerships_by_code: dict[str, Any]) -> None:
    today = clock.today()
    fy = financial_year_label(financial_year_of(today))
    northshire = partnerships_by_code.get("N01A")
    if (
        northshire is not None
        and not Plan.objects.filter(partnership=northshire, source_name=DEMO_SOURCE).exists()
    ):
        _load_plan(
            northshire,
            NORTHSHIRE_GRIDS,
            f"Adult drug treatment plan {fy} Part 3: Planning grids",
            today,
        )
        board = Body.objects.get(partnership=northshire, name="Northshire Partnership Board")
        _load_meeting_actions(northshire, board, today)
    eastvale = partnerships_by_code.get("E02B")
    if (
        eastvale is not None
        and not Plan.objects.filter(partnership=eastvale, source_name=DEMO_SOURCE).exists()
    ):
        _load_plan(eastvale, EASTVALE_GRIDS, f"Eastvale treatment plan {fy}", today)
