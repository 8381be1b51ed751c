FROM alpine
LABEL a=ÿþ b=c
RUN echo Ã( â‚
COPY --chown=ÿ a b
