#pragma once

#include "model/dockerfile/dockerfileast.h"

namespace Stagelens {

/// The syntactic subset of BuildKit's Dockerfile lint rules (frontend/dockerfile/linter) that needs no
/// build context: casing, stage names, legacy ENV/LABEL form, JSON CMD/ENTRYPOINT, secrets in ARG/ENV,
/// relative WORKDIR, repeated CMD/ENTRYPOINT/HEALTHCHECK, EXPOSE format. Honours `# check=skip=...`
/// and `error=true` from the directive and from an instruction's own comments. BuildKit lints only the
/// stages a build needs; we lint every stage. Appends "RuleName: message" warnings to ast.diagnostics.
void lintDockerfile(DockerfileAst &ast, const QString &fileName);

} // namespace Stagelens
