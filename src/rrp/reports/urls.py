"""The reports' pages; each view module lists its own routes (one per view, so each can be found by name)."""

from rrp.reports.views import board, collaborative, equity, huddle, national, project

app_name = "reports"
urlpatterns = [
    *huddle.urlpatterns,
    *board.urlpatterns,
    *collaborative.urlpatterns,
    *equity.urlpatterns,
    *national.urlpatterns,
    *project.urlpatterns,
]
