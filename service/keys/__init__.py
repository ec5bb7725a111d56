"""What API keys are bound to: the domain side of key management (the keys themselves live in service.auth)."""
