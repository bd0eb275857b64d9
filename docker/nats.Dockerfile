# A NATS broker for the example shop: Debian's nats-server with the libraries `ldd` names
# (copied into rootfs/ by scripts/images.sh) in an empty image, listening on 4222.
FROM scratch
COPY rootfs/ /
EXPOSE 4222
LABEL org.shakedown.example=true org.shakedown.example.service=nats
ENTRYPOINT ["/usr/sbin/nats-server", "-a", "0.0.0.0", "-p", "4222"]
