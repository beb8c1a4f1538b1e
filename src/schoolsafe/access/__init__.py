"""Access: who may do what, below every capability.

- `roles`: the role table (every role SchoolSafe grants, the organization kinds that grant it).
- `policy`: the permission table (model label -> action -> roles), each model's restrict rule registered
  with its rows, and `restrict(queryset, user, action)`, which every list and load goes through.
- `orgkey`: the one organization key type ("school:12", "district:3", "agency:5").
- `owner`: the abstract "owned by exactly one organization" model (agency / district / school) and its
  constraint.
- `loaders`: `get_or_404` and the `access_<noun>(user, id, action)` loaders: 404 when the object is not
  visible to the user, 403 when it is visible but the action is not allowed.

The Membership model itself stays in `schoolsafe.accounts` (`accounts.Membership`): moving it would change
its content type, its admin URL and the audit rows that name it, for no gain. This package reads memberships
through `user.memberships` and never imports a capability; the organizations (`core.School` and its kin)
are looked up through the app registry where a rule needs them.
"""
