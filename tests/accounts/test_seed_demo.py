import pytest
from django.core.management import CommandError, call_command

from accounts.models import Organization, StateBody, StateBodyMembership, User


def test_it_loads_the_demo_and_can_run_again(db, settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")

    assert StateBody.objects.count() == 4
    assert set(StateBody.objects.values_list("kind", flat=True)) == {
        "ministry",
        "territorial",
        "local",
    }
    assert StateBody.objects.get(slug="mlsd-chuy").parent.slug == "mlsd"
    assert Organization.objects.count() == 3
    assert all(o.is_complete for o in Organization.objects.all())
    assert User.objects.get(email="admin@example.org").is_superuser
    assert StateBodyMembership.objects.filter(user__email="officer@example.org").exists()
    out = capsys.readouterr().out
    assert "officer@example.org" in out
    assert "demo-portal-2026" in out


def test_it_refuses_to_run_in_production(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not User.objects.exists()
