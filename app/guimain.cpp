#include "guimain.h"

#include "cli/clicommon.h"
#include "model/history/historylocation.h"
#include "ui/history/historyintegration.h"
#include "ui/mainwindow.h"
#include "ui/panes/advicepane.h"
#include "ui/theme.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QIcon>
#include <QImage>
#include <QImageWriter>
#include <QTimer>

namespace Stagelens {

namespace {

bool parseSize(const QString &text, QSize *size)
{
    const QStringList parts = text.toLower().split(QLatin1Char('x'));
    if (parts.size() != 2)
        return false;
    bool okW = false;
    bool okH = false;
    const int w = parts[0].toInt(&okW);
    const int h = parts[1].toInt(&okH);
    if (!okW || !okH || w < 200 || h < 150 || w > 16384 || h > 16384)
        return false;
    *size = QSize(w, h);
    return true;
}

} // namespace

int runGui(int &argc, char **argv, void (*setIdentity)())
{
    QApplication app(argc, argv);
    setIdentity();
    QApplication::setApplicationDisplayName(QStringLiteral("Stagelens"));
    // Must match the installed .desktop file's name, so Wayland compositors link windows to it.
    QApplication::setDesktopFileName(QStringLiteral(STAGELENS_APP_ID));
    // The installed hicolor icons when the theme has them, the built-in SVG otherwise.
    QApplication::setWindowIcon(
        QIcon::fromTheme(QStringLiteral("stagelens"), QIcon(QStringLiteral(":/icons/stagelens.svg"))));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Stagelens: why Docker builds are slow"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("PATH"),
        QStringLiteral("Project folder, Dockerfile or build log."), QStringLiteral("[PATH ...]"));
    const QCommandLineOption changedOption(QStringLiteral("changed"),
        QStringLiteral("Preselect PATH in the what-if view."), QStringLiteral("PATH"));
    const QCommandLineOption screenshotOption(QStringLiteral("screenshot"),
        QStringLiteral("Render the window, write OUT.png (or .bmp, .jpg: by the file's suffix) and exit."),
        QStringLiteral("OUT.png"));
    const QCommandLineOption sizeOption(
        QStringLiteral("size"), QStringLiteral("Window size (default 1600x1000)."), QStringLiteral("WxH"));
    const QCommandLineOption themeOption(QStringLiteral("theme"),
        QStringLiteral("Colour theme: system, light or dark."), QStringLiteral("THEME"));
    const QCommandLineOption targetOption(QStringLiteral("target"),
        QStringLiteral("The stage to build (BuildKit's --target)."), QStringLiteral("NAME"));
    const QCommandLineOption buildArgOption(QStringLiteral("build-arg"),
        QStringLiteral("A build argument, as docker build takes it."), QStringLiteral("NAME=VALUE"));
    const QCommandLineOption dbOption(QStringLiteral("db"),
        QStringLiteral("The build history's database: PATH, sqlite:PATH or postgresql://... (wins over "
                       "STAGELENS_DB)."),
        QStringLiteral("URL"));
    const QCommandLineOption historyOption(
        QStringLiteral("history"), QStringLiteral("Open the History view."));
    const QCommandLineOption adviceOption(
        QStringLiteral("advice"), QStringLiteral("Open the Advice page (the cache advice for the project)."));
    const QCommandLineOption compareOption(QStringLiteral("compare"),
        QStringLiteral("Open in compare mode: the last build opened against the one before it (two logs, or "
                       "a log holding several builds)."));
    parser.addOptions({changedOption, screenshotOption, sizeOption, themeOption, targetOption, buildArgOption,
        dbOption, historyOption, adviceOption, compareOption});
    if (!parser.parse(QApplication::arguments())) {
        Cli::printError(QStringLiteral("stagelens: %1").arg(parser.errorText()));
        return Cli::ExitUsage;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        Cli::printOut(parser.helpText());
        return Cli::ExitOk;
    }
    if (parser.isSet(QStringLiteral("version"))) {
        Cli::printOut(QStringLiteral("stagelens %1\n").arg(QApplication::applicationVersion()));
        return Cli::ExitOk;
    }

    QSize size(1600, 1000);
    if (parser.isSet(sizeOption) && !parseSize(parser.value(sizeOption), &size)) {
        Cli::printError(QStringLiteral("stagelens: --size wants WxH, e.g. 1280x800"));
        return Cli::ExitUsage;
    }
    const QStringList paths = parser.positionalArguments();
    for (const QString &path : paths) {
        if (!QFileInfo::exists(path)) {
            Cli::printError(QStringLiteral("stagelens: %1: no such file or folder").arg(path));
            return Cli::ExitUsage;
        }
    }

