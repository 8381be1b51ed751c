// stagelens: one binary. With a subcommand it runs headless (QCoreApplication, no display needed);
// without one it opens the GUI.
#include "cli/advisecommand.h"
#include "cli/clicommon.h"
#include "cli/comparecommand.h"
#include "cli/dockerfilecommand.h"
#include "cli/historycommand.h"
#include "cli/logcommand.h"
#include "cli/reportcommand.h"
#include "cli/whatifcommand.h"
#include "guimain.h"
#include "model/history/historylocation.h"

#include <QApplication>
#include <QCoreApplication>
#include <QFileInfo>
#include <QStringList>

#include <clocale>
#include <cstring>

namespace {

using Command = int (*)(const QStringList &);

struct Subcommand
{
    const char *name;
    Command run;
    const char *summary;
    bool needsGui; ///< renders with QPainter/QGraphicsScene: needs QApplication, never a display
};

constexpr Subcommand Subcommands[] = {
    {"dockerfile", Stagelens::Cli::runDockerfileCommand, "parse a Dockerfile: --ast, --json, --dot", false},
    {"log", Stagelens::Cli::runLogCommand, "parse BuildKit build logs: --json", false},
    {"whatif", Stagelens::Cli::runWhatifCommand, "predict which cache layers an edit invalidates: --json",
        false},
    {"report", Stagelens::Cli::runReportCommand, "write a timing report: -o OUT.(pdf|png|svg|md)", true},
    {"compare", Stagelens::Cli::runCompareCommand,
        "why one build missed the cache where another hit it: --json, --markdown", false},
    {"history", Stagelens::Cli::runHistoryCommand,
        "keep builds in a history and show trends: add, list, trend, show", false},
    {"advise", Stagelens::Cli::runAdviseCommand,
        "cache advice, each rewrite checked by the what-if engine: --json", false},
};

void setApplicationIdentity()
{
    QCoreApplication::setApplicationName(QStringLiteral("stagelens"));
    QCoreApplication::setOrganizationName(QStringLiteral("Stagelens"));
    QCoreApplication::setOrganizationDomain(QStringLiteral("stagelens.invalid"));
    QCoreApplication::setApplicationVersion(QStringLiteral(STAGELENS_VERSION));
}

QString topLevelHelp()
{
    QString text = QStringLiteral(
        "Usage: stagelens [PATH ...] [--changed PATH ...] [--compare] [--screenshot OUT.png [--size WxH]]\n"
        "       stagelens SUBCOMMAND [OPTIONS] (see stagelens SUBCOMMAND --help)\n\n"
        "Shows why Docker (BuildKit) builds are slow and what the next edit will cost.\n"
        "Without a subcommand the GUI opens; each PATH is a project folder, a Dockerfile or a build log.\n\n"
        "Subcommands (headless, no display needed):\n");
    for (const Subcommand &s : Subcommands)
        text += QStringLiteral("  %1  %2\n")
                    .arg(QString::fromLatin1(s.name).leftJustified(11), QString::fromLatin1(s.summary));
    text +=
        QStringLiteral("\nGUI options:\n"
                       "  --changed PATH       preselect PATH (relative to the project) in the what-if view\n"
                       "  --screenshot OUT.png render the window after loading, write the PNG and exit\n"
                       "  --size WxH           window size for --screenshot (default 1600x1000)\n"
                       "  --theme THEME        colour theme: system, light or dark\n"
                       "  --target NAME        the stage to build (BuildKit's --target)\n"
                       "  --build-arg N=V      a build argument, as docker build takes it\n"
                       "  --db URL             the build history's database (as history --db; wins over\n"
                       "                       STAGELENS_DB)\n"
                       "  --history            open the History view (View > History, Ctrl+H)\n"
                       "  --advice             open the Advice page (cache advice for the project)\n"
                       "  --compare            open in compare mode: the last build opened against the one\n"
                       "                       before it (File > Compare with Previous Build)\n"
                       "  --version            print the version and exit\n"
                       "  -h, --help           print this help and exit\n");
    return text;
}

// The GUI's own options, as guimain.cpp declares them: checked here, before QApplication loads a window
// system plugin, so that a typo is a usage error even on a machine without a display (Qt's xcb plugin aborts
// there).
struct GuiOption
{
    const char *name;
    bool takesValue;
};

constexpr GuiOption GuiOptions[] = {{"--changed", true}, {"--screenshot", true}, {"--size", true},
    {"--theme", true}, {"--target", true}, {"--build-arg", true}, {"--db", true}, {"--history", false},
    {"--advice", false}, {"--compare", false}, {"--help", false}, {"-h", false}, {"--version", false},
    {"-v", false}};

int usageError(int argc, char **argv, const QString &message)
{
    QCoreApplication app(argc, argv);
    Stagelens::Cli::printError(QStringLiteral("stagelens: %1").arg(message));
    Stagelens::Cli::printError(QStringLiteral("run 'stagelens --help' for the forms and subcommands"));
    return Stagelens::Cli::ExitUsage;
}

// A word that names no file and looks like a subcommand ("reprot") is a mistyped subcommand, not a path.
bool looksLikeSubcommand(const char *arg)
{
    if (!*arg || QFileInfo::exists(QString::fromLocal8Bit(arg)))
        return false;
    for (const char *c = arg; *c; ++c) {
        if (!((*c >= 'a' && *c <= 'z') || *c == '-'))
            return false;
    }
    return arg[0] != '-';
}

// Empty when the GUI command line is well formed; else what is wrong with it.
QString checkGuiArguments(int argc, char **argv)
{
    if (argc > 1 && looksLikeSubcommand(argv[1]))
        return QStringLiteral("unknown subcommand '%1'").arg(QString::fromLocal8Bit(argv[1]));
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "--")
            break;
        if (!arg.startsWith('-') || arg == "-")
            continue;
        const QByteArray name = arg.left(arg.indexOf('=') < 0 ? arg.size() : arg.indexOf('='));
        const GuiOption *known = nullptr;
        for (const GuiOption &option : GuiOptions) {
            if (name == option.name)
                known = &option;
        }
        if (!known)
            return QStringLiteral("unknown option '%1'").arg(QString::fromLocal8Bit(name));
        QString value;
        if (known->takesValue && !arg.contains('=')) {
            if (i + 1 >= argc)
                return QStringLiteral("missing value after %1").arg(QString::fromLocal8Bit(name));
            value = QString::fromLocal8Bit(argv[++i]);
        } else if (known->takesValue) {
            value = QString::fromLocal8Bit(arg.mid(arg.indexOf('=') + 1));
        }
        // A malformed database URL is a usage error like any other, found before a window system loads.
        if (name == "--db") {
            Stagelens::HistoryLocation location;
            QString error;
            if (!Stagelens::parseHistoryLocation(value, &location, &error))
                return QStringLiteral("--db: %1").arg(error);
        }
    }
    return {};
}

} // namespace

