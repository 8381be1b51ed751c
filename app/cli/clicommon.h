#pragma once

#include <QHash>
#include <QJsonDocument>
#include <QStringList>

class QCommandLineParser;

namespace Stagelens::Cli {

/// Exit codes of shared/CLI.md.
enum ExitCode
{
    ExitOk = 0,
    ExitInputErrors = 1,
    ExitUsage = 2
};

/// Writes one JSON document, UTF-8, to stdout.
void printJson(const QJsonDocument &document);
void printJson(const QJsonObject &object);
/// Writes a line to stderr.
void printError(const QString &message);
/// Writes text to stdout as UTF-8 (no conversion by the locale).
void printOut(const QString &text);

/// Reads `--build-arg` values as docker build does: NAME=VALUE, or a bare NAME taken from the environment
/// (skipped when unset). Returns the offending value, or an empty string when all are valid.
QString parseBuildArgs(const QStringList &values, QHash<QString, QString> *buildArgs);

/// Parses `args` (args[0] is the program, args[1] the subcommand) and handles --help and errors.
/// Returns -1 when the caller should go on, or the exit code to return at once.
int parseCommandLine(QCommandLineParser &parser, const QStringList &args, const QString &usageLine);

} // namespace Stagelens::Cli
