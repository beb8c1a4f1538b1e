"""Nothing here is registered with the Django admin, on purpose.

Threat-assessment records are need-to-know: a superuser is not on any team, and the admin site would
show every case (and that it exists) to whoever holds the staff flag. Teams are managed through the
threat-assessment pages, where the access policy and the audit log apply.
"""
