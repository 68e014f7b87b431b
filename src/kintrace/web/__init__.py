"""Web pages: the families' portal (/my), the caseworkers' desk (/desk), admin (/admin), account (/account).

Server-rendered (Jinja2) over the same services the API uses, in English, Ukrainian and Russian.
Plug into the app with `kintrace.web.app.include_web(app)`.

Map: `app` (include_web, static files), `routing` (PageRoute: service errors become pages),
`session` (signed-in user from the API's session cookie, CSRF on every form), `pages` (render,
language, names with their Latin spelling), `i18n` (catalogs compiled from the .po files),
`translit` (Latin spellings and the search's cross-script readings), `labels` (plain words for the
registry's values and rules), `forms` (form fields to service inputs), `charts` (SVG), `timeline`,
`search`, `dashboard`, and the screens: `public`, `portal`, `desk`, `admin`, `account`.
"""
