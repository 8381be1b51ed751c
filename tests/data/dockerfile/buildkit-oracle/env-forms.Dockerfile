FROM a
ENV A B C
ENV A="b c" D='e f' G=h\ i
ENV X=1 \
    Y=2
LABEL "com.example"="v" other=
ARG A B=c "D=e f"
