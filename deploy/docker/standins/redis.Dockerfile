# A stand-in for Docker Hub's redis:7-bookworm on machines that reach Debian's mirror but no
# registry (`tools/dev compose-up` builds it as localhost/chatter-redis:7): Debian's redis-server
# 7 and redis-cli on PATH, data in /data. deploy/compose gives the command. Not for production.
FROM debian:12-slim
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends redis-server \
 && apt-get clean && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data && chown redis:redis /data
WORKDIR /data
USER redis
EXPOSE 6379
CMD ["redis-server", "--protected-mode", "no"]
