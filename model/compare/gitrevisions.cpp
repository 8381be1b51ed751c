#include "gitrevisions.h"

#include "model/core/lazylibrary.h"

#include <QDir>

#include <git2.h>
#include <memory>

namespace Stagelens {

namespace {

// libgit2 is opened on first use (model/core/lazylibrary.h): only comparing builds and the history use it.
struct Api
{
    LazyLibrary library {STAGELENS_LIBGIT2_SONAME};
    STAGELENS_LAZY_FUNCTION(git_libgit2_init);
    STAGELENS_LAZY_FUNCTION(git_libgit2_shutdown);
    STAGELENS_LAZY_FUNCTION(git_error_last);
    STAGELENS_LAZY_FUNCTION(git_revparse_single);
    STAGELENS_LAZY_FUNCTION(git_object_peel);
    STAGELENS_LAZY_FUNCTION(git_object_free);
    STAGELENS_LAZY_FUNCTION(git_repository_open_ext);
    STAGELENS_LAZY_FUNCTION(git_repository_open);
    STAGELENS_LAZY_FUNCTION(git_repository_discover);
    STAGELENS_LAZY_FUNCTION(git_repository_workdir);
    STAGELENS_LAZY_FUNCTION(git_repository_free);
    STAGELENS_LAZY_FUNCTION(git_tree_free);
    STAGELENS_LAZY_FUNCTION(git_diff_tree_to_tree);
    STAGELENS_LAZY_FUNCTION(git_diff_find_similar);
    STAGELENS_LAZY_FUNCTION(git_diff_num_deltas);
    STAGELENS_LAZY_FUNCTION(git_diff_get_delta);
    STAGELENS_LAZY_FUNCTION(git_diff_free);
    STAGELENS_LAZY_FUNCTION(git_buf_dispose);
};

const Api &api()
{
    static const Api loaded;
    return loaded;
}

// libgit2 counts its users; each call opens and closes its own, so threads need no shared state.
struct Libgit2
{
    Libgit2() { api().git_libgit2_init(); }
    ~Libgit2() { api().git_libgit2_shutdown(); }
};

QString lastError()
{
    const git_error *e = api().git_error_last();
    return e && e->message ? QString::fromUtf8(e->message) : QStringLiteral("unknown libgit2 error");
}

template<typename T, void (*Free)(T *)>
using Handle = std::unique_ptr<T, decltype([](T *p) { Free(p); })>;

void freeTree(git_tree *tree)
{
    api().git_tree_free(tree);
}
void freeRepository(git_repository *repo)
{
    api().git_repository_free(repo);
}
void freeDiff(git_diff *diff)
{
    api().git_diff_free(diff);
}

bool treeOf(git_repository *repo, const QString &rev, Handle<git_tree, freeTree> *tree, QString *error)
{
    const Api &git = api();
    git_object *object = nullptr;
    if (git.git_revparse_single(&object, repo, rev.toUtf8().constData()) != 0) {
        *error = QStringLiteral("unknown revision %1: %2").arg(rev, lastError());
        return false;
    }
    git_object *peeled = nullptr;
    const int rc = git.git_object_peel(&peeled, object, GIT_OBJECT_TREE);
    git.git_object_free(object);
    if (rc != 0) {
        *error = QStringLiteral("revision %1 has no tree: %2").arg(rev, lastError());
        return false;
    }
    tree->reset(reinterpret_cast<git_tree *>(peeled));
    return true;
}

} // namespace

std::optional<QStringList> changedPaths(
    const QString &repository, const QString &from, const QString &to, QString *error)
{
    const Api &git = api();
    if (!git.library.error().isEmpty()) {
        *error = git.library.error();
        return std::nullopt;
    }
    Libgit2 lib;
    git_repository *raw = nullptr;
    if (git.git_repository_open_ext(&raw, QDir(repository).absolutePath().toUtf8().constData(), 0, nullptr)
        != 0) {
        *error = QStringLiteral("%1 is not in a git repository").arg(repository);
        return std::nullopt;
    }
    Handle<git_repository, freeRepository> repo(raw);
    Handle<git_tree, freeTree> a, b;
    if (!treeOf(repo.get(), from, &a, error) || !treeOf(repo.get(), to, &b, error))
        return std::nullopt;
    git_diff *rawDiff = nullptr;
    git_diff_options options = GIT_DIFF_OPTIONS_INIT;
    if (git.git_diff_tree_to_tree(&rawDiff, repo.get(), a.get(), b.get(), &options) != 0) {
        *error = QStringLiteral("cannot compare %1 and %2: %3").arg(from, to, lastError());
        return std::nullopt;
    }
    Handle<git_diff, freeDiff> diff(rawDiff);
    // Renames show as one delete and one add unless detected; both names count for a COPY either way.
    git_diff_find_options find = GIT_DIFF_FIND_OPTIONS_INIT;
    find.flags = GIT_DIFF_FIND_RENAMES;
    git.git_diff_find_similar(diff.get(), &find);
    QStringList paths;
    const size_t n = git.git_diff_num_deltas(diff.get());
    for (size_t i = 0; i < n; ++i) {
        const git_diff_delta *d = git.git_diff_get_delta(diff.get(), i);
        if (d->old_file.path)
            paths.append(QString::fromUtf8(d->old_file.path));
        if (d->new_file.path && (!d->old_file.path || qstrcmp(d->old_file.path, d->new_file.path) != 0))
            paths.append(QString::fromUtf8(d->new_file.path));
    }
    paths.removeDuplicates();
    paths.sort();
    return paths;
}

QString repositoryRoot(const QString &folder)
{
    const Api &git = api();
    if (!git.library.error().isEmpty())
        return {};
    Libgit2 lib;
    git_buf buf = GIT_BUF_INIT;
    if (git.git_repository_discover(&buf, QDir(folder).absolutePath().toUtf8().constData(), 0, nullptr) != 0)
        return {};
    QString gitDir = QString::fromUtf8(buf.ptr, qsizetype(buf.size));
    git.git_buf_dispose(&buf);
    git_repository *raw = nullptr;
    if (git.git_repository_open(&raw, gitDir.toUtf8().constData()) != 0)
        return {};
    Handle<git_repository, freeRepository> repo(raw);
    const char *workdir = git.git_repository_workdir(repo.get());
    return workdir ? QDir(QString::fromUtf8(workdir)).absolutePath() : QString();
}

} // namespace Stagelens
