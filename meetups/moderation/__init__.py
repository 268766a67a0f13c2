"""Reports on gatherings and people, and what admins do about them (hide, suspend, dismiss)."""
