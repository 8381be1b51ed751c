#pragma once

// A rewrite of a text file (a Dockerfile, an ignore file) as a list of line replacements, applied to a copy
// and shown as a unified diff. The advice engine writes its fixes this way: the edits say exactly which lines
// change, so the diff needs no diff algorithm and every line of the result knows where it came from (the
// step timings of the old Dockerfile follow their lines into the new one). Plain values, QtCore only.

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace Stagelens {

/// Replace old lines [first, last] (1-based, inclusive) with `lines`. `last == first - 1` inserts before
/// line `first` without removing anything; `first == lineCount + 1` appends.
struct LineEdit
{
    int first = 1;
    int last = 0;
    QStringList lines;
    /// For each new line, the old line it was moved or rewritten from (0: a new line). Empty: every new line
    /// comes from `first` when the edit replaces lines, else is new.
    QList<int> origins;
};

struct EditedText
{
    QByteArray text;
    /// origin[i] = the old line (1-based) that new line i + 1 came from; 0 for an added line.
    QList<int> origin;
    /// The new line number of each old line (index = old line - 1); 0 for a removed line.
    QList<int> newLineOf;
};

/// The lines of `text` split on '\n' (a final newline ends the last line, it does not start another).
QStringList splitLines(const QByteArray &text);

/// Applies non-overlapping edits (any order). Keeps the file's final newline (adds one when it had lines).
EditedText applyEdits(const QByteArray &text, QList<LineEdit> edits);

/// The edits as a unified diff (3 lines of context) of `name`, as `patch -p0` applies it from the folder
/// holding the file. `created`: the file does not exist yet (a new .dockerignore).
QString unifiedDiff(const QString &name, const QByteArray &text, QList<LineEdit> edits, bool created = false);

} // namespace Stagelens
