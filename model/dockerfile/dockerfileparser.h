#pragma once

#include "model/dockerfile/dockerfileast.h"

#include <QByteArray>
#include <QString>

namespace Stagelens {

/// Parses Dockerfile text exactly as BuildKit's frontend/dockerfile/parser does, then validates each
/// instruction's flags and arguments as frontend/dockerfile/instructions would. Never throws: every problem
/// becomes a Diagnostic. Linear in the input size. Callable from any thread.
DockerfileAst parseDockerfile(const QByteArray &text, const QString &fileName);

/// The AST in the form of BuildKit's parser test `result` files, one line per instruction, each ending in
/// a newline, e.g. `(copy ["--from=builder"] "/out" "/app")`.
QString dumpAst(const DockerfileAst &ast);

/// The dump form of one instruction (without the trailing newline).
QString dumpInstruction(const Instruction &instruction);

} // namespace Stagelens
