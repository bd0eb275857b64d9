# The example shop's `payments` service: its static binary (built by scripts/images.sh) in an empty
# image, listening on every interface.
FROM scratch
COPY payments /payments
ENV HOST=0.0.0.0
EXPOSE 9090
LABEL org.shakedown.example=true org.shakedown.example.service=payments
ENTRYPOINT ["/payments"]
