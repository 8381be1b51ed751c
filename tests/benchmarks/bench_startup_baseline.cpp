// The start-up baseline: a bare QApplication + QMainWindow of the size `stagelens --screenshot` uses, shown,
// grabbed and written in the format the output's suffix names (as `stagelens --screenshot` does), then exit.
// run.sh times both writing BMP: encoding a PNG of a window with more on it cost ours 40 % of its run, which
// is no start-up time a user waits for.

#include <QApplication>
#include <QFileInfo>
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
        const QByteArray suffix = QFileInfo(out).suffix().toLower().toLatin1();
        const bool ok = window.grab().toImage().save(out, suffix == "bmp" ? "BMP" : "PNG");
        QApplication::exit(ok ? 0 : 1);
    });
    return app.exec();
}
