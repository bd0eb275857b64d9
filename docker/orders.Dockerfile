# The example shop's `orders` service: its static binary (built by scripts/images.sh) in an empty
# image, listening on every interface.
FROM scratch
COPY orders /orders
ENV HOST=0.0.0.0
EXPOSE 8080
LABEL org.shakedown.example=true org.shakedown.example.service=orders
ENTRYPOINT ["/orders"]
