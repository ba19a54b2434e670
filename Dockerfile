# A Debian 12 image with vmtrans's dependencies and a release build; its default command runs the tests.
#
#   docker build -t vmtrans .
#   docker run --rm vmtrans                      # scripts/test.sh
#   docker run --rm -it vmtrans bash             # a shell with vmtrans, qemu-aarch64 and the cross compiler
#
# The dependencies are installed from scripts/install-deps.sh alone first, so that layer stays cached
# while the sources change. .dockerignore keeps target/ and bench/out/ out of the build context.
FROM debian:12

ENV DEBIAN_FRONTEND=noninteractive \
    LLVM_SYS_191_PREFIX=/usr/lib/llvm-19 \
    PATH=/root/.cargo/bin:$PATH

WORKDIR /vmtrans

COPY scripts/install-deps.sh scripts/install-deps.sh
RUN scripts/install-deps.sh && rm -rf /var/lib/apt/lists/*

COPY . .
# The tests are compiled here too (and every crate fetched), so `docker run` neither downloads nor builds.
RUN cargo fetch \
    && cargo build --release -p vmtrans -p vmtrans-runtime \
    && cargo test --release --workspace --no-run

CMD ["scripts/test.sh"]
