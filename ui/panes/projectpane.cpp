#include "projectpane.h"

#include "model/analysis/contexttreemodel.h"
#include "model/session/projectsession.h"
#include "ui/contexttreestyle.h"

#include <QComboBox>
#include <QDir>
#include <QFormLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTreeView>
#include <QVBoxLayout>

namespace Stagelens {

ProjectPane::ProjectPane(ProjectSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
{
    auto *form = new QFormLayout(this);
    m_dockerfileCombo = new QComboBox;
    m_dockerfileCombo->setToolTip(tr("Dockerfiles found in the project folder"));
    form->addRow(tr("Dockerfile"), m_dockerfileCombo);
    connect(m_dockerfileCombo, &QComboBox::activated, this, [this](int index) {
        if (!m_session->projectFolder().isEmpty() && index >= 0)
            m_session->openProject(m_session->projectFolder(), m_dockerfileCombo->itemText(index));
    });
    m_targetCombo = new QComboBox;
    m_targetCombo->setToolTip(tr("The stage to build (BuildKit's --target); default is the last stage"));
    form->addRow(tr("Target"), m_targetCombo);
    connect(m_targetCombo, &QComboBox::activated, this,
        [this](int index) { m_session->setTarget(index <= 0 ? QString() : m_targetCombo->itemText(index)); });

    m_argsView = new QTableView;
    m_argsView->setModel(m_session->buildArgs());
    m_argsView->verticalHeader()->hide();
    // Names fit their text; default and value share the rest of the pane (elided, full text in tooltips),
    // so the table never needs a horizontal scroll bar in a narrow pane.
    m_argsView->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_argsView->horizontalHeader()->setSectionResizeMode(
        BuildArgsModel::NameColumn, QHeaderView::ResizeToContents);
    m_argsView->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_argsView->setWordWrap(false);
    m_argsView->setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents);
    m_argsView->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);
    m_argsView->setMaximumHeight(200);
    m_argsView->setEditTriggers(QAbstractItemView::AllEditTriggers);
    m_argsView->setToolTip(tr("Edit a value to see the build as BuildKit would run it with --build-arg"));
    form->addRow(m_argsView);

    // What-if: tick context files (or edit a build arg, or mark a Dockerfile line) to see what re-runs.
    auto *whatIfBox = new QGroupBox(tr("What if I change..."));
    auto *whatIfLayout = new QVBoxLayout(whatIfBox);
    auto *filter = new QLineEdit;
    filter->setPlaceholderText(tr("Filter files"));
    filter->setClearButtonEnabled(true);
    m_changeKind = new QComboBox;
    m_changeKind->addItem(tr("Edit content"), int(ChangeKind::Content));
    m_changeKind->addItem(tr("Change mode (chmod)"), int(ChangeKind::Mode));
    m_changeKind->addItem(tr("Delete"), int(ChangeKind::Deleted));
    m_changeKind->addItem(tr("Touch (mtime only)"), int(ChangeKind::Touched));
    m_changeKind->setToolTip(tr("What happens to the ticked files"));
    m_contextModel = new ContextTreeModel(this);
    auto *styled = new ContextTreeStyle(this);
    styled->setSourceModel(m_contextModel);
    m_contextFilter = new QSortFilterProxyModel(this);
    m_contextFilter->setSourceModel(styled);
    m_contextFilter->setRecursiveFilteringEnabled(true);
    m_contextFilter->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_contextFilter->setFilterRole(ContextTreeModel::PathRole);
    m_contextTree = new QTreeView;
    m_contextTree->setModel(m_contextFilter);
    m_contextTree->setHeaderHidden(true);
    m_contextTree->setUniformRowHeights(true);
    connect(filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_contextFilter->setFilterFixedString(text);
        if (!text.isEmpty())
            m_contextTree->expandAll();
    });
    connect(m_contextModel, &ContextTreeModel::checkedPathsChanged, this, &ProjectPane::applyTicks);
    connect(m_changeKind, &QComboBox::currentIndexChanged, this, &ProjectPane::applyTicks);
    m_answer = new QLabel;
    m_answer->setTextFormat(Qt::PlainText);
    m_answer->setWordWrap(true);
    auto *clear = new QPushButton(tr("Clear changes"));
    connect(clear, &QPushButton::clicked, this, [this]() {
        m_mirroring = true;
        m_contextModel->clearChecks();
        m_mirroring = false;
        m_session->clearChanges();
    });
    whatIfLayout->addWidget(filter);
    whatIfLayout->addWidget(m_changeKind);
    whatIfLayout->addWidget(m_contextTree, 1);
    whatIfLayout->addWidget(m_answer);
    whatIfLayout->addWidget(clear);
    form->addRow(whatIfBox);
    setMinimumWidth(220);

    connect(m_session, &ProjectSession::projectChanged, this, &ProjectPane::refreshProject);
    connect(m_session, &ProjectSession::graphChanged, this, &ProjectPane::refreshGraph);
    connect(m_session, &ProjectSession::contextChanged, this, &ProjectPane::refreshContext);
    connect(m_session, &ProjectSession::whatIfChanged, this, &ProjectPane::refreshAnswer);
    refreshAnswer();
}

