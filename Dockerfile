# The lineageql image: the package and its command line.
FROM python:3.11-slim

WORKDIR /app
COPY pyproject.toml README.md ./
COPY lineageql ./lineageql
RUN pip install --no-cache-dir '.[ml]'

ENV LINEAGEQL_STORE=/data/lineage.lbdb \
    LINEAGEQL_ARTIFACT_STORE=/data/artifacts
VOLUME ["/data"]
ENTRYPOINT ["lineageql"]
EXPOSE 8000
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
