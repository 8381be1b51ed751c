#include "plotmodule.h"

#include "model/core/lazylibrary.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QLabel>

#include <future>
#include <mutex>
#include <utility>

namespace Stagelens::PlotModule {

namespace {

constexpr char ModuleName[] = "libstagelens_plots.so";

struct Opened
{
    const PlotFactory *factory = nullptr;
    QString error;
};

// Runs on the loading thread (no QObject). A program linked to the module (the tests) has it already and
// finds it by name; the window opens it where it is installed, beside the binary in a build tree too (both:
// <bindir>/../<libdir>/stagelens). RTLD_NOW (LazyLibrary's): every symbol of it and of QCustomPlot is bound
// here, none later on the GUI thread. Never closed.
Opened open(const QString &installedPath)
{
    Opened opened;
    LazyLibrary library(ModuleName, QFile::encodeName(installedPath));
    const auto entry = library.resolve<PlotFactoryFunction>("stagelens_plot_factory");
    if (!library.error().isEmpty()) {
        opened.error = library.error();
        return opened;
    }
    const PlotFactory *factory = entry();
    if (!factory || factory->version != PlotFactory::CurrentVersion || !factory->createTimeline
        || !factory->createTrend) {
        opened.error = QStringLiteral("%1 is from another version of Stagelens").arg(installedPath);
        return opened;
    }
    opened.factory = factory;
    return opened;
}

std::mutex s_mutex;
std::shared_future<Opened> s_opened; // std::async's: waited for at exit if still running

const Opened &opened()
{
    preload();
    return s_opened.get();
}

QString unavailableText(const QString &what)
{
    const QString text =
        QCoreApplication::translate("PlotModule", "The %1 cannot be shown: %2").arg(what, errorString());
    // Said once on stderr too: a broken install shows in a terminal and in the packaging test.
    static bool said = false;
    if (!std::exchange(said, true))
        qWarning("stagelens: %s", qUtf8Printable(text));
    return text;
}

/// What the window shows instead of a chart when the module is missing: why, in the chart's place.
class MissingChart : public QLabel
{
public:
    MissingChart(const QString &what, QWidget *parent)
        : QLabel(unavailableText(what), parent)
    {
        setWordWrap(true);
        setAlignment(Qt::AlignCenter);
        setTextFormat(Qt::PlainText);
    }
};

class MissingTimeline : public MissingChart, public TimelineChart
{
public:
    explicit MissingTimeline(QWidget *parent)
        : MissingChart(QCoreApplication::translate("PlotModule", "timeline"), parent)
    { }
    QWidget *widget() override { return this; }
    void setModel(const TimelineModel &) override { }
    void selectRow(int) override { }
    QPair<double, double> timeRange() const override { return {0, 0}; }
    void setTimeRange(double, double) override { }
    void setAlignedLayout(bool) override { }
    void setCompact(bool) override { }
    void setCaption(const QString &caption) override { m_caption = caption; }
    QString caption() const override { return m_caption; }
    void onRowSelected(QObject *, std::function<void(int)>) override { }
    void onTimeRangeChanged(QObject *, std::function<void(double, double)>) override { }

private:
    QString m_caption;
};

class MissingTrend : public MissingChart, public TrendChart
{
public:
    explicit MissingTrend(QWidget *parent)
        : MissingChart(QCoreApplication::translate("PlotModule", "trend charts"), parent)
    { }
    QWidget *widget() override { return this; }
    void setTrends(const HistoryTrends &trends) override { m_trends = trends; }
    const HistoryTrends &trends() const override { return m_trends; }
    void onBuildClicked(QObject *, std::function<void(qint64)>) override { }

private:
    HistoryTrends m_trends;
};

} // namespace

void preload()
{
    const std::lock_guard lock(s_mutex);
    if (s_opened.valid())
        return;
    const QString path = QCoreApplication::applicationDirPath() + QStringLiteral("/" STAGELENS_PLOTS_DIR "/")
        + QLatin1String(ModuleName);
    s_opened = std::async(std::launch::async, open, QDir::cleanPath(path)).share();
}

TimelineChart *createTimeline(QWidget *parent)
{
    if (const PlotFactory *factory = opened().factory)
        return factory->createTimeline(parent);
    return new MissingTimeline(parent);
}

TrendChart *createTrend(QWidget *parent)
{
    if (const PlotFactory *factory = opened().factory)
        return factory->createTrend(parent);
    return new MissingTrend(parent);
}

bool isAvailable()
{
    return opened().factory != nullptr;
}

QString errorString()
{
    return opened().error;
}

} // namespace Stagelens::PlotModule
