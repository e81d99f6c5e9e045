# nnaudit worker image: Node 20 + Debian's Chromium for PDF reports.
FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-dejavu-core ca-certificates \
 && rm -rf /var/lib/apt/lists/*
ENV PUPPETEER_EXECUTABLE_PATH=/usr/bin/chromium \
    NNAUDIT_REPORTS_DIR=/reports
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
COPY workers ./workers
COPY bench ./bench
COPY scripts ./scripts
COPY bin ./bin
COPY reports ./reports
COPY fixtures ./fixtures
RUN npm ci --no-audit --no-fund && npm prune --omit=dev
ENTRYPOINT ["node", "bin/nnaudit.js"]
CMD ["worker"]
