#pragma once

// Ground truth for the report tests: shared/corpus/buildkit-real/steps.tsv, one row per vertex per log as
// BuildKit printed it (status DONE/CACHED/ERROR and its own seconds).

#include "testutils.h"

#include <QHash>
#include <QList>
#include <QMetaType>
#include <QRegularExpression>
#include <QString>
#include <QStringList>

#include <optional>

namespace Stagelens::Test {

struct TruthRow
{
    QString vertex;
    QString status; ///< as the report spells it: done, cached, error
    std::optional<double> seconds;
    QString name; ///< the vertex name, clipped by the TSV to ~90 characters
    /// The part of the name that is certainly in the label: the TSV cuts long names with "...".
    QString prefix() const
    {
        QString p = name;
        if (p.endsWith(QLatin1String("...")))
            p.chop(3);
        return p;
    }
};

/// Rows of steps.tsv for one case ("00-cold").
inline QList<TruthRow> truthRows(const QString &caseName)
{
    QList<TruthRow> rows;
    const QList<QByteArray> lines =
        readAll(corpusPath(QStringLiteral("buildkit-real/steps.tsv"))).split('\n');
    for (const QByteArray &line : lines) {
        const QList<QByteArray> f = line.split('\t');
        if (f.size() < 6 || QString::fromUtf8(f.at(0)) != caseName)
            continue;
        TruthRow row;
        row.vertex = QString::fromUtf8(f.at(2));
        // steps.tsv says DONE where the report (like every view) says "ran".
        row.status = QString::fromUtf8(f.at(3)).toLower();
        if (row.status == QLatin1String("done"))
            row.status = QStringLiteral("ran");
        if (row.status == QLatin1String("ran") || row.status == QLatin1String("error")) {
            QByteArray s = f.at(4);
            if (s.endsWith('s'))
                s.chop(1);
            bool ok = false;
            const double v = s.toDouble(&ok);
            if (ok)
                row.seconds = v;
        }
        row.name = QString::fromUtf8(f.mid(5).join('\t'));
        rows.append(row);
    }
    return rows;
}

/// Every case listed in steps.tsv, in order.
inline QStringList truthCases()
{
    QStringList cases;
    const QList<QByteArray> lines =
        readAll(corpusPath(QStringLiteral("buildkit-real/steps.tsv"))).split('\n');
    for (int i = 1; i < lines.size(); ++i) {
        const QString name = QString::fromUtf8(lines.at(i).split('\t').value(0));
        if (!name.isEmpty() && !cases.contains(name))
            cases.append(name);
    }
    return cases;
}

/// How regen.sh built one case: its `run_case NN name ARGS` line (-f, --target, --build-arg).
struct TruthBuild
{
    QString caseName; ///< "22-fail-run-exit1"
    QString dockerfile = QStringLiteral("Dockerfile");
    QString target;
    QHash<QString, QString> buildArgs;
};

inline QList<TruthBuild> truthBuilds()
{
    QList<TruthBuild> builds;
    static const QRegularExpression runCase(QStringLiteral("^run_case (\\d+) (\\S+)\\s+(.*)$"));
    const QList<QByteArray> lines = readAll(corpusPath(QStringLiteral("buildkit-real/regen.sh"))).split('\n');
    for (const QByteArray &line : lines) {
        const QRegularExpressionMatch m = runCase.match(QString::fromUtf8(line).trimmed());
        if (!m.hasMatch())
            continue;
        TruthBuild build;
        build.caseName = m.captured(1) + QLatin1Char('-') + m.captured(2);
        const QStringList words = m.captured(3).split(QLatin1Char(' '), Qt::SkipEmptyParts);
        for (int i = 0; i + 1 < words.size(); ++i) {
            if (words.at(i) == QLatin1String("-f"))
                build.dockerfile = words.at(i + 1);
            else if (words.at(i) == QLatin1String("--target"))
                build.target = words.at(i + 1);
            else if (words.at(i) == QLatin1String("--build-arg"))
                build.buildArgs.insert(words.at(i + 1).section(QLatin1Char('='), 0, 0),
                    words.at(i + 1).section(QLatin1Char('='), 1));
        }
        builds.append(build);
    }
    return builds;
}

/// A step of a Dockerfile stage ("[stage k/n] ...") that BuildKit executed rather than took from the cache.
inline bool isTruthMiss(const TruthRow &row)
{
    static const QRegularExpression stepLabel(QStringLiteral("^\\[[^\\]]*\\b\\d+/\\d+\\] (\\S+)"));
    const QRegularExpressionMatch m = stepLabel.match(row.name);
    return m.hasMatch() && m.captured(1) != QLatin1String("FROM") && row.status != QLatin1String("cached");
}

} // namespace Stagelens::Test

Q_DECLARE_METATYPE(Stagelens::Test::TruthBuild)
