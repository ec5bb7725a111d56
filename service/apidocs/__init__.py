"""The interactive API documentation (Swagger UI at /docs, ReDoc at /redoc), served from files in the package."""
