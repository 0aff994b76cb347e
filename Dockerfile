# The Compound worker, codec server and CLI (and the Stripe emulator, for demos) in one image.
FROM node:26-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# Keeps the worker's memory flat whatever the account size (see worker/memory.ts).
ENV NODE_OPTIONS="--max-old-space-size=256 --max-semi-space-size=32"
COPY package.json package-lock.json ./
# tsx runs the TypeScript directly, so the image needs no build step; dev tools are left out.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY stripe ./stripe
COPY common ./common
COPY workflows ./workflows
COPY activities ./activities
COPY worker ./worker
COPY client ./client
COPY dev/stripe-emulator ./dev/stripe-emulator
COPY tsconfig.json ./
USER node
ENTRYPOINT ["node", "bin/compound.js"]
CMD ["worker"]
