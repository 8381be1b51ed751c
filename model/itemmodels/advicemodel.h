#pragma once

// The Advice pane's table: one row per advice, in the engine's rank (seconds saved first). Semantic data
// only: "Saves" is a figure or a word ("correctness", "fewer re-runs"), never a made-up number.

#include "model/advice/advice.h"

#include <QAbstractTableModel>

namespace Stagelens {

class AdviceModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        SavesColumn,
        RuleColumn,
        LineColumn,
        FindingColumn,
        ColumnCount
    };

    explicit AdviceModel(QObject *parent = nullptr);

    void setResult(const AdviceResult &result);
    const AdviceResult &result() const { return m_result; }
    const Advice *adviceAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// "saves 48.0 s", "2 fewer re-runs", "correctness", "faster re-runs": what the Saves column says.
    static QString savesText(const Advice &advice);

private:
    AdviceResult m_result;
};

} // namespace Stagelens
