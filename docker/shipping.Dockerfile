# The example shop's `shipping` service: its static binary (built by scripts/images.sh) in an empty
# image, listening on every interface.
FROM scratch
COPY shipping /shipping
ENV HOST=0.0.0.0
EXPOSE 8082
LABEL org.shakedown.example=true org.shakedown.example.service=shipping
ENTRYPOINT ["/shipping"]
