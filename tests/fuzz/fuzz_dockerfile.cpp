// libFuzzer target: the Dockerfile parser and its AST dump on arbitrary bytes.

#include "model/dockerfile/dockerfileparser.h"

#include <cstddef>
#include <cstdint>

using namespace Stagelens;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray text = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    const DockerfileAst ast = parseDockerfile(text, QStringLiteral("Dockerfile"));
    // The dump walks every node (ONBUILD children, heredocs), so it is exercised as well.
    const QString dump = dumpAst(ast);
    for (const Diagnostic &diagnostic : ast.diagnostics)
        (void)diagnostic.toJson();
    return dump.size() < 0 ? 1 : 0;
}
