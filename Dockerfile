# Build stage: full dev dependencies, bundle with esbuild.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json schema.graphql ./
COPY scripts ./scripts
COPY src ./src
RUN node scripts/build.mjs

# Runtime stage: production dependencies only, non-root.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY schema.graphql ./
COPY fixtures ./fixtures
COPY scenarios ./scenarios
# The reference docs, as the npm package ships them: verify reports and error messages point into them.
COPY docs/*.md ./docs/
# /data: a writable home for --data (mount a volume there); the seed cache is writable too.
RUN mkdir -p /data node_modules/.cache && chown node:node /data node_modules/.cache
VOLUME /data
USER node
EXPOSE 4000
# --start-interval: probed each second while starting, so a wait for "healthy" (Testcontainers) ends about a second after start.
# It needs Docker Engine 25 or newer (API 1.44); older engines refuse to parse this file. On one, build without it:
#   sed 's/ --start-interval=1s//' Dockerfile | docker build -f - -t guuru-emulator .
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --start-interval=1s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/_emulator/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# `docker run IMAGE [start] [flags]`, and the other commands: `docker run IMAGE trigger chat-rated --url …`.
# Flags without a command go to start (the CLI's default command).
ENTRYPOINT ["node", "dist/main.js"]
CMD ["start"]
