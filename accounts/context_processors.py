from django.utils.functional import SimpleLazyObject

from . import permissions
from .models import Organization


def roles(request):
    """What the navigation needs to fit the signed-in user's roles (queried lazily)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_is_officer": False, "nav_organizations": ()}
    return {
        "nav_is_officer": SimpleLazyObject(lambda: permissions.is_officer(user)),
        "nav_organizations": SimpleLazyObject(
            lambda: list(Organization.objects.for_member(user).only("pk", "name"))
        ),
    }
