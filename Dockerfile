# Image of the import worker (and of the one-shot ERP migrations, the backoffice and the `vitrine`
# CLI): the compiled build (npm run build) on Node 24 LTS, production dependencies only.

# Build: every dependency, tsc to dist/, the workflow bundle built once into dist/workflow-bundle.js.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN node_modules/.bin/tsc -p tsconfig.build.json && node dist/worker/workflowBundle.js dist/workflow-bundle.js

# Run: production dependencies and the compiled code; no TypeScript, no tsx, no test packages.
FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY --from=build /app/dist ./dist
# Where docker-compose.yml keeps the secret key (a volume: docs/SECURITY.md), owned by the app's user.
RUN mkdir -p /var/lib/vitrine-secrets && chown node:node /var/lib/vitrine-secrets && chmod 700 /var/lib/vitrine-secrets

USER node
# Settings (docs/DEPLOYMENT.md): DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TASK_QUEUE,
# TEMPORAL_API_KEY or TEMPORAL_TLS* for a Temporal cluster or Temporal Cloud, WORKER_METRICS_ADDRESS,
# LOG_LEVEL, VITRINE_SECRET_KEY or VITRINE_SECRET_KEY_FILE. One process, node itself (bin/worker execs it), so that SIGTERM reaches the worker.
ENV WORKER_METRICS_ADDRESS=0.0.0.0:9464
EXPOSE 9464
# bin/worker holds the worker's memory settings (docs/DEPLOYMENT.md, "Memory") and execs node.
CMD ["bin/worker"]
