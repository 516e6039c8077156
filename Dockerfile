# The project on a clean Debian bookworm: `docker build -t lowbit . && docker run --rm lowbit`.
# Multi-architecture: the same file builds on the arm32v7 and arm64v8 variants of the base image
# (e.g. `docker build --platform linux/arm/v7 .`); no instruction set is assumed at build time:
# the kernels choose their path at run time and the baselines are compiled for the build machine.
FROM debian:bookworm

WORKDIR /src
COPY scripts/install-deps.sh scripts/install-deps.sh
RUN scripts/install-deps.sh && rm -rf /var/lib/apt/lists/*

COPY . .
RUN make build

# Results land in /src/results/<host>-<time>/; mount a volume there to keep them:
#   docker run --rm -v "$PWD/results:/src/results" lowbit
CMD ["make", "reproduce"]
