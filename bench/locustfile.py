"""Load test of the production command (issue 19, item 5): 50 people at once on a realistic mix, against
`rrp serve` on PostgreSQL on this machine. docs/performance.md ("Production serving under load") has the
command, the set-up and the results. Loopback only; bounded by locust's --run-time and user count.

Who does what (weights are how often each task runs per user):
- ward staff (the demo's ward.staff, one ward, no second factor): the ward huddle, the incident list, an
  incident's page, the ward's page;
- an API client (a bearer token of ward.manager, from RRP_BENCH_TOKEN): records a draft incident on the
  ward (POST /api/incidents), reads the incident list, and now and then imports the ward's month of
  assaults and self-harm from the incident system (POST /api/measure-values/import, the same small CSV
  each time, as a nightly Datix export repeats months already sent), as an e-observations system or a
  nightly import would;
- one governance user (the demo's governance, with its second factor from RRP_BENCH_TOTP, the base32
  secret `rrp demo-logins` prints): the provider's board report (RRP_BENCH_PROVIDER) and the ward huddle,
  as the responsible person looks in during the day. Only one: a TOTP code can be used once, so several
  at once would refuse each other's codes.

Pace (docs/performance.md "Production serving under load" says why): ward staff wait 5-15 s between pages
(RRP_BENCH_THINK="5,15"; "1,3" gives the earlier, robot-fast pace), the API client 1-3 s (a system, not a
person). scripts/load-test spawns one user a second and resets the statistics once all are signed in
(--reset-stats), so the summary is of the steady state; every sign-in's time is kept apart and printed
at the end ("Sign-ins, kept apart from the summary"), so the cost of signing in is still reported.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import random
import re
import struct
import time
from http.cookiejar import DefaultCookiePolicy

from locust import HttpUser, between, events, task

PASSWORD = "demo-password-1"
WARD_ID = int(os.environ.get("RRP_BENCH_WARD", "1"))
PATIENT_ID = int(os.environ.get("RRP_BENCH_PATIENT", "1"))
TOKEN = os.environ.get("RRP_BENCH_TOKEN", "")
PROVIDER_ID = int(os.environ.get("RRP_BENCH_PROVIDER", "1"))
TOTP_SECRET = os.environ.get("RRP_BENCH_TOTP", "")
WARD_CODE = os.environ.get("RRP_BENCH_WARD_CODE", "")
# The server sits behind a TLS proxy in production; the header says so (SECURE_PROXY_SSL_HEADER).
HEADERS = {"X-Forwarded-Proto": "https"}
# Production's session and CSRF cookies are Secure (HTTPS only). Here the TLS proxy is left out, so this
# load-test process sends them over the loopback's plain HTTP, as the proxy would have passed them on
# (requests copies the session's cookie jar with the default policy for each request, so the policy
# itself is changed, in this process only).
DefaultCookiePolicy.return_ok_secure = lambda self, cookie, request: True


THINK = tuple(float(s) for s in os.environ.get("RRP_BENCH_THINK", "5,15").split(","))
#: Every sign-in's response time (ms) by request, kept whatever --reset-stats clears.
SIGN_INS: dict[str, list[float]] = {"GET": [], "POST": []}


@events.request.add_listener
def _keep_sign_in(request_type: str, name: str, response_time: float, **kwargs: object) -> None:
    if name == "sign in":
        SIGN_INS.setdefault(request_type, []).append(response_time)


@events.quitting.add_listener
def _print_sign_ins(**kwargs: object) -> None:
    print("Sign-ins, kept apart from the summary (ms): request, count, median, 95%, max")
    for method, times in SIGN_INS.items():
        if times:
            ordered = sorted(times)
            p95 = ordered[max(0, -(-95 * len(ordered) // 100) - 1)]
            print(
                f"  {method} sign in: {len(ordered)}, {ordered[len(ordered) // 2]:.0f}, {p95:.0f}, {ordered[-1]:.0f}"
            )


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
INCIDENT_LINK = re.compile(r'href="/incidents/(\d+)/"')


def totp_now(secret: str) -> str:
    """The current 6-digit code of an authenticator app holding this base32 secret (RFC 6238: SHA-1, 30 s),
    as a person would read it off their phone."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 15
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def sign_in(user: HttpUser, username: str) -> str:
    """Sign in through the real form (its CSRF token and Referer as a browser sends them); the page landed
    on. Raises when refused, as every page after would be the sign-in page."""
    user.client.headers.update(HEADERS)
    page = user.client.get("/account/sign-in/", name="sign in")
    token = CSRF.search(page.text).group(1)
    signed_in = user.client.post(
        "/account/sign-in/",
        {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
        headers={"Referer": f"{user.host.replace('http://', 'https://')}/account/sign-in/"},
        name="sign in",
    )
    if "/account/sign-in/" in signed_in.url:
        raise RuntimeError(f"{username} could not sign in (ended at {signed_in.url})")
    return signed_in.text


class WardStaff(HttpUser):
    weight = 4
    wait_time = between(*THINK)

    def on_start(self) -> None:
        sign_in(self, "ward.staff")
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

    @task(1)
    def import_measure_values(self) -> None:
        # Last complete month's assaults and self-harm: the same rows every time, so after the first the
        # import checks every row and writes nothing (idempotent), as a nightly export repeating months.
        month = time.strftime("%Y-%m-01", time.gmtime(time.time() - 40 * 86400))
        rows = [
            f"{WARD_CODE},assaults-on-staff-per-1000-obd,{month},3,",
            f"{WARD_CODE},self-harm-incidents-per-1000-obd,{month},2,",
        ]
        csv = "ward_code,measure,period_start,numerator,denominator\n" + "\n".join(rows) + "\n"
        with self.client.post(
            "/api/measure-values/import",
            files={"file": ("datix.csv", csv.encode(), "text/csv")},
            name="POST /api/measure-values/import",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:300]}")


class Governance(HttpUser):
    fixed_count = 1
    wait_time = between(*THINK)

    def on_start(self) -> None:
        page = sign_in(self, "governance")
        if TOTP_SECRET and 'name="code"' in page:
            token = CSRF.search(page).group(1)
            done = self.client.post(
                "/account/two-factor/",
                {"csrfmiddlewaretoken": token, "code": totp_now(TOTP_SECRET)},
                headers={"Referer": f"{self.host.replace('http://', 'https://')}/account/two-factor/"},
                name="sign in",
            )
            if "/account/" in done.url:
                raise RuntimeError(f"governance's second factor was refused (ended at {done.url})")

    @task(2)
    def board(self) -> None:
        self.client.get(f"/reports/board/{PROVIDER_ID}/", name="/reports/board/[id]/")

    @task(1)
    def huddle(self) -> None:
        self.client.get(f"/reports/wards/{WARD_ID}/huddle/", name="/reports/wards/[id]/huddle/")
