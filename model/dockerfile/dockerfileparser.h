#pragma once

#include "model/dockerfile/dockerfileast.h"

#include <QByteArray>
#include <QString>

namespace Stagelens {

/// Parses Dockerfile text exactly as BuildKit's frontend/dockerfile/parser does, then validates each
/// instruction's flags and arguments as frontend/dockerfile/instructions would and lints it (the same as
/// parseDockerfileSyntax() followed by checkDockerfile()). Never throws: every problem becomes a
/// Diagnostic. Linear in the input size. Callable from any thread.
DockerfileAst parseDockerfile(const QByteArray &text, const QString &fileName);

/// Only what BuildKit's parser.Parse does: the AST, the parser directives, the parser's own errors and
/// warnings (empty continuation lines). No instruction validation and no lint rules; those are later
/// stages in BuildKit too. For callers that need the syntax tree alone.
DockerfileAst parseDockerfileSyntax(const QByteArray &text, const QString &fileName);

/// The later stages on an AST from parseDockerfileSyntax(): instruction validation (validateDockerfile)
/// then the lint rules (lintDockerfile), appended to ast.diagnostics in that order.
void checkDockerfile(DockerfileAst &ast, const QString &fileName);

/// The AST in the form of BuildKit's parser test `result` files, one line per instruction, each ending in
/// a newline, e.g. `(copy ["--from=builder"] "/out" "/app")`.
QString dumpAst(const DockerfileAst &ast);

/// The dump form of one instruction (without the trailing newline).
QString dumpInstruction(const Instruction &instruction);

} // namespace Stagelens
