#include "clicommon.h"

#include <QCommandLineParser>
#include <QJsonObject>

#include <cstdio>

namespace Stagelens::Cli {

void printJson(const QJsonDocument &document)
{
    const QByteArray bytes = document.toJson(QJsonDocument::Indented);
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
    std::fflush(stdout);
}

void printJson(const QJsonObject &object)
{
    printJson(QJsonDocument(object));
}

void printError(const QString &message)
{
    const QByteArray bytes = message.toUtf8() + '\n';
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stderr);
}

void printOut(const QString &text)
{
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
    std::fflush(stdout);
}

QString parseBuildArgs(const QStringList &values, QHash<QString, QString> *buildArgs)
{
    for (const QString &arg : values) {
        const qsizetype eq = arg.indexOf(QLatin1Char('='));
        if (eq == 0)
            return arg;
        if (eq > 0)
            buildArgs->insert(arg.left(eq), arg.mid(eq + 1));
        else if (qEnvironmentVariableIsSet(qPrintable(arg)))
            buildArgs->insert(arg, qEnvironmentVariable(qPrintable(arg)));
    }
    return {};
}

int parseCommandLine(QCommandLineParser &parser, const QStringList &args, const QString &usageLine)
{
    parser.addHelpOption();
    // Drop the subcommand so the parser sees "stagelens ARGS...".
    QStringList rest = args;
    if (rest.size() > 1)
        rest.removeAt(1);
    if (!parser.parse(rest)) {
        printError(QStringLiteral("stagelens: %1").arg(parser.errorText()));
        printError(QStringLiteral("usage: %1").arg(usageLine));
        return ExitUsage;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        printOut(QStringLiteral("usage: %1\n\n%2")
                     .arg(usageLine, parser.helpText().section(QLatin1Char('\n'), 2)));
        return ExitOk;
    }
    return -1;
}

} // namespace Stagelens::Cli
