"""Background work of the reporting app (run by `dathub worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def build_board_pack(pack_id: int) -> str:
    from .services import board_pack_run_build

    pack = board_pack_run_build(pack_id=pack_id)
    return pack.status
