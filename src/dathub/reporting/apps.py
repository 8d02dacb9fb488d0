from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "dathub.reporting"
    label = "reporting"
    verbose_name = "Board packs and management reviews"

    def ready(self) -> None:
        from dathub.core.registry import NavItem, register_nav
        from dathub.tenancy import roles as r

        register_nav(
            NavItem(
                "Board packs", "reporting:pack-list", r.VIEW_GOVERNANCE, 40, section="reporting:"
            )
        )

        from dathub.core import recovery

        from . import services

        # builds left "building" by a lost worker are queued again or stopped
        recovery.register("reporting.builds", services.board_pack_recover)
