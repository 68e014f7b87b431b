"""The REST API under /api/v1 (FastAPI).

`kintrace.api.app.include_api(app, documents)` plugs it into the app that
`kintrace.server.app.create_app` builds. Routes take `kintrace.api.auth.CurrentActor` (bearer
token, or session cookie + CSRF token) and the per-request transaction `kintrace.http.deps.Db`;
errors are RFC 9457 problem details (`problems`). Server-rendered forms embed
`kintrace.http.sessions.csrf_token_for(request)` as the `csrf_token` field.
"""
