"""A person's own data: exporting it, deleting the account, and the privacy page."""
