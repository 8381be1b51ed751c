// A big build log opened in the main window as if dropped on it, with a 5 ms timer ticking on the GUI thread:
// the longest gap between ticks is the longest stall the user would feel. Also records when the window
// first shows a build (the first overlay) against when the load finished, and the parse alone for scale.
// Then compare mode opens on the log's largest build against itself with every other step cached (as
// bench_compare does, so half the steps missed): the longest gap from that request until the window is idle
// again is compare mode's stall. The process's peak resident memory (VmHWM) up to then is the GUI's peak with
// the log open, measured before the parse done alone for scale.

#include "model/buildlog/buildlogreader.h"
#include "model/session/projectsession.h"
#include "ui/mainwindow.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
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

    // The longest gap between ticks since `from` (ms on the clock).
    auto restartGaps = [&](qint64 from) {
        maxGap = 0;
        maxGapAt = 0;
        lastTick = from;
    };

    qint64 idleAt = -1;
    qint64 loadGap = -1;
    qint64 loadGapAt = -1;
    qint64 compareStart = -1;
    qint64 compareIdleAt = -1;
    qsizetype compareVertices = 0;
    auto compare = [&]() {
        loadGap = maxGap;
        loadGapAt = maxGapAt;
        ProjectSession *session = window.session();
        int largest = -1;
        for (int i = 0; i < session->buildCount(); ++i) {
            if (largest < 0 || session->run(i)->vertices.size() > session->run(largest)->vertices.size())
                largest = i;
        }
        if (largest < 0) {
            QTimer::singleShot(300, &app, &QApplication::quit);
            return;
        }
        const BuildRun after = *session->run(largest);
        BuildRun before = after;
        for (qsizetype i = 0; i < before.vertices.size(); i += 2) {
            before.vertices[i].status = VertexStatus::Cached;
            before.vertices[i].seconds.reset();
        }
        compareVertices = after.vertices.size();
        compareStart = clock.elapsed();
        restartGaps(compareStart);
        window.compareRuns(before, after, QStringLiteral("before"), QStringLiteral("after"));
        window.whenIdle([&]() {
            compareIdleAt = clock.elapsed();
            QTimer::singleShot(300, &app, &QApplication::quit);
        });
    };
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
            QTimer::singleShot(300, &window, compare);
        });
    });
    // A load or comparison that never ends is a failure to report, not a benchmark that hangs.
    QTimer::singleShot(10 * 60 * 1000, &app, [&]() {
        std::fprintf(stderr, "bench_gui: not idle after 10 minutes\n");
        app.quit();
    });
    app.exec();
    ticker.stop();
    const qint64 compareGap = compareStart >= 0 ? maxGap : -1;
    const qint64 compareGapAt = compareStart >= 0 ? maxGapAt - compareStart : -1;
    if (compareStart < 0) {
        loadGap = maxGap;
        loadGapAt = maxGapAt;
    }

    // Peak resident set so far, from the kernel's own high-water mark (kB in /proc/self/status).
    qint64 peakKb = -1;
    QFile status(QStringLiteral("/proc/self/status"));
    if (status.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : status.readAll().split('\n')) {
            if (line.startsWith("VmHWM:"))
                peakKb = line.mid(6).trimmed().split(' ').value(0).toLongLong();
        }
    }

    QElapsedTimer parse;
    parse.start();
    const BuildLogResult result = readBuildLogFile(args.at(0));
    const qint64 parseMs = parse.elapsed();
    std::printf(
        "load_ms=%lld ticks=%d max_gap_ms=%lld max_gap_at_ms=%lld first_shown_ms=%lld parse_only_ms=%lld "
        "builds=%d compare_vertices=%lld compare_ms=%lld compare_max_gap_ms=%lld "
        "compare_max_gap_at_ms=%lld peak_mb=%lld\n",
        static_cast<long long>(idleAt), ticks, static_cast<long long>(loadGap),
        static_cast<long long>(loadGapAt), static_cast<long long>(firstShown),
        static_cast<long long>(parseMs), window.buildCount(), static_cast<long long>(compareVertices),
        static_cast<long long>(compareIdleAt >= 0 ? compareIdleAt - compareStart : -1),
        static_cast<long long>(compareGap), static_cast<long long>(compareGapAt),
        static_cast<long long>(peakKb >= 0 ? peakKb / 1024 : -1));
    return idleAt < 0 || (compareStart >= 0 && compareIdleAt < 0) ? 1 : 0;
}
