"""Pages for emergency operations plans, SRP settings, site maps and the responder packet.

One module per part: `dashboard`, `plan` (a school's plan and its versions), `template` (the district's),
`protocol` (SRP settings), `site_map`, `responder` (the packet); `common` holds what they share. urls.py
names each view by its module.

Each view loads what it shows through the access policy (`restrict`), so a school, plan or version
outside the user's reach is a 404; it then parses the input, calls one action and renders.
"""
