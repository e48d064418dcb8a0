# syntax=docker/dockerfile:1
# One image for the four IMS roles (docker-compose.yml picks the role by its command:
# `dist/apps/<role>/main.js`), and a small SIPp UE image (target `ue`).
#
#   docker build -t ims-testbed .                       the roles (runtime, the default)
#   docker build --target ue -t ims-testbed-ue .        SIPp as an IMS UE

ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: dev dependencies, tsc, then production dependencies only ------------------------
FROM ${NODE_IMAGE} AS build
# better-sqlite3 compiles its native addon when no prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY scripts ./scripts
COPY libs ./libs
COPY apps ./apps
RUN npm run build \
 && npm prune --omit=dev \
 && npm cache clean --force

# --- ue: SIPp (Debian sip-tester 3.6.1) with the IMS AKA scenario and the demo subscribers --
FROM debian:bookworm-slim AS ue
RUN apt-get update \
 && apt-get install -y --no-install-recommends sip-tester \
 && rm -rf /var/lib/apt/lists/*
COPY docker/sipp/ims-aka-register.xml docker/sipp/demo-ue.csv /sipp/
WORKDIR /tmp
USER nobody
ENTRYPOINT ["sipp"]

# --- runtime: node, the built dist/ and production node_modules, non-root -------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The HSS's sqlite file lives on a volume mounted here (HSS_DB_PATH=/data/hss.sqlite).
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
# The `node` user (uid 1000) of the official image: the roles need no privilege (ports > 1024).
USER node
ENTRYPOINT ["node"]
CMD ["dist/apps/hss/main.js"]
