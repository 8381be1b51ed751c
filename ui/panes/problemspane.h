#pragma once

// The Problems page: the session's DiagnosticsModel in a table, errors first, with the standard message
// icons.

#include <QWidget>

class QTableView;

namespace Stagelens {

class DiagnosticsModel;

class ProblemsPane : public QWidget
{
    Q_OBJECT
public:
    /// Lists longer than this show one line per problem (see fitRows).
    static constexpr int MaxWrappedRows = 500;

    explicit ProblemsPane(DiagnosticsModel *model, QWidget *parent = nullptr);

    /// "Problems", or "Problems (3)" when there are errors or warnings: the tab title.
    QString title() const;

Q_SIGNALS:
    /// A problem was activated (double-click, Enter): its file and 1-based line (0 when none).
    void locationActivated(const QString &file, int line);
    /// The rows changed; an error is among them when `errors` > 0.
    void problemsChanged(int errors);

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void fitWhereColumn(bool measure);
    void fitRows();

    DiagnosticsModel *m_model;
    QTableView *m_view = nullptr;
    int m_whereWidth = 0; ///< the widest "where" entry of the current list
};

} // namespace Stagelens
