# chibo in a container (docs/deploy.md, "Container"): Debian's Python, libraries and fonts,
# the project in a virtual environment, `chibo serve` as an unprivileged user, the data in the
# volume /data. The same packages as scripts/bootstrap.sh, without the browser-test tools.
#
#   docker build -t chibo .
#   docker run -d --name chibo --restart unless-stopped -p 127.0.0.1:8000:8000 \
#       -v chibo-data:/data --env-file /etc/chibo/chibo-docker.env chibo
#
# Building needs Debian's package mirror and the Python package index; running needs neither.
ARG DEBIAN_RELEASE=bookworm

# --- Build: the virtual environment with chibo and its dependencies ---------------------
FROM debian:${DEBIAN_RELEASE}-slim AS build
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        python3 python3-venv gettext \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY pyproject.toml constraints.txt ./
COPY src ./src
# The Vietnamese translations, compiled as `chibo compilemessages` does.
RUN find src -name '*.po' | while read -r po; do msgfmt --check-format -o "${po%.po}.mo" "$po"; done
RUN python3 -m venv /opt/chibo/venv \
    && /opt/chibo/venv/bin/pip install --no-cache-dir --disable-pip-version-check -c constraints.txt . \
    && test -n "$(find /opt/chibo/venv -path '*chibo/locale/vi/LC_MESSAGES/django.mo')"

# --- Run ----------------------------------------------------------------------------------
FROM debian:${DEBIAN_RELEASE}-slim
# postgresql-client adds pg_dump for `chibo backup` on PostgreSQL (same major version as the
# server or newer): docker build --build-arg EXTRA_PACKAGES=postgresql-client .
ARG EXTRA_PACKAGES=""
# Pango and HarfBuzz lay out the PDF documents and the DejaVu fonts hold every Vietnamese
# letter (scripts/bootstrap.sh, PDF_PACKAGES); tini reaps orphaned processes as PID 1.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        python3 tini \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-dejavu-extra \
        ${EXTRA_PACKAGES} \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --user-group --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin chibo \
    && install -d -o chibo -g chibo -m 0700 /data /var/cache/chibo
COPY --from=build /opt/chibo/venv /opt/chibo/venv

ENV PATH=/opt/chibo/venv/bin:$PATH \
    LANG=C.UTF-8 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    XDG_CACHE_HOME=/var/cache/chibo \
    CHIBO_DATA_DIR=/data \
    CHIBO_BIND=0.0.0.0:8000

# The database (SQLite), attached files, imports and exports: back them up with `chibo backup`.
VOLUME ["/data"]
WORKDIR /data
USER chibo
EXPOSE 8000
# `docker stop` sends SIGTERM: chibo stops its web server, worker and reminder pass within
# 10 s, docker's default wait.
STOPSIGNAL SIGTERM
# /healthz answers any host over plain HTTP (it runs before the host check and the HTTPS
# redirect): 200 when the database, migrations, worker heartbeat and free disk are fine.
HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python3", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=8).status == 200 else 1)"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["chibo", "serve"]
