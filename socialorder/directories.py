"""Shared model building blocks of the apps (abstract: no table of their own)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# Amounts in som: up to 999 999 999 999.99.
MONEY = {"max_digits": 14, "decimal_places": 2}


class Directory(models.Model):
    """A short list officers and applicants choose from, seeded by a data migration
    (names translated with django-modeltranslation in each app's translation.py)."""

    slug = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["order", "slug"]

    def __str__(self):
        return self.name
