#include "stepdetailspane.h"

#include "model/buildlog/buildlogreader.h"
#include "model/core/duration.h"
#include "model/session/projectsession.h"
#include "ui/panes/sourceview.h"

#include <QFontDatabase>
#include <QFutureWatcher>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace Stagelens {

StepDetailsPane::StepDetailsPane(ProjectSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
{
    auto *layout = new QVBoxLayout(this);
    m_title = new QLabel(tr("Select a step"));
    m_title->setTextFormat(Qt::PlainText);
    m_title->setWordWrap(true);
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_facts = new QLabel;
    m_facts->setTextFormat(Qt::PlainText);
    m_facts->setWordWrap(true);
    m_facts->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_reasons = new QPlainTextEdit;
    m_reasons->setReadOnly(true);
    m_reasons->setMaximumHeight(110);
    m_reasons->setPlaceholderText(tr("Why the selected step would re-run"));
    m_source = new SourceView;
    m_output = new QPlainTextEdit;
    m_output->setReadOnly(true);
    m_output->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_output->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_output->setPlaceholderText(tr("The selected step's output from the log"));
    m_source->hide(); // until a Dockerfile is open
    auto *split = new QSplitter(Qt::Vertical);
    split->addWidget(m_source);
    split->addWidget(m_output);
    layout->addWidget(m_title);
    layout->addWidget(m_facts);
    layout->addWidget(m_reasons);
    layout->addWidget(split, 1);

    connect(m_source, &SourceView::lineClicked, this, &StepDetailsPane::lineClicked);
    connect(m_source, &SourceView::lineToggled, this,
        [this](int line) { m_session->setLineChanged(line, !m_session->changes().lines.contains(line)); });
    connect(m_session, &ProjectSession::projectChanged, this, &StepDetailsPane::refreshSource);
    connect(m_session, &ProjectSession::graphChanged, this, &StepDetailsPane::refresh);
    connect(m_session, &ProjectSession::analysisChanged, this, [this]() {
        refreshGutter();
        refresh();
    });
    connect(m_session, &ProjectSession::whatIfChanged, this, [this]() {
        m_source->setEditedLines(
            QSet<int>(m_session->changes().lines.cbegin(), m_session->changes().lines.cend()));
        refresh();
    });
}

void StepDetailsPane::setAdviceLines(const QSet<int> &lines)
{
    m_source->setAdviceLines(lines);
}

void StepDetailsPane::showStep(StepRef ref)
{
    m_step = ref;
    refresh();
}

void StepDetailsPane::refreshSource()
{
    // A log opened alone has no Dockerfile text to show: the pane gives its room to the output.
    m_source->setVisible(m_session->hasDockerfileText());
    m_source->setSource(QString::fromUtf8(m_session->dockerfileText()));
    m_source->setEditedLines({});
}

void StepDetailsPane::refreshGutter()
{
    const BuildGraph &graph = m_session->graph();
    const BuildAnalysis &analysis = m_session->analysis();
    QHash<int, SourceView::LineInfo> info;
    const double slowest = std::max(analysis.slowestStepSeconds, 0.001);
    for (int s = 0; s < graph.stages.size() && s < analysis.steps.size(); ++s) {
        const Stage &stage = graph.stages.at(s);
        for (int i = 0; i < stage.steps.size() && i < analysis.steps.at(s).size(); ++i) {
            const StepTiming &t = analysis.steps.at(s).at(i);
            if (t.vertex < 0)
                continue;
            SourceView::LineInfo line;
            line.heat = t.seconds ? *t.seconds / slowest : -1;
            line.seconds = t.state == StepState::Cached ? tr("cached")
                : t.seconds                             ? formatDuration(*t.seconds)
                                                        : QString();
            line.marker = t.state == StepState::Error ? QStringLiteral("✗")
                : t.critical                          ? QStringLiteral("◆")
                                                      : QString();
            info.insert(stage.steps.at(i).line, line);
        }
    }
    m_source->setLineInfo(info);
}

void StepDetailsPane::refresh()
{
    const BuildGraph &graph = m_session->graph();
    const Step *step = graph.step(m_step);
    m_reasons->clear();
    if (!step) {
        m_title->setText(tr("Select a step in the graph, the timeline or the source"));
        m_facts->clear();
        requestOutput();
        return;
    }
    const Stage &stage = graph.stages.at(m_step.stage);
    m_title->setText(
        step->label.isEmpty() ? QStringLiteral("[%1] %2").arg(stage.token(), step->text) : step->label);
    QStringList facts;
    facts
        << tr("Stage: %1%2").arg(stage.token(), stage.needed ? QString() : tr(" (not needed by the target)"));
    facts << tr("Dockerfile lines %1-%2").arg(step->line).arg(step->endLine);
    const StepTiming timing = m_session->analysis().steps.value(m_step.stage).value(m_step.step);
    facts << tr("State: %1").arg(stepStateName(timing.state));
    if (timing.seconds)
        facts << tr("BuildKit time: %1").arg(formatDuration(*timing.seconds));
    if (timing.start && timing.end)
        facts << tr("From %1 to %2 (%3)")
                     .arg(formatDuration(*timing.start), formatDuration(*timing.end),
                         timing.exact ? tr("exact") : tr("estimated"));
    if (timing.critical)
        facts << tr("On the critical path");
    m_facts->setText(facts.join(QLatin1Char('\n')));
    m_source->highlightLines(step->line, step->endLine);
    for (const StepVerdict &verdict : m_session->whatIf().steps) {
        if (verdict.stage == m_step.stage && verdict.step == m_step.step
            && verdict.verdict != Verdict::Cached)
            m_reasons->setPlainText(verdictName(verdict.verdict).toUpper() + QStringLiteral(": ")
                + verdict.reasons.join(QStringLiteral("\n  -> ")));
    }
    requestOutput();
}

void StepDetailsPane::requestOutput()
{
    const int vertexIndex = m_session->analysis().steps.value(m_step.stage).value(m_step.step).vertex;
    const BuildRun *run = m_session->selectedRun();
    if (!run || vertexIndex < 0 || vertexIndex >= run->vertices.size()) {
        ++m_outputGeneration; // drops a read still running
        m_outputPending = false;
        m_outputKey.clear();
        m_output->clear();
        Q_EMIT outputSettled();
        return;
    }
    const QString path = m_session->selectedLogPath();
    const BuildVertex &vertex = run->vertices.at(vertexIndex);
    // What-if ticks refresh the details too: the same vertex's output is not read again.
    const QString key = QStringLiteral("%1\n%2\n%3\n%4")
                            .arg(path)
                            .arg(m_session->selectedBuild())
                            .arg(vertexIndex)
                            .arg(m_session->provisionalBuildCount());
    if (key == m_outputKey)
        return;
    m_outputKey = key;
    const quint64 generation = ++m_outputGeneration;
    m_outputPending = true;
    m_output->clear();
    // The output is read back from the log file (the record keeps only spans): a worker does it, and a newer
    // selection drops a stale answer. Through a watcher this pane owns: the read may outlive the pane.
    auto *watcher = new QFutureWatcher<QString>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation]() {
        watcher->deleteLater();
        if (generation != m_outputGeneration)
            return;
        m_outputPending = false;
        m_output->setPlainText(watcher->result());
        Q_EMIT outputShown();
        Q_EMIT outputSettled();
    });
    watcher->setFuture(QtConcurrent::run([path, run = *run, vertex]() {
        QString text = readVertexOutput(path, run, vertex);
        if (!vertex.error.isEmpty())
            text += QStringLiteral("\nERROR: ") + vertex.error;
        return text;
    }));
}

QString StepDetailsPane::detailsText() const
{
    return m_title->text() + QLatin1Char('\n') + m_facts->text();
}

QString StepDetailsPane::outputText() const
{
    return m_output->toPlainText();
}

} // namespace Stagelens
