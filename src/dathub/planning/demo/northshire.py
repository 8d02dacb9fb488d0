"""Northshire's treatment plan as the demo writes it: its planning grids (data only).

Each action: (text, by when, by whom, story). By when: (kind, month offset from today),
kind "m" (that month), "q" (its quarter), "endq" (the end of its quarter) or "from" (from
then, ongoing); or a recurring word (see `dates.when_text`). Stories: ("done", month offset
completed), "on" (on track), ("risk", note, decision or ""), ("off", note, decision or ""),
"new" (not started), ("drop", note), "recurring".
"""

from __future__ import annotations

from typing import Any

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
