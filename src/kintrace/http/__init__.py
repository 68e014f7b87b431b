"""The HTTP plumbing both faces of the registry use, the REST API (`kintrace.api`) and the web pages
(`kintrace.web`): the per-request database session (`deps.Db`), signed sessions and CSRF tokens
(`sessions`), the brakes on guessing (`throttle`), the server's settings and secret-key policy
(`server_settings`), request body limits (`limits`), security headers (`security_headers`) and the
RFC 9457 problem shape (`problem_details`). The app is assembled above it, in `kintrace.server`.
"""
