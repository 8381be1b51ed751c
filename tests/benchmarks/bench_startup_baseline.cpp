// The start-up baseline: a bare QApplication + QMainWindow of the size `stagelens --screenshot` uses, shown,
// grabbed to a PNG, then exit. run.sh times it against `stagelens --screenshot` of an empty window.

#include <QApplication>
#include <QImage>
#include <QMainWindow>
#include <QPixmap>
#include <QTimer>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 2)
        return 2;
    QMainWindow window;
    window.resize(1600, 1000);
    window.show();
    // Grab from the event loop, as stagelens does once it is idle, so both pay for the first event round.
    QTimer::singleShot(0, &window, [&window, out = args.at(1)]() {
        const bool ok = window.grab().toImage().save(out, "PNG");
        QApplication::exit(ok ? 0 : 1);
    });
    return app.exec();
}
