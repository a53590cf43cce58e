# The images of docker-compose.yml, two targets of one build on one common stage (`engine`):
#   worker  `python worker.py` with the engine installed as a package (the last stage: what `docker build .` makes);
#   web     the same, with Debian's Chromium for the web app's PDF reports, running `python -m webapp`.
# Connection settings come from the environment: TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE (or Temporal's
# TLS / API-key variables) and DATABASE_URL.
FROM python:3.11-slim AS engine

# The release's build id, e.g. `docker build --build-arg GUIDANCE_BUILD_ID=1.4.0-g$(git rev-parse --short=12 HEAD)`:
# the worker polls as the Worker Deployment version guidance-engine.<build id> (docs/operating.md, "Deploying a
# new worker"). The image has no git folder to read it from, so without it the worker refuses to start.
ARG GUIDANCE_BUILD_ID=

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    GUIDANCE_DATA_DIR=/var/lib/guidance \
    GUIDANCE_PLANS_DIR=/app/plans \
    GUIDANCE_WORKER_VERSIONING=true \
    GUIDANCE_DEPLOYMENT_NAME=guidance-engine \
    GUIDANCE_BUILD_ID=${GUIDANCE_BUILD_ID} \
    GUIDANCE_WEB_STYLE_DIR=/app/node_modules/@digdir/designsystemet-css/dist

RUN useradd --system --uid 10001 --home-dir /app guidance \
    && mkdir -p /app /var/lib/guidance \
    && chown guidance /var/lib/guidance

WORKDIR /app
# The web app's style sheets (Digdir's Designsystemet) from npm, at the versions package-lock.json pins; the web app
# serves them from node_modules (GUIDANCE_WEB_STYLE_DIR above). Node and npm are needed only for this step.
COPY package.json package-lock.json ./
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm \
    && npm ci --omit=dev --no-audit --no-fund \
    && apt-get purge -y --auto-remove nodejs npm \
    && rm -rf /var/lib/apt/lists/* /root/.npm
COPY pyproject.toml README.md worker.py ./
COPY domain ./domain
COPY config ./config
COPY selection ./selection
COPY workflows ./workflows
COPY activities ./activities
COPY starter ./starter
COPY devstack ./devstack
COPY readmodel ./readmodel
COPY webapp ./webapp
COPY language ./language
# The programme plan files (read when a period starts; GUIDANCE_PLANS_DIR above).
COPY plans ./plans
# The message catalogs are compiled here (the repository keeps only their .po sources), then installed with the rest.
RUN pip install "babel>=2.16" \
    && pybabel compile --domain messages --directory language/locales \
    && pip install .

USER guidance
VOLUME ["/var/lib/guidance"]
# Exec form: the worker is PID 1 and receives SIGTERM itself, finishing its tasks before it exits.
CMD ["python", "worker.py"]

# The web app's image: the worker's, with headless Chromium (readmodel/documents.py finds `chromium` on the PATH) and
# fonts for it to set the reports' text in. Chromium runs only for a PDF or PNG, at most GUIDANCE_WEB_PDF_RENDERS_AT_ONCE
# at a time across the deployment (webapp/render_slots.py); the worker's image stays without it.
FROM engine AS web
USER root
RUN apt-get update \
    && apt-get install -y --no-install-recommends chromium fonts-liberation fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
USER guidance
CMD ["python", "-m", "webapp"]

# The worker's image: the common stage as it is (its CMD above).
FROM engine AS worker
