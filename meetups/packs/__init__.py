"""Packs: standing groups of freelancers in one city, with their own gatherings and feed."""
