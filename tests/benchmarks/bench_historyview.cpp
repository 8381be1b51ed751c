// The History view opened on a big history (10,000 builds) in the main window, with a 5 ms timer ticking on
// the GUI thread: the longest gap between ticks is the longest stall the user would feel. The baseline is
// the same window, same ticker, for the same time, with nothing opened: what the machine and the event loop
// cost by themselves in this run.

#include "model/history/historylocation.h"
#include "ui/history/historyintegration.h"
#include "ui/history/historyview.h"
#include "ui/mainwindow.h"

#include <QApplication>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QTableView>
#include <QTimer>

#include <clocale>
#include <cstdio>

using namespace Stagelens;

namespace {

struct Heartbeat
{
    QElapsedTimer clock;
    QTimer ticker;
    qint64 lastTick = -1;
    qint64 maxGap = 0;
    qint64 maxGapAt = 0;

    void start()
    {
        clock.start();
        lastTick = 0;
        maxGap = 0;
        ticker.start();
    }
};

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    std::setlocale(LC_NUMERIC, "C");
    const QStringList args = app.arguments().mid(1);
    HistoryLocation location;
    QString error;
    if (args.isEmpty() || !parseHistoryLocation(args.at(0), &location, &error)) {
        std::fprintf(
            stderr, "usage: bench_historyview DB (a history with many builds) %s\n", qPrintable(error));
        return 2;
    }
    MainWindow window;
    window.resize(1600, 1000);
    auto *history = new HistoryIntegration(&window, location, {.offerToAdd = false});
    window.show();

    Heartbeat beat;
    beat.ticker.setInterval(5);
    beat.ticker.setTimerType(Qt::PreciseTimer);
    QObject::connect(&beat.ticker, &QTimer::timeout, &window, [&beat]() {
        const qint64 now = beat.clock.elapsed();
        if (beat.lastTick >= 0 && now - beat.lastTick > beat.maxGap) {
            beat.maxGap = now - beat.lastTick;
            beat.maxGapAt = now;
        }
        beat.lastTick = now;
    });

    qint64 loadMs = -1;
    qint64 gap = -1;
    qint64 gapAt = -1;
    qint64 baselineGap = -1;
    int rows = 0;
    // Start from the event loop so the window's own first paint is not counted.
    QTimer::singleShot(100, &window, [&]() {
        beat.start();
        history->showHistory();
        window.whenIdle([&]() {
            loadMs = beat.clock.elapsed();
            rows = history->view()->table()->model()->rowCount();
            // The painting of the loaded table and plot comes after the load: keep ticking through it.
            QTimer::singleShot(300, &window, [&]() {
                gap = beat.maxGap;
                gapAt = beat.maxGapAt;
                const qint64 measured = beat.clock.elapsed();
                // Baseline: the dock closed, the same ticker for as long, nothing loading.
                history->dock()->hide();
                QTimer::singleShot(100, &window, [&, measured]() {
                    beat.start();
                    QTimer::singleShot(int(measured), &window, [&]() {
                        baselineGap = beat.maxGap;
                        app.quit();
                    });
                });
            });
        });
    });
    app.exec();
    std::printf("builds=%d load_ms=%lld max_gap_ms=%lld max_gap_at_ms=%lld baseline_gap_ms=%lld\n", rows,
        static_cast<long long>(loadMs), static_cast<long long>(gap), static_cast<long long>(gapAt),
        static_cast<long long>(baselineGap));
    return loadMs < 0 || rows == 0 ? 1 : 0;
}
