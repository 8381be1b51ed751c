#pragma once

// Two builds compared (#19), in a window of its own: the causes of the second build's cache misses ranked by
// what they cost, and every step with its status before and after, the root misses first in bold. The
// comparison itself is model/compare's, the same `stagelens compare` prints.

#include "model/compare/buildcompare.h"

#include <QDialog>

class QLabel;
class QTableWidget;

namespace Stagelens {

class CompareDialog : public QDialog
{
    Q_OBJECT
public:
    explicit CompareDialog(QWidget *parent = nullptr);

    /// Until it is called the window says the comparison is running.
    void setResult(const CompareResult &result, const QString &beforeName, const QString &afterName);
    const CompareResult &result() const { return m_result; }
    QTableWidget *causesTable() const { return m_causes; }
    QTableWidget *stepsTable() const { return m_steps; }
    QString headline() const;
    /// Selects the steps of the cause at `row` of the causes table (its roots and their followers), as a
    /// click on it does, and activates the first.
    void selectCause(int row);
    /// The labels of the steps selected in the steps table.
    QStringList selectedSteps() const;

Q_SIGNALS:
    /// setResult() has shown a comparison.
    void resultShown();
    /// A step was activated in the steps table (its label in the later build).
    void stepActivated(const QString &label);

private:
    CompareResult m_result;
    QLabel *m_headline = nullptr;
    QTableWidget *m_causes = nullptr;
    QTableWidget *m_steps = nullptr;
};

} // namespace Stagelens
