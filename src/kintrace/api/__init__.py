"""The REST API under /api/v1 (FastAPI).

`kintrace.api.app.create_app(database_url, secret_key, demo=False)` builds the app; outside the demo
it raises `kintrace.api.settings.InsecureSecretKey` for a missing, short or well-known key.
Routes take `kintrace.api.auth.CurrentActor` (bearer token, or session cookie + CSRF token) and the
per-request transaction `kintrace.api.deps.Db`; errors are RFC 9457 problem details (`problems`).
Server-rendered forms embed `kintrace.api.sessions.csrf_token_for(request)` as the `csrf_token` field.
"""
