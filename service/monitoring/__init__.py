"""/metrics: what operators read about the service, in Prometheus format."""
