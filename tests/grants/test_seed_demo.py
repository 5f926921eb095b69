import pytest
from django.core.management import CommandError, call_command

from competitions.models import Competition
from grants.models import Application, ApplicationVersion


def test_the_demo_loads_applications_in_every_state_and_can_run_again(
    db, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
        call_command("seed_demo_competitions")
        call_command("seed_demo_applications")
        call_command("seed_demo_competitions")
        call_command("seed_demo_applications")

    assert Competition.objects.count() == 4
    states = sorted(Application.objects.values_list("status", flat=True))
    assert states == ["admitted", "draft", "rejected", "submitted", "submitted"]
    evaluated = Competition.objects.get(reference="SSO-DEMO-004")
    for version in ApplicationVersion.objects.filter(application__competition=evaluated):
        assert version.submitted_at < evaluated.deadline
        assert version.receipt


def test_it_refuses_to_run_in_production(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo_applications")
    assert not Application.objects.exists()
