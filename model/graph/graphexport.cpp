// The graph as the `dockerfile --json` document of shared/CLI.md and as Graphviz DOT text.
#include "buildgraph.h"
#include "model/core/jsontext.h"

#include <QSet>

namespace Stagelens {

namespace {

// An array member's value: "[\n", each element on its own line one level deeper, "]" at `level`.
template<typename Items, typename Write>
void writeArray(JsonText &json, int level, const Items &items, Write write)
{
    json.raw("[\n");
    bool first = true;
    for (const auto &item : items) {
        if (!write(item, first))
            continue;
        first = false;
    }
    if (!first)
        json.raw("\n");
    json.indent(level);
    json.raw("]");
}

void writeStep(JsonText &json, const Step &st, int level)
{
    json.beginObject(level);
    json.key("arg_dependencies");
    json.stringList(st.argDependencies);
    json.key("end_line");
    json.integer(st.endLine);
    if (st.fromStage >= 0) {
        json.key("from_stage");
        json.integer(st.fromStage);
    }
    json.key("instruction");
    json.string(st.keyword);
    json.key("label");
    json.string(st.label);
    json.key("line");
    json.integer(st.line);
    json.key("number");
    json.integer(st.number);
    json.key("text");
    json.string(st.text);
    json.endObject();
}

void writeStage(JsonText &json, const Stage &s, int level)
{
    json.beginObject(level);
    json.key("base");
    json.optionalString(s.base);
    json.key("base_name");
    json.string(s.baseName);
    json.key("base_stage");
    if (s.baseStage >= 0)
        json.integer(s.baseStage);
    else
        json.null();
    json.key("index");
    json.integer(s.index);
    json.key("line");
    json.integer(s.line);
    json.key("name");
    json.optionalString(s.name);
    json.key("needed");
    json.boolean(s.needed);
    json.key("platform");
    json.optionalString(s.platform);
    json.key("steps");
    writeArray(json, level, s.steps, [&](const Step &st, bool first) {
        if (!st.isVertex())
            return false;
        if (!first)
            json.raw(",\n");
        json.indent(level + 1);
        writeStep(json, st, level + 2);
        return true;
    });
    json.key("token");
    json.string(s.token());
    json.endObject();
}

} // namespace

void appendJsonText(QByteArray *out, const BuildGraph &graph, const QJsonObject &extra,
    const std::function<void(QByteArray *)> &drain)
{
    JsonText json(out, drain ? &drain : nullptr);
    json.beginObject(1);
    auto nextExtra = extra.constBegin();
    const auto member = [&](const char *key) {
        for (; nextExtra != extra.constEnd() && nextExtra.key() < QLatin1StringView(key); ++nextExtra) {
            json.key(nextExtra.key());
            json.value(nextExtra.value(), 1);
        }
        Q_ASSERT(nextExtra == extra.constEnd() || nextExtra.key() != QLatin1StringView(key));
        json.key(key);
    };
    // Each element of a top-level array is an object whose members are at level 3.
    const auto element = [&](bool first) {
        if (!first)
            json.raw(",\n");
        json.indent(2);
    };
    member("diagnostics");
    writeArray(json, 1, graph.diagnostics, [&](const Diagnostic &d, bool first) {
        element(first);
        d.writeJson(json, 3);
        return true;
    });
    member("edges");
    writeArray(json, 1, graph.edges, [&](const Edge &e, bool first) {
        element(first);
        json.beginObject(3);
        json.key("from");
        json.integer(e.from);
        json.key("kind");
        json.string(edgeKindName(e.kind));
        json.key("line");
        json.integer(e.line);
        json.key("to");
        json.integer(e.to);
        json.endObject();
        return true;
    });
    member("file");
    json.string(graph.file);
    member("stages");
    writeArray(json, 1, graph.stages, [&](const Stage &s, bool first) {
        element(first);
        writeStage(json, s, 3);
        json.maybeDrain();
        return true;
    });
    member("target");
    if (graph.targetStage >= 0)
        json.string(graph.target);
    else
        json.null();
    for (; nextExtra != extra.constEnd(); ++nextExtra) {
        json.key(nextExtra.key());
        json.value(nextExtra.value(), 1);
    }
    json.endObject();
    json.raw("\n");
}

namespace {

QString dotQuote(const QString &text)
{
    QString out = QStringLiteral("\"");
    for (const QChar c : text) {
        if (c == QLatin1Char('"') || c == QLatin1Char('\\'))
            out += QLatin1Char('\\');
        if (c == QLatin1Char('\n')) {
            out += QLatin1String("\\n");
            continue;
        }
        out += c;
    }
    return out + QLatin1Char('"');
}

} // namespace

// Stages as boxes (dashed when not needed, bold for the target), base images as ellipses.
QString toDot(const BuildGraph &graph)
{
    QString out =
        QStringLiteral("digraph stages {\n  rankdir=TB;\n  node [shape=box, fontname=\"sans-serif\"];\n");
    QHash<QString, QString> images;
    for (const Stage &s : graph.stages) {
        int vertices = 0;
        for (const Step &st : s.steps)
            vertices += st.isVertex() ? 1 : 0;
        const QString label = s.token()
            + QStringLiteral("\n%1 step%2")
                  .arg(vertices)
                  .arg(vertices == 1 ? QString() : QStringLiteral("s"));
        QString attrs = QStringLiteral("label=%1").arg(dotQuote(label));
        if (!s.needed)
            attrs += QLatin1String(", style=dashed");
        if (s.index == graph.targetStage)
            attrs += QLatin1String(", penwidth=2");
        out += QStringLiteral("  s%1 [%2];\n").arg(s.index).arg(attrs);
        if (s.baseStage < 0 && !s.base.isEmpty()) {
            if (!images.contains(s.base)) {
                const QString id = QStringLiteral("img%1").arg(images.size());
                images.insert(s.base, id);
                out += QStringLiteral("  %1 [label=%2, shape=ellipse];\n").arg(id, dotQuote(s.base));
            }
            out += QStringLiteral("  %1 -> s%2 [style=dotted];\n").arg(images.value(s.base)).arg(s.index);
        }
    }
    for (const Edge &e : graph.edges) {
        out += QStringLiteral("  s%1 -> s%2 [label=%3];\n")
                   .arg(e.from)
                   .arg(e.to)
                   .arg(dotQuote(edgeKindName(e.kind)));
    }
    out += QLatin1String("}\n");
    return out;
}

} // namespace Stagelens
