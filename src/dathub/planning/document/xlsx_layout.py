"""The product's own .xlsx layout, shared by its writer and its reader.

A "Summary" sheet with the plan's details and a list of grids, then one sheet per grid:
label rows (grid, title, rating, assessment, key priorities, spend), a blank row, and a table
with one row per objective, action or note. By when, By whom and Costs/budget keep the cells
as written; Parties, Start, End, Recurrence, Ongoing and Amount hold what was read from them.
"""

SUMMARY_SHEET = "Summary"
ISSUES_SHEET = "Issues"
PLAN_HEADING = "Treatment plan (dathub)"
SUMMARY_LABELS = ("Schema", "Partnership", "Title", "Financial year", "Published")
GRID_LIST_HEADER = ("Sheet", "Planning grid", "Title", "Rating", "Objectives", "Actions")
GRID_LABELS = ("Planning grid", "Title", "Rating", "Assessment")
PRIORITY_LABEL = "Key priority"
SPEND_LABEL = "Spend"
TABLE_HEADER = (
    "Row",
    "Number",
    "Objective / action / note",
    "By when",
    "By whom",
    "Costs/budget",
    "Parties",
    "Start",
    "End",
    "Recurrence",
    "Ongoing",
    "Amount",
)
OBJECTIVE, ACTION, NOTE = "Objective", "Action", "Note"
PARTY_SEPARATOR = "; "
READ_BACK_NOTE = (
    "Parties, Start, End, Recurrence, Ongoing and Amount are read back as they stand. After "
    "changing By when, By whom or Costs/budget, clear them to have them worked out again."
)
