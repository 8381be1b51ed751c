#pragma once

#include "model/core/diagnostic.h"

#include <QChar>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace Stagelens {

/// One heredoc body attached to an instruction (BuildKit's parser.Heredoc).
struct Heredoc
{
    QString name;
    QString content;
    bool expand = true; // false when the delimiter was quoted: no variable expansion in the body
    bool chomp = false; // `<<-`: leading tabs are stripped from every body line
};

/// One top-level child of BuildKit's root Node.
struct Instruction
{
    QString keyword; // Node.Value, lower-case: "from", "copy", "run", "onbuild" ...
    QStringList flags; // Node.Flags as written: "--from=builder", "--mount=type=cache,target=/x"
    QStringList args; // the values along Node.Next (ENV/LABEL/ARG: key,value pairs as in BuildKit's AST)
    bool json = false; // exec (JSON) form
    QString original; // Node.Original
    QList<Heredoc> heredocs;
    int startLine = 0; // 1-based
    int endLine = 0; // 1-based, inclusive
    QList<Instruction> children; // ONBUILD: the nested instruction (Node.Next.Children)
    QStringList prevComments;
    int startColumn = 1; // 1-based column of the keyword on startLine
};

/// A parsed Dockerfile: BuildKit's AST plus the parser directives and every problem found.
struct DockerfileAst
{
    QList<Instruction> instructions;
    QChar escapeToken = QLatin1Char('\\');
    QString syntax; // `# syntax=` directive value, empty when absent
    QString check; // `# check=` directive value, empty when absent
    QList<Diagnostic> diagnostics;
    /// False when BuildKit's parser.Parse itself fails on this text (its dumper then prints nothing); the
    /// instruction checks that run later in a build (unknown flags, argument counts) do not clear it.
    bool parserAccepted = true;
};

} // namespace Stagelens

// Only implicitly shared Qt containers and scalars inside: a list may move them with memcpy/realloc.
Q_DECLARE_TYPEINFO(Stagelens::Heredoc, Q_RELOCATABLE_TYPE);
Q_DECLARE_TYPEINFO(Stagelens::Instruction, Q_RELOCATABLE_TYPE);

Q_DECLARE_METATYPE(Stagelens::Heredoc)
Q_DECLARE_METATYPE(Stagelens::Instruction)
Q_DECLARE_METATYPE(Stagelens::DockerfileAst)
