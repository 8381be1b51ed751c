#pragma once

// The right pane's "Step" page: the selected step's facts, why it would re-run, its Dockerfile source (with
// the build's times in the gutter) and its output read back from the log on a worker. Shows the session's
// values; computes nothing.

#include "model/core/stepref.h"

#include <QSet>
#include <QWidget>

class QLabel;
class QPlainTextEdit;

namespace Stagelens {

class ProjectSession;
class SourceView;

class StepDetailsPane : public QWidget
{
    Q_OBJECT
public:
    explicit StepDetailsPane(ProjectSession *session, QWidget *parent = nullptr);

    void showStep(StepRef ref);
    StepRef step() const { return m_step; }
    QString detailsText() const;
    QString outputText() const;
    /// The step output is still being read.
    bool isBusy() const { return m_outputPending; }
    /// Gutter marks on the Dockerfile lines the cache advice is about.
    void setAdviceLines(const QSet<int> &lines);
    SourceView *sourceView() const { return m_source; }

Q_SIGNALS:
    /// The user clicked a Dockerfile line in the source view.
    void lineClicked(int line);
    /// The selected step's output, read on a worker, is on show.
    void outputShown();
    /// The output read finished (the window waits for it before calling itself idle).
    void outputSettled();

private:
    void refresh();
    void refreshSource();
    void refreshGutter();
    void requestOutput();

    ProjectSession *m_session;
    StepRef m_step;
    QLabel *m_title = nullptr;
    QLabel *m_facts = nullptr;
    QPlainTextEdit *m_reasons = nullptr;
    SourceView *m_source = nullptr;
    QPlainTextEdit *m_output = nullptr;
    quint64 m_outputGeneration = 0;
    bool m_outputPending = false;
    QString m_outputKey; ///< which vertex's output is on show (or being read)
};

} // namespace Stagelens