int main(int argc, char **argv)
{
    // Graphviz parses numbers with atof(): keep the C numeric locale whatever the user's is.
    std::setlocale(LC_ALL, "");
    std::setlocale(LC_NUMERIC, "C");

    if (argc > 1) {
        for (const Subcommand &s : Subcommands) {
            if (std::strcmp(argv[1], s.name) == 0) {
                if (s.needsGui) {
                    // Headless rendering: fonts and painting work on the offscreen platform, no display
                    // needed.
                    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
                        qputenv("QT_QPA_PLATFORM", "offscreen");
                    QApplication app(argc, argv);
                    setApplicationIdentity();
                    return s.run(QCoreApplication::arguments());
                }
                QCoreApplication app(argc, argv);
                setApplicationIdentity();
                return s.run(QCoreApplication::arguments());
            }
        }
        if (std::strcmp(argv[1], "--version") == 0 || std::strcmp(argv[1], "-v") == 0) {
            QCoreApplication app(argc, argv);
            setApplicationIdentity();
            Stagelens::Cli::printOut(
                QStringLiteral("stagelens %1\n").arg(QCoreApplication::applicationVersion()));
            return 0;
        }
        if (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0
            || std::strcmp(argv[1], "help") == 0) {
            QCoreApplication app(argc, argv);
            Stagelens::Cli::printOut(topLevelHelp());
            return 0;
        }
    }
    if (const QString error = checkGuiArguments(argc, argv); !error.isEmpty())
        return usageError(argc, argv, error);
    return Stagelens::runGui(argc, argv, setApplicationIdentity);
}
