#pragma once

// Compare mode's pane (#19): the headline (wall times before and after), the causes of the later build's
// cache misses ranked by what they cost, the files that changed between the two builds' revisions, and every
// step with its status before and after, the root misses first in bold. A click on a cause selects its
// steps. The comparison itself is model/compare's, the same `stagelens compare` prints. GUI thread only.

#include "model/compare/buildcomparison.h"

#include <QWidget>

class QLabel;
class QListWidget;
class QPushButton;
class QSplitter;
class QTableView;
class QTableWidget;

namespace Stagelens {

class CompareStepsModel;

class ComparePane : public QWidget
{
    Q_OBJECT
public:
    explicit ComparePane(QWidget *parent = nullptr);

    /// Until it is called the pane says the comparison is running.
    void setComparison(const BuildComparison &comparison);
    /// The pane says the comparison is running (a new one was asked for).
    void setPending(const QString &beforeName, const QString &afterName);
    const CompareResult &result() const { return m_comparison.result; }
    const BuildComparison &comparison() const { return m_comparison; }
    QTableWidget *causesTable() const { return m_causes; }
    QTableView *stepsTable() const { return m_steps; }
    CompareStepsModel *stepsModel() const { return m_stepsModel; }
    QListWidget *filesList() const { return m_files; }
    /// The selected cause's detail, in full.
    QString causeDetail() const;
    QPushButton *leaveButton() const { return m_leave; }
    QString headline() const;
    /// Selects the steps of the cause at `row` of the causes table (its roots and their followers), as a
    /// click on it does, lists its files, and activates the first step.
    void selectCause(int row);
    /// The labels of the steps selected in the steps table.
    QStringList selectedSteps() const;

Q_SIGNALS:
    /// setComparison() has shown a comparison.
    void resultShown();
    /// A step was activated in the steps table (its label in the later build).
    void stepActivated(const QString &label);
    /// The user asked to leave compare mode.
    void leaveRequested();

private:
    void showFiles(const QStringList &files, const QString &caption);

    BuildComparison m_comparison;
    QLabel *m_headline = nullptr;
    QLabel *m_filesCaption = nullptr;
    QLabel *m_causeDetail = nullptr;
    QPushButton *m_leave = nullptr;
    QTableWidget *m_causes = nullptr;
    QListWidget *m_files = nullptr;
    QTableView *m_steps = nullptr;
    CompareStepsModel *m_stepsModel = nullptr;
    QSplitter *m_split = nullptr;
};

} // namespace Stagelens
