FROM alpine
CMD ["a\u00e9", "\ud83d\ude00", "\/"]
ENTRYPOINT [ ]
RUN ["a"] trailing
SHELL ["/bin/sh","-c"]   
VOLUME ["/a", "/b"]
RUN ["\ud800"]
