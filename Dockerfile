# One Switchboard replica. docker-compose.yml runs two of these behind deploy/nginx.conf.
# Not built on the development machine (it has no Docker engine); the compose file that uses it
# is validated by tests/test_compose.py.
FROM python:3.11-slim
WORKDIR /srv/switchboard
# The whole tree: the app reads its models, storefronts, prompts and eval sets from it (settings.REPO).
COPY . .
RUN pip install --no-cache-dir -e ".[scale]"
ENV SWITCHBOARD_DATA_DIR=/var/lib/switchboard
EXPOSE 8000
CMD ["switchboard", "serve", "--host", "0.0.0.0", "--port", "8000"]
