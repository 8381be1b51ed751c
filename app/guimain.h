#pragma once

namespace Stagelens {

/// Creates the QApplication, parses the GUI options of shared/CLI.md and runs the main window.
int runGui(int &argc, char **argv, void (*setIdentity)());

} // namespace Stagelens
