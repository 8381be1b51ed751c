#syntax=docker/dockerfile:1
# check=skip=all
# escape=\

# first comment
#
# second

  # third (indented)
FROM a
# not a directive=1
RUN x
