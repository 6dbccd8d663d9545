# syntax=docker/dockerfile:1

# ---- build: full install, type check, then strip dev dependencies ---------------------------
FROM node:24-bookworm-slim AS build
WORKDIR /app
# No compiler toolchain: argon2 and msgpackr-extract ship prebuilt linux binaries (glibc x64/arm64).
COPY package.json package-lock.json .npmrc ./
RUN --mount=type=cache,target=/root/.npm npm ci
COPY tsconfig.json ./
COPY src ./src
COPY config ./config
COPY entities ./entities
COPY interactions ./interactions
RUN node_modules/.bin/tsc --noEmit
# Production dependencies only. The `node` dev dependency (Node 24 for local work) goes too; in the
# image the base image's Node 24 runs the TypeScript sources with native type stripping.
RUN npm prune --omit=dev

# ---- runtime --------------------------------------------------------------------------------
FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/app/data
WORKDIR /app
# Code and dependencies stay owned by root (read-only for the app); only DATA_DIR is writable.
COPY --from=build /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY src ./src
COPY config ./config
COPY entities ./entities
COPY interactions ./interactions
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Administration in the same image: docker run --rm --env-file ... <image> node src/cli/main.ts help
CMD ["node", "src/main.ts"]
