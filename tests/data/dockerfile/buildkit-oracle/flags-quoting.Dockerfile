FROM a
COPY --from="x y" --chown='a b' --x=a\ b -- --notaflag c
RUN --mount=type=cache,target="/a b" --network=none echo
ADD --- a b
COPY --"q"=1 a b
