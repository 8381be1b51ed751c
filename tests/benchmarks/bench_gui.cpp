// A big build log opened in the main window as if dropped on it, with a 5 ms timer ticking on the GUI thread:
// the longest gap between ticks is the longest stall the user would feel. Also records when the window
// first shows a build (the first overlay) against when the load finished, and the parse alone for scale.

#include "model/buildlog/buildlogreader.h"
#include "ui/mainwindow.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QTimer>

#include <clocale>
#include <cstdio>

using namespace Stagelens;

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    std::setlocale(LC_NUMERIC, "C");
    const QStringList args = app.arguments().mid(1);
    if (args.isEmpty()) {
        std::fprintf(stderr, "usage: bench_gui LOGFILE\n");
        return 2;
    }
    MainWindow window;
    window.resize(1600, 1000);
    window.show();

    QElapsedTimer clock;
    qint64 lastTick = -1;
    qint64 maxGap = 0;
    qint64 maxGapAt = 0;
    qint64 firstShown = -1;
    int ticks = 0;
    QTimer ticker;
    ticker.setInterval(5);
    ticker.setTimerType(Qt::PreciseTimer);
    QObject::connect(&ticker, &QTimer::timeout, &window, [&]() {
        const qint64 now = clock.elapsed();
        if (lastTick >= 0 && now - lastTick > maxGap) {
            maxGap = now - lastTick;
            maxGapAt = now;
        }
        lastTick = now;
        ++ticks;
        if (firstShown < 0 && window.buildCount() > 0)
            firstShown = now;
    });

    qint64 idleAt = -1;
    // Start from the event loop so the window's own first paint is not counted as a load stall.
    QTimer::singleShot(50, &window, [&]() {
        clock.start();
        lastTick = 0;
        ticker.start();
        window.openPaths({args.at(0)});
        window.whenIdle([&]() {
            idleAt = clock.elapsed();
            if (firstShown < 0 && window.buildCount() > 0)
                firstShown = idleAt;
            // A few more ticks show whether building the views after the load stalls too.
            QTimer::singleShot(300, &app, &QApplication::quit);
        });
    });
    app.exec();
    ticker.stop();

    QElapsedTimer parse;
    parse.start();
    const BuildLogResult result = readBuildLogFile(args.at(0));
    const qint64 parseMs = parse.elapsed();
    std::printf(
        "load_ms=%lld ticks=%d max_gap_ms=%lld max_gap_at_ms=%lld first_shown_ms=%lld parse_only_ms=%lld "
        "builds=%d\n",
        static_cast<long long>(idleAt), ticks, static_cast<long long>(maxGap),
        static_cast<long long>(maxGapAt), static_cast<long long>(firstShown), static_cast<long long>(parseMs),
        window.buildCount());
    return idleAt < 0 ? 1 : 0;
}
