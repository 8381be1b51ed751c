#pragma once

// The "Advice" page: the cache advice for the open project, ranked by seconds saved. Selecting one shows
// what was found, how the representative change costs today and after the rewrite, the evidence and the
// rewrite itself as a diff, with "copy" and "save as" (never into the project) and a button that puts the
// change to the what-if view. Shows an AdviceResult; computes nothing.

#include "model/advice/advice.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTableView;

namespace Stagelens {

class AdviceModel;

class AdvicePane : public QWidget
{
    Q_OBJECT
public:
    explicit AdvicePane(QWidget *parent = nullptr);

    void setResult(const AdviceResult &result);
    AdviceModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    /// Selects row `row` (and shows its diff).
    void selectRow(int row);
    const Advice *selectedAdvice() const;
    QString diffText() const;
    QString detailText() const;

Q_SIGNALS:
    /// An advice was selected: the Dockerfile line it is about.
    void adviceSelected(int line);
    /// "Show in what-if": put this change to the what-if engine.
    void showChange(const WhatIfChanges &changes);

private:
    void showSelected();
    void saveAs(const QByteArray &text, const QString &suggestedName, const QString &title);

    AdviceModel *m_model = nullptr;
    QTableView *m_view = nullptr;
    QLabel *m_detail = nullptr;
    QPlainTextEdit *m_diff = nullptr;
    QLabel *m_notes = nullptr;
    QPushButton *m_copy = nullptr;
    QPushButton *m_savePatch = nullptr;
    QPushButton *m_saveFile = nullptr;
    QPushButton *m_whatIf = nullptr;
    bool m_updating = false;
};

} // namespace Stagelens
