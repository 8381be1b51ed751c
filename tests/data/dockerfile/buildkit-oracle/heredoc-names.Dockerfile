FROM a
RUN <<"EOF" <<'E2' <<E\3 cat
$x
EOF
y
E2
z
E3
RUN 2<<  X  > out
body
X
COPY <<EOF
not a destination
EOF
