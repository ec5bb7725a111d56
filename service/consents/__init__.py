"""Trainee consents to be introduced to an employer."""
