"""The reports' pages; each view module lists its own routes (one per view, so each can be found by name)."""

from rrp.reports.views import (
    annual,
    board,
    board_set,
    collaborative,
    equity,
    huddle,
    national,
    own_data,
    project,
)

app_name = "reports"
urlpatterns = [
    *huddle.urlpatterns,
    *board.urlpatterns,
    *board_set.urlpatterns,
    *collaborative.urlpatterns,
    *equity.urlpatterns,
    *national.urlpatterns,
    *project.urlpatterns,
    *annual.urlpatterns,
    *own_data.urlpatterns,
]
