# The attendance dashboard and its pipeline, as one image: the dashboard (the default command)
# and the scheduled loads (`python -m data_pipeline watch ...`, compose.yaml's `loads`) run it.
# docs/DEPLOY.md walks through building and running it.
#
# Python as in CI (3.11); pin the base image by digest in production
# (docker buildx imagetools inspect python:3.11-slim-bookworm).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Debian packages come from apt only. None is needed at run time: the pinned wheels carry
# DuckDB, pyarrow and GEOS (shapely), and the PDF fonts come with matplotlib. Add any here:
# RUN apt-get update && apt-get install -y --no-install-recommends PACKAGE \
#     && rm -rf /var/lib/apt/lists/*

# A fixed, unprivileged user (uid 10001): bind-mounted folders are chowned to it (DEPLOY.md).
RUN groupadd --system --gid 10001 attendance \
    && useradd --system --uid 10001 --gid attendance --create-home --home-dir /home/attendance \
        --shell /usr/sbin/nologin attendance

WORKDIR /app
# The pinned requirements first, so that a code change does not reinstall them.
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

# The application, owned by root and read-only to the service user.
COPY . .

# Everything the service writes lives under /var/lib/attendance (volumes in compose.yaml):
# the warehouse (and the copy a load swaps in, so on the same volume), the app store (meeting
# actions, audit log, settings) and users file, the load inbox, backups.
RUN mkdir -p /var/lib/attendance/warehouse /var/lib/attendance/store \
        /var/lib/attendance/drop/inbox /var/lib/attendance/backups \
    && chown -R attendance:attendance /var/lib/attendance
ENV ATTENDANCE_DB=/var/lib/attendance/warehouse/attendance.duckdb \
    ATTENDANCE_APP_STORE=/var/lib/attendance/store/app_store.sqlite \
    ATTENDANCE_USERS=/var/lib/attendance/store/users.json

USER attendance
EXPOSE 8501

# Streamlit's own health endpoint: "ok" once the server is up.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"]

CMD ["python", "scripts/serve.py", "--server.address=0.0.0.0", "--server.port=8501", "--server.headless=true"]
