from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path

from accounts import views as accounts_views

urlpatterns = [
    path("i18n/setlang/", accounts_views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
]

urlpatterns += i18n_patterns(
    path("", accounts_views.home, name="home"),
    # A forged or expired confirmation link answers 404 (allauth answers 200).
    re_path(
        r"^accounts/confirm-email/(?P<key>[-:\w]+)/$",
        accounts_views.confirm_email,
        name="account_confirm_email",
    ),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("competitions.urls")),
    path("", include("grants.urls")),
    path("", include("councils.urls")),
    prefix_default_language=True,
)
