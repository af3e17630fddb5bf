# One image for Vigil's Node services (the backplane with the dashboard, and the edge on Node);
# docker-compose.yml picks the command. The Worker is deployed with wrangler, not this image.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY core/package.json core/
COPY node-runtime/package.json node-runtime/
COPY sim/package.json sim/
COPY model/package.json model/
COPY edge/package.json edge/
COPY backplane/package.json backplane/
COPY web/package.json web/
COPY tools/upstash-rest/package.json tools/upstash-rest/
RUN npm ci
COPY . .
RUN npm run build -w web

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production VIGIL_HOST=0.0.0.0
COPY --from=build /app /app
# The edge's outbox spill (VIGIL_OUTBOX_DIR's default, relative to /app): writable by node, and
# the mount point of docker-compose.yml's edge-outbox volume, which takes these owners.
RUN mkdir -p .vigil/edge-outbox && chown node:node .vigil .vigil/edge-outbox
USER node
EXPOSE 8787 8788
CMD ["npx", "tsx", "backplane/src/main.ts"]
