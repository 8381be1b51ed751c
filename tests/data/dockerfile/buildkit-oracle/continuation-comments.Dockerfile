FROM a
RUN one \
# comment in the middle

    two \
  # indented comment
    three\\
RUN four \\\
five
