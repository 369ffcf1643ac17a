# A stand-in for Docker Hub's postgres:15-bookworm on machines that reach Debian's mirror but no
# registry (the project's own; `tools/dev compose-up` builds it as localhost/chatter-postgres:15).
# It keeps the part of the official image's contract that deploy/compose uses: POSTGRES_PASSWORD,
# POSTGRES_USER (default postgres), data in /var/lib/postgresql/data, and on the first start
# (empty data directory) the scripts of /docker-entrypoint-initdb.d/*.sh. Not for production.
FROM debian:12-slim
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-15 \
 && apt-get clean && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/lib/postgresql/data /docker-entrypoint-initdb.d /var/run/postgresql \
 && chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql \
 && chmod 700 /var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint.sh
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data
USER postgres
EXPOSE 5432
STOPSIGNAL SIGINT
ENTRYPOINT ["/usr/local/bin/postgres-entrypoint.sh"]
CMD ["postgres"]
