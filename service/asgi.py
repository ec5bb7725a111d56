"""The ASGI entry point uvicorn serves: the app for the environment's settings."""

from service.main import create_app

app = create_app()
