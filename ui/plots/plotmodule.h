#pragma once

// Opens the plots module (plotcharts.h) and makes its charts. The window calls preload() when it first opens
// a file, so the module is read on a thread of its own while the file is; the first chart waits for it if it
// has not finished. An empty window never loads it. When the module cannot be opened, the charts are
// placeholders that say why: the rest of the window works without them. GUI thread, except where said.

#include "ui/plots/plotcharts.h"

#include <QString>

namespace Stagelens::PlotModule {

/// Starts opening the module on a thread of its own, unless that has started already. Returns at once.
void preload();
/// A timeline chart owned by `parent`: the module's, or a placeholder naming errorString().
TimelineChart *createTimeline(QWidget *parent = nullptr);
/// A trend chart owned by `parent`: the module's, or a placeholder naming errorString().
TrendChart *createTrend(QWidget *parent = nullptr);
/// True once the module is open (waits for preload()).
bool isAvailable();
/// Why the module could not be opened; empty when it could (waits for preload()).
QString errorString();

} // namespace Stagelens::PlotModule
