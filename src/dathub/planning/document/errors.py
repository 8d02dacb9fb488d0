"""Errors of the plan-document package."""


class PlanDocumentError(ValueError):
    """The file is not a plan the product can read at all (empty, wrong type, no grids).

    Problems inside a plan never raise: they are listed in the plan's "issues".
    """
