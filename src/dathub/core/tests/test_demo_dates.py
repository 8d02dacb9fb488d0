"""The whole demo, loaded on whatever day the suite runs: nothing in it is stamped after
now, and what a person records once it is loaded is each action's status at once."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models

from dathub.core import clock

pytestmark = pytest.mark.calendar


@pytest.fixture
def full_demo(demo):
    from dathub.demo import load_demo

    load_demo(with_activity=True)
    return demo


def test_the_demo_writes_nothing_stamped_in_the_future(full_demo):
    now = clock.now()
    late = []
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if isinstance(f, models.DateTimeField):
                for pk in model._default_manager.filter(**{f"{f.name}__gt": now}).values_list(
                    "pk", flat=True
                ):
                    late.append(f"{model._meta.label}.{f.name} #{pk}")
    assert late == [], late[:10]
    from dathub.planning.models import ProgressUpdate

    assert not ProgressUpdate.objects.filter(date__gt=clock.today()).exists()


def test_what_a_person_records_is_the_status_of_every_demo_action(full_demo):
    from dathub.planning import selectors, services
    from dathub.planning.models import Action

    actions = list(
        selectors.in_live_plans(
            selectors.action_list(actor=full_demo.coordinator, partnership=full_demo.northshire),
            partnership=full_demo.northshire,
            as_at=clock.today(),
        ).exclude(status__in=[Action.Status.COMPLETE, Action.Status.DROPPED])
    )
    assert len(actions) > 10
    for action in actions:
        new = "at_risk" if action.status == "on_track" else "on_track"
        services.progress_update_create(
            actor=full_demo.coordinator, action=action, status=new, percent_complete=65, note="Now."
        )
        action.refresh_from_db()
        assert (action.status, action.percent_complete) == (new, 65), action.text
        assert selectors.latest_updates([action.pk])[action.pk].note == "Now."
