# syntax=docker/dockerfile:1

# ---------------------------------------------------------------------------
# Build stage: install dependencies (better-sqlite3 compiles a native addon
# when no prebuilt binary matches, so a toolchain is required here only).
# ---------------------------------------------------------------------------
FROM node:20-bookworm-slim AS build

RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

COPY package.json package-lock.json .npmrc ./
RUN npm ci

COPY . .

# The app runs TypeScript directly through tsx (a runtime dependency), so
# there is no compile step; drop dev-only tooling from the shipped image.
RUN npm prune --omit=dev

# ---------------------------------------------------------------------------
# Runtime stage: no compiler toolchain, runs as the unprivileged `node` user.
# ---------------------------------------------------------------------------
FROM node:20-bookworm-slim AS runtime

ENV NODE_ENV=production \
    MEDIC_DATA_DIR=/data

WORKDIR /app

COPY --from=build /app/package.json /app/tsconfig.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/src ./src
COPY --from=build /app/playbooks ./playbooks
COPY --from=build /app/prompts ./prompts

# The data directory must exist and be owned by `node` before VOLUME is
# declared, so a fresh named volume inherits that ownership.
RUN mkdir -p /data && chown node:node /data

USER node

VOLUME ["/data"]
EXPOSE 8080

# slim images ship no curl/wget; Node 20 has a global fetch.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]

ENTRYPOINT ["node_modules/.bin/tsx", "src/main/entry.ts"]
CMD ["serve"]