void ProjectPane::refreshProject()
{
    const QSignalBlocker block(m_dockerfileCombo);
    m_dockerfileCombo->clear();
    m_dockerfileCombo->addItems(m_session->dockerfiles());
    if (!m_session->dockerfilePath().isEmpty())
        m_dockerfileCombo->setCurrentText(
            QDir(m_session->projectFolder()).relativeFilePath(m_session->dockerfilePath()));
}

void ProjectPane::refreshGraph()
{
    // Target choices follow the graph: every named stage.
    const QSignalBlocker block(m_targetCombo);
    m_targetCombo->clear();
    m_targetCombo->addItem(tr("(last stage)"));
    for (const Stage &stage : m_session->graph().stages) {
        if (!stage.name.isEmpty())
            m_targetCombo->addItem(stage.name);
    }
    if (!m_session->options().target.isEmpty())
        m_targetCombo->setCurrentText(m_session->options().target);
    // Which files no needed stage reads changes with the target.
    if (m_contextModel->context())
        m_contextModel->setReadEntries(m_session->contextEntriesRead());
}

void ProjectPane::refreshContext()
{
    // The ticks mirror the session's question, which may have been asked before the scan landed (--changed).
    QStringList paths;
    for (const PathChange &change : m_session->changes().paths)
        paths.append(change.path);
    // Never block a model's signals (its proxies would go stale): the ticks it reports back are ignored.
    m_mirroring = true;
    m_contextModel->setContext(m_session->context(), m_session->contextEntriesRead());
    const int found = m_session->context() && !paths.isEmpty() ? checkPaths(paths) : 0;
    m_mirroring = false;
    if (found < paths.size() && m_session->context())
        m_session->addMessage(
            tr("Some changed paths are not in the build context: %1").arg(paths.join(QStringLiteral(", "))));
}

void ProjectPane::refreshAnswer()
{
    // The ticks follow the session's question when it changes elsewhere (cleared from the banner, --changed).
    QStringList paths;
    for (const PathChange &change : m_session->changes().paths)
        paths.append(change.path);
    QStringList ticked = m_contextModel->checkedPaths();
    QStringList wanted = paths;
    ticked.sort();
    wanted.sort();
    if (m_contextModel->context() && ticked != wanted) {
        m_mirroring = true;
        m_contextModel->clearChecks();
        m_contextModel->setCheckedPaths(paths);
        m_mirroring = false;
    }
    // The answer itself is in the banner over the graph and in the status bar; here only what they do not
    // say: the notes on the question (a path outside the context, an undeclared ARG).
    const QString sentence = m_session->whatIfSentence();
    const QStringList &notes = m_session->whatIf().notes;
    m_answer->setText(sentence.isEmpty()
            ? tr("Tick files, edit a build arg or double-click a Dockerfile line number.")
            : notes.isEmpty() ? tr("The answer is above the graph.")
                              : notes.join(QLatin1Char('\n')));
}

void ProjectPane::applyTicks()
{
    if (m_mirroring)
        return;
    m_session->setChangedPaths(
        m_contextModel->checkedPaths(), ChangeKind(m_changeKind->currentData().toInt()));
}

int ProjectPane::checkPaths(const QStringList &paths)
{
    const int found = m_contextModel->setCheckedPaths(paths);
    const auto *root = m_session->context().get();
    for (const QString &path : paths) {
        const QString relative = root ? ContextIndex::relativePath(path, root->rootPath()) : path;
        QModelIndex index =
            m_contextFilter->mapFromSource(qobject_cast<QAbstractProxyModel *>(m_contextFilter->sourceModel())
                                               ->mapFromSource(m_contextModel->indexForPath(relative)));
        if (index.isValid())
            m_contextTree->scrollTo(index);
        for (index = index.parent(); index.isValid(); index = index.parent())
            m_contextTree->expand(index);
    }
    return found;
}

} // namespace Stagelens
