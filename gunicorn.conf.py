"""gunicorn's configuration, loaded by a plain ``gunicorn salync.wsgi:application``.

Forwarded headers are trusted only behind a TLS-terminating proxy
(``SALYNC_TRUST_X_FORWARDED_PROTO=1``), and then only ``X-Forwarded-Proto``: gunicorn's own
defaults would let any loopback peer mark a request HTTPS with three different headers.
"""

import os

from salync.settings import env

_port = env.str_("PORT", None)
bind = [f"0.0.0.0:{_port}"] if _port else ["127.0.0.1:8000"]
# Each worker keeps its own database connection open (CONN_MAX_AGE): a bounded default.
workers = env.int_("WEB_CONCURRENCY", min(2 * (os.cpu_count() or 1) + 1, 8))
timeout = 30

if env.bool_("SALYNC_TRUST_X_FORWARDED_PROTO", False):
    secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
    forwarded_allow_ips = env.str_("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
else:
    secure_scheme_headers = {}
    forwarded_allow_ips = ""

# The path without its query string, and no Basic-auth user: a key sent as ?api_key= or as
# the user of -u key: must not land in the log. The request id ties a line to an API error.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms %({x-request-id}o)s'
