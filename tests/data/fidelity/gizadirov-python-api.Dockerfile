FROM centos:7

RUN yum install -y epel-release && \
    yum install -y gcc make openssl-devel bzip2-devel libffi-devel zlib-devel xz-devel wget && \
    wget https://www.python.org/ftp/python/3.9.1/Python-3.9.1.tgz && \
    tar xzf Python-3.9.1.tgz

RUN cd Python-3.9.1 && \
    ./configure --enable-optimizations && \
    make install

RUN /usr/local/bin/python3.9 -m pip install --upgrade pip

RUN  /usr/local/bin/python3.9 -m pip install flask flask-jsonpify flask-restful

RUN rm -f /Python-3.9.1.tgz && rm -rf /Python-3.9.1

RUN yum remove -y gcc make openssl-devel bzip2-devel libffi-devel zlib-devel xz-devel wget

RUN mkdir /python_api

COPY python-api.py /python_api/python-api.py

WORKDIR /python-api

CMD ["/usr/local/bin/python3.9", "python-api.py"]
