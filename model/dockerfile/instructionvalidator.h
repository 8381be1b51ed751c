#pragma once

#include "model/dockerfile/dockerfileast.h"

namespace Stagelens {

/// The checks of BuildKit's frontend/dockerfile/instructions package run on one parsed instruction:
/// flag names, types and values (BFlags), argument counts and forms. Returns the error message, or an
/// empty string when BuildKit would accept the instruction.
QString validateInstruction(const Instruction &instruction);

/// The RUN --mount checks BuildKit runs when it converts a stage (after variable expansion; options
/// whose value uses a variable are skipped). Empty when fine or not a RUN.
QString validateRunMounts(const Instruction &instruction);

/// Validates every instruction of `ast` in order (as instructions.Parse would, but reporting every
/// error instead of the first only) and appends the findings to ast.diagnostics.
void validateDockerfile(DockerfileAst &ast, const QString &fileName);

} // namespace Stagelens
