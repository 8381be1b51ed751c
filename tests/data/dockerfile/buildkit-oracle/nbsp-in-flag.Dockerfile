FROM alpine
COPY --chown=àb x a b
HEALTHCHECK CMD curl x