    if (parser.isSet(themeOption)) {
        const QString theme = parser.value(themeOption).toLower();
        qApp->setProperty("stagelensThemeFromCommandLine", true);
        if (theme == QLatin1String("dark"))
            applyTheme(ThemeMode::Dark);
        else if (theme == QLatin1String("light"))
            applyTheme(ThemeMode::Light);
        else if (theme != QLatin1String("system")) {
            Cli::printError(QStringLiteral("stagelens: --theme wants system, light or dark"));
            return Cli::ExitUsage;
        }
    }

    BuildOptions options;
    options.target = parser.value(targetOption);
    if (const QString bad = Cli::parseBuildArgs(parser.values(buildArgOption), &options.buildArgs);
        !bad.isEmpty()) {
        Cli::printError(QStringLiteral("stagelens: --build-arg wants NAME=VALUE, got %1").arg(bad));
        return Cli::ExitUsage;
    }

    // main() has checked --db's form already. A malformed STAGELENS_DB does not stop the window: the History
    // view says what is wrong with it, and nothing is added anywhere else.
    HistoryLocation location;
    QString dbError;
    if (!parseHistoryLocation(parser.isSet(dbOption) ? parser.value(dbOption) : defaultHistoryLocation(),
            &location, &dbError)) {
        if (parser.isSet(dbOption)) {
            Cli::printError(QStringLiteral("stagelens: --db: %1").arg(dbError));
            return Cli::ExitUsage;
        }
        dbError = QStringLiteral("STAGELENS_DB: %1").arg(dbError);
        Cli::printError(QStringLiteral("stagelens: %1 (the History view is off)").arg(dbError));
    }

    const bool screenshot = parser.isSet(screenshotOption);
    MainWindow window;
    window.resize(size);
    window.setRemembersRecentFiles(!screenshot);
    // The bundled example: installed beside the binary's share folder, else (a build tree) in the sources.
    for (const QString &dir :
        QStringList {QCoreApplication::applicationDirPath() + QStringLiteral("/../share/stagelens/example"),
            QStringLiteral(STAGELENS_SOURCE_EXAMPLE)}) {
        if (QFileInfo(dir + QStringLiteral("/project")).isDir()) {
            window.setExample(
                dir + QStringLiteral("/project"), dir + QStringLiteral("/logs/02-edit-src.log"));
            break;
        }
    }
    // A screenshot shows what was asked for: no offer to add the opened logs, nothing written.
    auto *history = new HistoryIntegration(
        &window, location, {.offerToAdd = !screenshot, .locationError = dbError}); // owned by window
    if (parser.isSet(historyOption))
        history->showHistory();
    window.openPaths(paths);
    // The build as asked for on the command line: target and build args, not a what-if question.
    if (parser.isSet(targetOption) || parser.isSet(buildArgOption))
        window.session()->setOptions(options);
    window.setChangedPaths(parser.values(changedOption));
    if (parser.isSet(adviceOption))
        window.showRightPage(window.advicePane());

    // The screenshot waits for everything, the comparison included.
    auto grabWhenIdle = [&window, screenshot, out = parser.value(screenshotOption)]() {
        if (!screenshot)
            return;
        window.whenIdle([&window, out]() {
            const QImage image = window.grab().toImage();
            // The suffix picks the format (PNG unless it names another one Qt writes): an uncompressed BMP
            // costs nothing to encode, which the start-up benchmark uses on both sides.
            const QByteArray suffix = QFileInfo(out).suffix().toLower().toLatin1();
            const bool ok = image.save(
                out, QImageWriter::supportedImageFormats().contains(suffix) ? suffix.constData() : "PNG");
            if (!ok)
                Cli::printError(QStringLiteral("stagelens: cannot write %1").arg(out));
            QApplication::exit(ok ? Cli::ExitOk : Cli::ExitInputErrors);
        });
    };
    if (parser.isSet(compareOption)) {
        // Once the logs are read: the last build against the one before it, as File > Compare does.
        window.whenIdle([&window, grabWhenIdle]() {
            window.selectBuild(window.buildCount() - 1);
            // Its analysis first (a log opened alone takes its graph from the selected build).
            window.whenIdle([&window, grabWhenIdle]() {
                if (!window.compareWithPrevious())
                    Cli::printError(
                        QStringLiteral("stagelens: --compare wants two builds (two logs, or a log "
                                       "holding several); %1 opened")
                            .arg(window.buildCount()));
                grabWhenIdle();
            });
        });
    } else {
        grabWhenIdle();
    }
    if (screenshot) {
        window.setAttribute(Qt::WA_DontShowOnScreen, false);
        window.show();
        // Every load, layout and history query (and the comparison) finishes before the window is grabbed,
        // as the user would see it.
        return QApplication::exec();
    }
    window.show();
    return QApplication::exec();
}

} // namespace Stagelens
