#include "textedit.h"

#include <algorithm>

namespace Stagelens {

namespace {

void sortEdits(QList<LineEdit> &edits)
{
    std::stable_sort(
        edits.begin(), edits.end(), [](const LineEdit &a, const LineEdit &b) { return a.first < b.first; });
}

int originOf(const LineEdit &edit, int i)
{
    if (i < edit.origins.size())
        return edit.origins.at(i);
    return edit.last >= edit.first ? edit.first : 0;
}

// One hunk: old lines [oldFirst, oldLast] and the edits inside it.
struct Hunk
{
    int oldFirst = 1;
    int oldLast = 0;
    QList<const LineEdit *> edits;
};

} // namespace

QStringList splitLines(const QByteArray &text)
{
    QStringList lines = QString::fromUtf8(text).split(QLatin1Char('\n'));
    if (!lines.isEmpty() && lines.constLast().isEmpty())
        lines.removeLast();
    return lines;
}

EditedText applyEdits(const QByteArray &text, QList<LineEdit> edits)
{
    sortEdits(edits);
    const QStringList old = splitLines(text);
    EditedText result;
    result.newLineOf.fill(0, old.size());
    QStringList out;
    int next = 1; // the next old line to copy
    auto copyUpTo = [&](int line) { // copies old lines [next, line)
        for (; next < line && next <= old.size(); ++next) {
            out.append(old.at(next - 1));
            result.origin.append(next);
            result.newLineOf[next - 1] = int(out.size());
        }
    };
    for (const LineEdit &edit : std::as_const(edits)) {
        copyUpTo(edit.first);
        for (int i = 0; i < edit.lines.size(); ++i) {
            out.append(edit.lines.at(i));
            result.origin.append(originOf(edit, i));
        }
        // A line moved elsewhere keeps its number in the place it went to.
        for (int i = 0; i < edit.lines.size(); ++i) {
            const int from = originOf(edit, i);
            if (from > 0 && from <= old.size() && result.newLineOf.at(from - 1) == 0)
                result.newLineOf[from - 1] = int(out.size() - edit.lines.size() + i + 1);
        }
        next = std::max(next, edit.last + 1);
    }
    copyUpTo(int(old.size()) + 1);
    // Moved lines: an origin pointing at a line that was removed where it stood.
    for (int i = 0; i < result.origin.size(); ++i) {
        const int from = result.origin.at(i);
        if (from > 0 && from <= old.size() && result.newLineOf.at(from - 1) == 0)
            result.newLineOf[from - 1] = i + 1;
    }
    result.text = out.join(QLatin1Char('\n')).toUtf8();
    if (!out.isEmpty())
        result.text += '\n';
    return result;
}

QString unifiedDiff(const QString &name, const QByteArray &text, QList<LineEdit> edits, bool created)
{
    constexpr int Context = 3;
    sortEdits(edits);
    const QStringList old = splitLines(text);
    const int oldCount = int(old.size());

    QList<Hunk> hunks;
    for (const LineEdit &edit : std::as_const(edits)) {
        const int from = std::max(1, edit.first - Context);
        const int to = std::min(oldCount, std::max(edit.last, edit.first - 1) + Context);
        if (!hunks.isEmpty() && from <= hunks.last().oldLast + 1) {
            hunks.last().oldLast = std::max(hunks.last().oldLast, to);
        } else {
            hunks.append({from, to, {}});
        }
        hunks.last().edits.append(&edit);
    }

    QString out = QStringLiteral("--- %1\n+++ %2\n").arg(created ? QStringLiteral("/dev/null") : name, name);
    int shift = 0; // new line number minus old line number before the current hunk
    for (const Hunk &hunk : std::as_const(hunks)) {
        QString body;
        int oldLines = 0;
        int newLines = 0;
        int line = hunk.oldFirst;
        for (const LineEdit *edit : hunk.edits) {
            for (; line < edit->first; ++line, ++oldLines, ++newLines)
                body += QLatin1Char(' ') + old.at(line - 1) + QLatin1Char('\n');
            for (int l = edit->first; l <= edit->last; ++l, ++oldLines)
                body += QLatin1Char('-') + old.at(l - 1) + QLatin1Char('\n');
            for (const QString &added : edit->lines) {
                body += QLatin1Char('+') + added + QLatin1Char('\n');
                ++newLines;
            }
            line = std::max(line, edit->last + 1);
        }
        for (; line <= hunk.oldLast; ++line, ++oldLines, ++newLines)
            body += QLatin1Char(' ') + old.at(line - 1) + QLatin1Char('\n');
        // An empty side starts at the line before it (diff's convention: "-0,0" for a new file).
        const int oldStart = oldLines == 0 ? hunk.oldFirst - 1 : hunk.oldFirst;
        const int newStart = newLines == 0 ? hunk.oldFirst - 1 + shift : hunk.oldFirst + shift;
        out +=
            QStringLiteral("@@ -%1,%2 +%3,%4 @@\n").arg(oldStart).arg(oldLines).arg(newStart).arg(newLines);
        out += body;
        shift += newLines - oldLines;
    }
    return out;
}

} // namespace Stagelens
