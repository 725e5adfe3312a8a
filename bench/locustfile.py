"""Load test of the production command (issue 19, item 5): 50 people at once on a realistic mix, against
`rrp serve` on PostgreSQL on this machine. docs/performance.md ("Production serving under load") has the
command, the set-up and the results. Loopback only; bounded by locust's --run-time and user count.

Who does what (weights are how often each task runs per user):
- ward staff (the demo's ward.staff, one ward, no second factor): the ward huddle, the incident list, an
  incident's page, the ward's page;
- an API client (a bearer token of ward.manager, from RRP_BENCH_TOKEN): records a draft incident on the
  ward (POST /api/incidents) and reads the incident list, as a nightly import or an e-observations
  system would.
The board report needs governance's second factor; it is measured by bench/reports_bench.py instead.
"""

from __future__ import annotations

import os
import random
import re
from http.cookiejar import DefaultCookiePolicy

from locust import HttpUser, between, task

PASSWORD = "demo-password-1"
WARD_ID = int(os.environ.get("RRP_BENCH_WARD", "1"))
PATIENT_ID = int(os.environ.get("RRP_BENCH_PATIENT", "1"))
TOKEN = os.environ.get("RRP_BENCH_TOKEN", "")
# The server sits behind a TLS proxy in production; the header says so (SECURE_PROXY_SSL_HEADER).
HEADERS = {"X-Forwarded-Proto": "https"}
# Production's session and CSRF cookies are Secure (HTTPS only). Here the TLS proxy is left out, so this
# load-test process sends them over the loopback's plain HTTP, as the proxy would have passed them on
# (requests copies the session's cookie jar with the default policy for each request, so the policy
# itself is changed, in this process only).
DefaultCookiePolicy.return_ok_secure = lambda self, cookie, request: True


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
INCIDENT_LINK = re.compile(r'href="/incidents/(\d+)/"')


class WardStaff(HttpUser):
    weight = 4
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.client.headers.update(HEADERS)
        page = self.client.get("/account/sign-in/", name="sign in")
        token = CSRF.search(page.text).group(1)
        signed_in = self.client.post(
            "/account/sign-in/",
            {"csrfmiddlewaretoken": token, "username": "ward.staff", "password": PASSWORD},
            headers={"Referer": f"{self.host.replace('http://', 'https://')}/account/sign-in/"},
            name="sign in",
        )
        if "/account/sign-in/" in signed_in.url:  # refused: every page after would be the sign-in page
            raise RuntimeError(f"ward.staff could not sign in (ended at {signed_in.url})")
        self.incidents: list[str] = []

    @task(3)
    def huddle(self) -> None:
        self.client.get(f"/reports/wards/{WARD_ID}/huddle/", name="/reports/wards/[id]/huddle/")

    @task(3)
    def incident_list(self) -> None:
        page = self.client.get("/incidents/", name="/incidents/")
        self.incidents = INCIDENT_LINK.findall(page.text)[:20] or self.incidents

    @task(3)
    def incident_page(self) -> None:
        if self.incidents:
            self.client.get(f"/incidents/{random.choice(self.incidents)}/", name="/incidents/[id]/")

    @task(1)
    def ward_page(self) -> None:
        self.client.get(f"/wards/{WARD_ID}/", name="/wards/[id]/")


class ApiClient(HttpUser):
    weight = 1
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.client.headers.update({**HEADERS, "Authorization": f"Bearer {TOKEN}"})

    @task(1)
    def record_incident(self) -> None:
        self.client.post(
            "/api/incidents", json={"ward_id": WARD_ID, "patient_id": PATIENT_ID}, name="POST /api/incidents"
        )

    @task(2)
    def list_incidents(self) -> None:
        self.client.get(f"/api/incidents?ward_id={WARD_ID}", name="GET /api/incidents")
