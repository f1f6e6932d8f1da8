# certkit as a container image: the static binary (scripts/release) and
# nothing else: no shell, no libc, no package manager; runs as 65532.
#
#   scripts/release                                   # target/dist/certkit-0.1.0-x86_64-linux
#   docker build -t certkit:0.1.0 .                   # or: podman build, buildah build
#
# scripts/image builds this same file without a Docker daemon (buildah) into
# an OCI archive under target/image/, reproducibly (README "Container image").
FROM scratch
ARG VERSION=0.1.0
ARG BINARY=target/dist/certkit-${VERSION}-x86_64-linux
ARG SOURCE=unknown
ARG REVISION=unknown
LABEL org.opencontainers.image.title="certkit" \
      org.opencontainers.image.description="A drop-in, faster and stricter replacement for cfssl and cfssljson, and a Kubernetes CSR signer" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="MIT OR Apache-2.0"
COPY --chmod=0555 ${BINARY} /usr/bin/certkit
USER 65532:65532
ENTRYPOINT ["/usr/bin/certkit"]
CMD ["version"]
