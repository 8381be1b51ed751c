#pragma once

// What a build did with one Dockerfile step: the one enum the analysis, the views and the report share.

namespace Stagelens {

enum class StepState
{
    NoLog, ///< no build selected
    NotInLog, ///< the build has no vertex for this step (stage not needed, or a different target)
    Ran,
    Cached,
    Error,
    Canceled,
    Running ///< started and never finished in the log (cut off)
};

} // namespace Stagelens
