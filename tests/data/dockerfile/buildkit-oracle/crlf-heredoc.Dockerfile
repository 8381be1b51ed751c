FROM alpine
RUN <<EOF
echo hi
EOF
COPY <<-X /a
	line
	X
