"""Pages of the reports app: board. Views only authorise, call the reports services and render."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
