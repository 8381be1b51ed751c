# escape=`
FROM mcr.microsoft.com/windows
RUN dir c:\ `
    && echo `"quoted`"
COPY --chown=a` b c d
ENV A=b` c D="e`"f"
LABEL x `

    y
