# Image of the import worker (and of the one-shot ERP migrations and the `vitrine` CLI).
# TypeScript runs through tsx, as in development: there is no separate build step.
FROM node:20-slim

WORKDIR /app
ENV NODE_ENV=production

# Dependencies first, so that a source change does not reinstall them. tsx is a runtime
# dependency; the dev ones (typescript, types, ajv) are not needed here.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src

USER node
# Settings (docs/DEPLOYMENT.md): DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TASK_QUEUE,
# TEMPORAL_API_KEY or TEMPORAL_TLS* for a Temporal cluster or Temporal Cloud, WORKER_METRICS_ADDRESS,
# LOG_LEVEL. One process, node itself (no tsx wrapper process), so that SIGTERM reaches the worker.
ENV WORKER_METRICS_ADDRESS=0.0.0.0:9464
EXPOSE 9464
# The heap caps keep a worker's memory flat under any backlog (docs/BENCHMARKS.md).
CMD ["node", "--max-old-space-size=128", "--max-semi-space-size=8", "--import", "tsx", "src/worker/main.ts"]
