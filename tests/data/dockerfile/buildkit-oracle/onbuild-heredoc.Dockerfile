FROM alpine
ONBUILD RUN <<EOF
echo trigger
EOF
ONBUILD COPY --from=x <<A <<B /dst
a
A
b
B
