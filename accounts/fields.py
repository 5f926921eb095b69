from django.db import models


class WebsiteField(models.URLField):
    """A URL field whose form field assumes https:// when the scheme is left out."""

    def formfield(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        return super().formfield(**kwargs)
