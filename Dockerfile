# jobmatch service image: migrations, then the API. Point JOBMATCH_DATABASE_URL at PostgreSQL, e.g.
#   docker run -e JOBMATCH_DATABASE_URL=postgresql+psycopg://user:pass@db:5432/jobmatch -p 8000:8000 jobmatch
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    JOBMATCH_HOST=0.0.0.0 JOBMATCH_PORT=8000 JOBMATCH_DATA_DIR=/app/data \
    JOBMATCH_DATABASE_URL=sqlite:////app/var/jobmatch.db

RUN useradd --create-home --uid 10001 jobmatch
WORKDIR /app
COPY pyproject.toml README.md ./
COPY service ./service
COPY matching ./matching
COPY demo ./demo
COPY data ./data
RUN pip install . && mkdir -p /app/var && chown -R jobmatch:jobmatch /app/var

USER jobmatch
EXPOSE 8000
CMD ["sh", "-c", "jobmatch db upgrade && jobmatch serve"]
