"""The coordinators' console: server-rendered pages under /console over the same domain services as the API."""
