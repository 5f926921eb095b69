import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts.models import OrganizationMembership, Region
from accounts.validators import validate_inn
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory


@pytest.mark.parametrize("value", ["02301201510011", "12345678901234"])
def test_validate_inn_accepts_fourteen_digits(value):
    validate_inn(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "0230120151001",
        "023012015100111",
        "0230120151001A",
        "００００００００００００１２",
        "00000000000000",
    ],
)
def test_validate_inn_rejects_anything_else(value):
    with pytest.raises(ValidationError):
        validate_inn(value)


@pytest.mark.django_db
def test_migration_seeds_the_nine_regions_in_three_languages():
    codes = set(Region.objects.values_list("code", flat=True))
    assert codes == {"KG-B", "KG-C", "KG-J", "KG-N", "KG-O", "KG-T", "KG-Y", "KG-GB", "KG-GO"}
    chuy = Region.objects.get(code="KG-C")
    assert (chuy.name_ky, chuy.name_ru, chuy.name_en) == (
        "Чүй облусу",
        "Чуйская область",
        "Chüy Region",
    )


@pytest.mark.django_db
def test_region_name_follows_the_active_language():
    from django.utils import translation

    region = Region.objects.get(code="KG-GB")
    with translation.override("ru"):
        assert str(region) == "г. Бишкек"
    with translation.override("ky"):
        assert str(region) == "Бишкек шаары"


@pytest.mark.django_db
def test_organization_is_complete_with_a_founder_and_a_leader():
    assert OrganizationFactory().is_complete
    assert not OrganizationFactory(people=False).is_complete


@pytest.mark.django_db
def test_inn_is_unique_in_the_database():
    OrganizationFactory(inn="02301201510011")
    with pytest.raises(IntegrityError):
        OrganizationFactory(inn="02301201510011")


@pytest.mark.django_db
def test_user_email_is_unique_regardless_of_case():
    UserFactory(email="Aigul@Example.org")
    with pytest.raises(IntegrityError):
        UserFactory(email="aigul@example.org")


@pytest.mark.django_db
def test_membership_is_unique_per_user_and_organization():
    membership = MembershipFactory()
    with pytest.raises(IntegrityError):
        OrganizationMembership.objects.create(
            user=membership.user, organization=membership.organization, role="editor"
        )


@pytest.mark.django_db
def test_membership_changes_are_kept_in_history():
    membership = MembershipFactory(role="editor")
    membership.role = "owner"
    membership.save()
    assert [h.role for h in membership.history.order_by("history_date")] == ["editor", "owner"]
