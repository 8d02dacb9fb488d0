from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "dathub.reporting"
    label = "reporting"
    verbose_name = "Board packs and management reviews"

    def ready(self) -> None:
        from dathub.core.registry import (
            DEMO_LAST,
            NavItem,
            register_demo_loader,
            register_nav,
            register_urls,
        )
        from dathub.tenancy import roles as r

        register_urls("dathub.reporting.urls")
        # issues packs from every other app's demo data, so it runs last
        register_demo_loader("dathub.reporting.demo.load", DEMO_LAST)

        register_nav(
            NavItem(
                "Board packs", "reporting:pack-list", r.VIEW_GOVERNANCE, 40, section="reporting:"
            )
        )

        from dathub.core import recovery

        from . import services

        # builds left "building" by a lost worker are queued again or stopped
        recovery.register("reporting.builds", services.board_pack_recover)
